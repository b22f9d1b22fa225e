"""GXL212: a pointer value is handed to another goroutine (go / send), then written by the sender."""

from goexplint.analysis.syntax import (enclosing_function, normal_text, resolve, root_identifier, scopes,
                                       statements_after, unparen)
from goexplint.analysis.goroutines import is_sync_point, sync_point
from goexplint.analysis.locks import called_with_lock_held, held_in_list, write_locked
from goexplint.rules.shared_counter._support import writes_in

REQUIRES = (sync_point, held_in_list, writes_in, scopes)


def _pointer_decl(ident):
    """The declaration of ``ident`` when it is known to hold a pointer (``&T{}``, ``new(T)``, ``*T``)."""
    if ident is None or ident.type != "identifier":
        return None
    decl = resolve(ident)
    if decl is None or decl.kind not in ("var", "param"):
        return None
    typ = decl.written_type()
    parent = decl.ident.parent
    if parent is not None and parent.type in ("parameter_declaration", "var_spec"):
        typ = parent.child_by_field_name("type")
        if typ is not None:
            return decl if typ.type == "pointer_type" else None
    value = unparen(decl.value())
    if value is not None and value.type == "unary_expression" and value.child_by_field_name("operator").type == "&":
        return decl
    if value is not None and value.type == "call_expression" and value.child_by_field_name("function").text == b"new":
        return decl
    return None


def _handed(stmt):
    """(identifier, how) pairs handed off by ``stmt``."""
    if stmt.type == "send_statement":
        value = unparen(stmt.child_by_field_name("value"))
        if value is not None and value.type == "identifier":
            yield value, "sent on a channel"
        return
    call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
    if call is None:
        return
    args = call.child_by_field_name("arguments")
    for a in args.named_children if args is not None else []:
        a = unparen(a)
        if a is not None and a.type == "identifier":
            yield a, "passed to a go statement"


def refine(match, ctx):
    stmt = match["handoff"]
    func = enclosing_function(stmt)
    if func is None:
        return
    if called_with_lock_held(func):
        return  # the caller holds the receiver's lock: the receiver is expected to take it too
    handed = {}
    for ident, how in _handed(stmt):
        decl = _pointer_decl(ident)
        if decl is not None:
            handed[decl.ident.id] = (ident, how)
    if not handed:
        return
    writes = writes_in(ctx, func)
    for after in statements_after(stmt, func, cross_loops=False):
        if is_sync_point(after) or after.type in ("return_statement", "go_statement", "send_statement"):
            return
        for w in writes:
            if not (after.start_byte <= w.node.start_byte and w.node.end_byte <= after.end_byte):
                continue
            root = root_identifier(w.target)
            if root is None:
                continue
            decl = resolve(root)
            if decl is None or decl.ident.id not in handed:
                continue
            if root == w.target:
                del handed[decl.ident.id]  # rebound to another value: no longer the shared one
                if not handed:
                    return
                continue
            if write_locked(w.node) is not None:
                continue
            ident, how = handed[decl.ident.id]
            yield match.finding(w.node, related=((stmt, "handed off here"),),
                                evidence="%s at L%d; no wait before the write" % (how, stmt.start_point[0] + 1),
                                var=normal_text(w.target), op=w.op, root=ident.text.decode(), how=how,
                                line=stmt.start_point[0] + 1)
