"""GXL701: a pointer variable that may be nil returned in an interface result slot."""

from goexplint.core.parse import captures
from goexplint.analysis.sharedstate import enclosing_function, strip_parens
from goexplint.analysis.syntax import is_ancestor, node_text, resolve
from goexplint.rules.typed_nil._support import (assigned_by_closure, assigned_on_every_path, interface_name,
                                         nil_conversion, result_slots)


def _pointer_decl(decl, slots):
    """The pointer type a variable is declared with, when declared without a value (or as nil)."""
    typ = decl.written_type()
    value = strip_parens(decl.value())
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


def _address_taken(ctx, func, decl):
    """``&x`` anywhere in the function: whoever gets the address (``errors.As(err, &x)``, ``json.Unmarshal``,
    a helper ``fill(&x)``, a struct field) may assign ``x``, so nothing says it is still nil.  The
    declarations whose address is taken are found once per function (one query, not one per return)."""
    key = ("gxl701.address_taken", func.id)
    taken = ctx.cache.get(key)
    if taken is None:
        taken = set()
        for op in captures('(unary_expression operator: "&" operand: (identifier) @x)', func).get("x", []):
            d = resolve(op)
            if d is not None:
                taken.add(d.ident.id)
        ctx.cache[key] = taken
    return decl.ident.id in taken


def _guarded(ctx, ret, ident, func):
    """``return x`` inside ``if x != nil {…}``, or after ``if x == nil { return … }``.

    The answer for every node on the way up is memoised per (function, name), and the earlier-``if``
    check per statement list, so all the returns of a function cost O(its nodes) together."""
    name = ident.text
    memo = ctx.cache.setdefault(("gxl701.guarded", func.id, name), {})
    path = []
    n = ret
    found = False
    while n is not None and n != func:
        if n.id in memo:
            found = memo[n.id]
            break
        path.append(n.id)
        parent = ctx.parent(n)
        if parent is not None and parent.type == "if_statement" and parent.child_by_field_name("consequence") == n:
            cond = node_text(parent.child_by_field_name("condition")).replace(" ", "")
            if cond in (name.decode() + "!=nil", "nil!=" + name.decode()):
                found = True
                break
        if parent is not None and parent.type == "statement_list" and _nil_return_before(ctx, parent, n, name):
            found = True
            break
        n = parent
    for key in path:
        memo[key] = found
    return found


def _nil_return_before(ctx, stmts, child, name):
    """An ``if x == nil { … return … }`` precedes ``child`` in the statement list ``stmts``."""
    key = ("gxl701.nil_return_before", stmts.id, name)
    table = ctx.cache.get(key)
    if table is None:
        table = {}
        seen = False
        for stmt in stmts.named_children:
            table[stmt.id] = seen
            if not seen and stmt.type == "if_statement":
                cond = node_text(stmt.child_by_field_name("condition")).replace(" ", "")
                if cond in (name.decode() + "==nil", "nil==" + name.decode()) \
                        and captures("(return_statement) @r", stmt.child_by_field_name("consequence")):
                    seen = True
        ctx.cache[key] = table
    return table.get(child.id, False)


def refine(match, ctx):
    ret = match["ret"]
    func = enclosing_function(ret)
    if func is None:
        return
    slots = result_slots(func)
    values = [v for v in ret.named_children[0].named_children]
    if not slots or len(values) != len(slots):
        return
    for (_, typ), value in zip(slots, values):
        iface = interface_name(ctx, typ)
        value = strip_parens(value)
        if iface is None or value is None or value.type != "identifier":
            continue
        decl = resolve(value)
        if decl is None or not is_ancestor(func, decl.ident):
            continue
        ptype = _pointer_decl(decl, slots)
        if ptype is None or _guarded(ctx, ret, value, func):
            continue
        if assigned_on_every_path(ctx, func, decl.ident, ret) or _address_taken(ctx, func, decl) \
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
