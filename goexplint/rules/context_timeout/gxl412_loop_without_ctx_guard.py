"""GXL412 (opt-in): an endless for loop that blocks but never looks at the function's ctx."""

from goexplint.analysis.syntax import FUNC_TYPES, enclosing_function, package_member, scopes
from goexplint.core.parse import captures, node_text
from goexplint.rules.context_timeout._support import HTTP, context_params

REQUIRES = (context_params, scopes)

BLOCKING_METHODS = ("Do", "Read", "Write", "Recv", "Send")


def refine(match, ctx):
    loop = match["loop"]
    body = match["body"]
    if any(c != body and c.type != "comment" for c in loop.named_children):
        return  # has a condition, a for clause or a range clause
    fn = enclosing_function(loop)
    params = [p for p, kind in context_params(ctx, fn) if kind == "ctx"] if fn is not None else []
    if not params:
        return
    names = {p.text for p in params}
    if _exits(loop, body) or _checks_ctx(body, names):
        return
    call = _blocking_call(ctx, body)
    if call is None:
        return
    ctx_name = node_text(params[0])
    yield match.finding(loop, related=((call, "blocks here"),), evidence="no ctx check, return or break",
                        ctx=ctx_name, call=node_text(call.child_by_field_name("function")))


def _own(node, root):
    """``node`` belongs to ``root``'s function (not to a nested func literal)."""
    n = node.parent
    while n is not None and n != root:
        if n.type in FUNC_TYPES:
            return False
        n = n.parent
    return True


def _exits(loop, body):
    label = loop.parent.child_by_field_name("label") if loop.parent is not None \
        and loop.parent.type == "labeled_statement" else None
    caps = captures("(return_statement) @r (break_statement) @b (goto_statement) @g", body)
    for kind, nodes in caps.items():
        for n in nodes:
            if not _own(n, body):
                continue
            if kind != "b":
                return True
            target = next((c for c in n.named_children if c.type == "label_name"), None)
            if target is not None:
                if label is not None and target.text == label.text:
                    return True
                continue
            p = n.parent
            while p is not None and p.type not in ("for_statement", "expression_switch_statement",
                                                   "type_switch_statement", "select_statement"):
                p = p.parent
            if p == loop:
                return True
    return False


def _checks_ctx(body, names):
    for sel in captures("(selector_expression operand: (identifier) @o field: (field_identifier) @f)",
                        body).get("o", []):
        field = sel.parent.child_by_field_name("field")
        if sel.text in names and field is not None and field.text in (b"Done", b"Err"):
            return True
    return False


def _blocking_call(ctx, body):
    for call in captures("(call_expression) @c", body).get("c", []):
        if not _own(call, body):
            continue
        f = call.child_by_field_name("function")
        if package_member(ctx, f, "time", ("Sleep",)):
            return call
        if f is not None and f.type == "selector_expression":
            operand = f.child_by_field_name("operand")
            if operand is not None and operand.type == "identifier" and ctx.imports.get(node_text(operand)) == HTTP:
                return call
            field = node_text(f.child_by_field_name("field"))
            if field in BLOCKING_METHODS or field.startswith("Query"):
                return call
    return None
