"""GXL305 (opt-in): every call into package unsafe that makes or converts a pointer."""

from goexplint.analysis.syntax import scopes, unparen
from goexplint.rules.unsafe_pointer._support import (call_args, declaration, header_kind, imports_unsafe,
                                                     reflect_method_call, spine, uintptr_conversion_arg, unsafe_func)

REQUIRES = (declaration, scopes)

POINTER_FUNCS = ("Pointer", "Add", "Slice", "SliceData", "String", "StringData")
HELPERS = {
    "Add": "pointer arithmetic, Go 1.17+",
    "Slice": "a slice over memory at a pointer, Go 1.17+",
    "SliceData": "the pointer under a slice, Go 1.20+",
    "String": "a string over memory at a pointer, Go 1.20+",
    "StringData": "the pointer under a string, Go 1.20+",
}


def _kind(ctx, call, fn):
    if fn != "Pointer":
        return HELPERS[fn]
    args = call_args(call)
    arg = unparen(args[0]) if len(args) == 1 else None
    if arg is None:
        return "review"
    base, steps = spine(arg)
    if arg.type == "unary_expression" and arg.child_by_field_name("operator").type == "&":
        return "pattern 1: pointer conversion"
    if steps and uintptr_conversion_arg(base) is not None:
        return "pattern 3: pointer arithmetic"
    if reflect_method_call(arg):
        return "pattern 5: reflect.Value.%s" % reflect_method_call(arg)
    if arg.type == "selector_expression" and arg.child_by_field_name("field").text == b"Data":
        kind = header_kind(ctx, arg.child_by_field_name("operand"))
        if kind and kind[0] == "pointer":
            return "pattern 6: header Data field"
    if uintptr_conversion_arg(arg) is not None:
        return "uintptr to pointer, valid only in patterns 3 to 6"
    return "conversion of a pointer value, pattern 1 when it is a *T"


def applies(ctx):
    """Every finding is an unsafe.Pointer call (``unsafe_func``): only in files that import unsafe."""
    return imports_unsafe(ctx)


def refine(match, ctx):
    call = match["call"]
    fn = unsafe_func(ctx, call)
    if fn not in POINTER_FUNCS:
        return
    kind = _kind(ctx, call, fn)
    yield match.finding(call, evidence=kind, fn=fn, kind=kind)
