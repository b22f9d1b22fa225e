"""GXL301: a uintptr kept in a variable, parameter, field or ``.Pointer()`` result turned back into a pointer."""

from goexplint.analysis.syntax import scopes, unparen
from goexplint.analysis.values import values_of_local
from goexplint.rules.unsafe_pointer._support import (add_advice, declaration, header_advice, imports_unsafe,
                                                     is_pointer_conversion, package_facts, short, since, spine,
                                                     uintptr_evidence)
from goexplint.analysis.package import model

REQUIRES = (model, values_of_local, declaration, package_facts, scopes)

WHY = {
    3: "pointer -> uintptr -> arithmetic -> pointer is only valid within one expression, and a uintptr kept "
       "elsewhere does not keep its object alive or follow it when it moves",
    5: "the result of reflect.Value.Pointer/UnsafeAddr must be converted in the same expression as the call",
    6: "only the Data field of a *reflect.SliceHeader/*reflect.StringHeader that points at a real slice or "
       "string may be converted",
}


def applies(ctx):
    """Every finding is an unsafe.Pointer call (``unsafe_func``): only in files that import unsafe."""
    return imports_unsafe(ctx)


def refine(match, ctx):
    conv = match["conv"]
    if not is_pointer_conversion(ctx, conv):
        return
    arg = unparen(match["arg"])
    base, steps = spine(arg)
    ev = uintptr_evidence(ctx, base)
    if ev is None and base is not None and base.type == "int_literal":
        ev = next((e for e in (uintptr_evidence(ctx, operand) for _, operand in steps) if e is not None), None)
    if ev is None:
        return
    if ev.pattern == 5:
        method = "UnsafeAddr" if "UnsafeAddr" in ev.what else "Pointer"
        fix = "write unsafe.Pointer(v.%s()) in one expression" % method
        modern = since(ctx, 18, "v.UnsafePointer()")
        if modern and "UnsafeAddr" not in ev.what:
            fix += " or use %s" % modern
    elif ev.pattern == 6:
        fix = header_advice(ctx, "StringHeader" if "StringHeader" in ev.what else "SliceHeader")
    else:
        fix = add_advice(ctx)
    related = ((ev.decl, "the uintptr is stored here"),) if ev.decl is not None else ()
    yield match.finding(conv, related=related, confidence=ev.confidence,
                        evidence="%s; pattern (%d)" % (ev.what, ev.pattern),
                        expr=short(ctx, arg), what=ev.what, pattern=ev.pattern, why=WHY[ev.pattern], remedy=fix)
