"""GXL702: typed nil pointers converted to interfaces."""

import re

from goexplint.analysis.syntax import enclosing_function, resolve, scopes, unparen
from goexplint.analysis.package import model
from goexplint.core.parse import node_text
from goexplint.rules.typed_nil._support import (interface_name as _interface_name, nil_conversion,
                                                nil_error_pointer_funcs, result_slots)

REQUIRES = (model, nil_error_pointer_funcs, scopes)


def interface_name(ctx, typ):
    """Only ``error`` slots: a typed nil in ``any`` is the usual type-witness idiom, not a bug."""
    name = _interface_name(ctx, typ)
    return name if name == "error" else None


ADVICE_NIL = "return (or assign) a literal nil instead"
ADVICE_CALL = ("check the pointer first (if e := {call}; e != nil {{ return e }}; return nil), "
               "or make {func} return error")


def _pointer_call(ctx, value):
    """``f()`` of a same-package function declared to return ``*T`` where T has an Error method -> (f, T)."""
    if value is None or value.type != "call_expression":
        return None
    fn = value.child_by_field_name("function")
    if fn is None or fn.type != "identifier" or resolve(fn) is not None:
        return None
    t = nil_error_pointer_funcs(ctx).get(fn.text)
    if t is None:
        return None
    return fn.text.decode(), t.decode()


def _check(match, ctx, value, iface, what):
    value = unparen(value)
    conv = nil_conversion(value)
    if conv is not None:
        yield match.finding(value, what=what, typ=node_text(conv), iface=iface, advice=ADVICE_NIL)
        return
    pc = _pointer_call(ctx, value)
    if pc is not None:
        yield match.finding(value, what=what, typ="*" + pc[1], iface=iface,
                            advice=ADVICE_CALL.format(call=node_text(value), func=pc[0]))


_NIL_ARGUMENT = re.compile(rb"\(\s*nil\b")


def applies(ctx):
    """Every finding is a ``(*T)(nil)`` (the file has ``(nil`` in it) or a call of a same-package
    function declared to return a pointer to an error type: a file with neither is not looked at."""
    return bool(_NIL_ARGUMENT.search(ctx.source)) or bool(nil_error_pointer_funcs(ctx))


def refine(match, ctx):
    site = match["site"]
    if site.type == "return_statement":
        func = enclosing_function(site)
        slots = result_slots(func) if func is not None else []
        values = site.named_children[0].named_children
        if not slots or len(values) != len(slots):
            return
        for (_, typ), value in zip(slots, values):
            iface = interface_name(ctx, typ)
            if iface is not None:
                yield from _check(match, ctx, value, iface, "returning %s as %s" % (node_text(value), iface))
    elif site.type == "var_spec":
        names = [c for c in site.named_children if c.type == "identifier"]
        if names and all(n.text == b"_" for n in names):
            return  # var _ I = (*T)(nil): the compile-time "T implements I" assertion
        iface = interface_name(ctx, site.child_by_field_name("type"))
        value = site.child_by_field_name("value")
        if iface is not None and value is not None:
            for v in value.named_children:
                yield from _check(match, ctx, v, iface, "initialising a %s variable with %s" % (iface, node_text(v)))
    else:
        op = site.child_by_field_name("operator")
        if op is not None and op.type != "=":
            return
        left = site.child_by_field_name("left").named_children
        right = site.child_by_field_name("right").named_children
        if len(left) != len(right):
            return
        for target, value in zip(left, right):
            if target.type != "identifier":
                continue
            decl = resolve(target)
            iface = interface_name(ctx, decl.written_type()) if decl is not None else None
            if iface is not None:
                what = "assigning %s to %s" % (node_text(value), node_text(target))
                yield from _check(match, ctx, value, iface, what)
