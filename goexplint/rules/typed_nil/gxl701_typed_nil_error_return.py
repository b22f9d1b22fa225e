"""GXL701: a pointer variable that may be nil returned in an interface result slot."""

from goexplint.analysis.syntax import enclosing_function, is_ancestor, resolve, unparen
from goexplint.core.parse import node_text
from goexplint.analysis.package import model
from goexplint.rules.typed_nil._support import (address_taken, after_nil_return, assigned_by_closure,
                                                assigned_on_every_path, interface_name, is_nil_checked,
                                                nil_conversion, plain_assignments, result_slots, settles,
                                                statements_assigning)

REQUIRES = (model, address_taken, after_nil_return, plain_assignments, statements_assigning, settles)


def _pointer_decl(decl, slots):
    """The pointer type a variable is declared with, when declared without a value (or as nil)."""
    typ = decl.written_type()
    value = unparen(decl.value())
    if decl.kind == "param":
        named = [n for n, _ in slots if n is not None]
        if decl.ident not in named:
            return None
        return typ if typ is not None and typ.type == "pointer_type" else None
    if decl.kind != "var":
        return None
    if typ is not None and typ.type == "pointer_type" and (value is None or value.type == "nil"):
        return typ
    if typ is None and value is not None:
        return nil_conversion(value)
    return None


def refine(match, ctx):
    ret = match["ret"]
    if ret.type != "return_statement":
        return  # (the pattern is GXL702's, shared)
    func = enclosing_function(ret)
    if func is None:
        return
    slots = result_slots(func)
    values = [v for v in ret.named_children[0].named_children]
    if not slots or len(values) != len(slots):
        return
    for (_, typ), value in zip(slots, values):
        iface = interface_name(ctx, typ)
        value = unparen(value)
        if iface is None or value is None or value.type != "identifier":
            continue
        decl = resolve(value)
        if decl is None or not is_ancestor(func, decl.ident):
            continue
        ptype = _pointer_decl(decl, slots)
        if ptype is None or is_nil_checked(ctx, ret, func, value.text):
            continue
        # whoever gets the address (``errors.As(err, &x)``, ``json.Unmarshal``, a helper ``fill(&x)``, a
        # struct field) may assign ``x``, so nothing says it is still nil
        if assigned_on_every_path(ctx, func, decl.ident, ret) or decl.ident.id in address_taken(ctx, func) \
                or assigned_by_closure(ctx, func, decl.ident) is not None:
            continue
        yield match.finding(value, related=((decl.ident, "declared here, nil until assigned"),),
                            var=node_text(value), typ=node_text(ptype), iface=iface, check=_check_text(iface),
                            when="when there is no error" if iface == "error" else "when there is nothing to return")


def _check_text(iface):
    """What goes wrong at the caller: an ``error`` is checked with ``err != nil``; any other interface
    is only wrong where the caller compares it with nil."""
    if iface == "error":
        return "the caller's `err != nil` is true although nothing failed"
    return "a caller's `!= nil` check of the result is true although the pointer is nil"
