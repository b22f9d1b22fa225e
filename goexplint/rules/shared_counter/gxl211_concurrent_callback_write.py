"""GXL211: handlers and hook callbacks that write shared state without a lock."""

import re

from goexplint.analysis.sharedstate import (Body, goroutine_bodies, is_handler_signature, normal, sharing_of,
                                            strip_parens, write_locked, writes_in)
from goexplint.analysis.syntax import function_name, node_text

_HOOK = re.compile(r"^(?:On[A-Z]\w*|\w*(?:Hook|Callback|Handler))$")
_OPS = {"incremented": "incremented", "decremented": "decremented", "appended to": "appended to",
        "written": "written (an element)", "deleted from": "deleted from"}


def _hook_key(lit):
    """The hook name a func literal is stored under: ``Config{OnEvent: func(){…}}`` or ``c.OnEvent = func(){…}``."""
    p = lit.parent
    while p is not None and p.type == "parenthesized_expression":
        p = p.parent
    if p is None:
        return None
    if p.type == "literal_element" and p.parent is not None and p.parent.type == "keyed_element":
        elems = p.parent.named_children
        if len(elems) == 2 and elems[1] == p:
            key = elems[0].named_children[0] if elems[0].named_children else elems[0]
            return node_text(key) if key.type in ("identifier", "field_identifier") else None
        return None
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "assignment_statement":
        stmt = p.parent
        left = stmt.child_by_field_name("left")
        if stmt.child_by_field_name("right") != p or left is None or len(left.named_children) != len(p.named_children):
            return None
        target = strip_parens(left.named_children[p.named_children.index(lit)]) if lit in p.named_children else None
        if target is not None and target.type == "selector_expression":
            return node_text(target.child_by_field_name("field"))
    return None


def refine(match, ctx):
    func = match["func"]
    if func.child_by_field_name("body") is None:
        return
    handler = is_handler_signature(ctx, func)
    hook = _hook_key(func) if func.type == "func_literal" and not handler else None
    if not handler and (hook is None or not _HOOK.match(hook)):
        return
    if func.id in {b.func.id for b in goroutine_bodies(ctx)}:
        return  # a goroutine body: GXL201/202's business
    body = Body(func, "handler" if handler else "callback")
    if handler:
        name = func.child_by_field_name("name")
        what = "HTTP handler %s" % (node_text(name) if name is not None else "func literal in %s" % function_name(func))
        why = "net/http serves every request on its own goroutine"
    else:
        what = "the %s callback" % hook
        why = "whoever calls %s may call it from several goroutines" % hook
    for w in writes_in(ctx, func):
        if w.kind == "assign" or write_locked(w.node) is not None:
            continue
        sharing = sharing_of(ctx, body, w.target)
        if sharing is None:
            continue
        if handler and sharing.how not in ("captured", "receiver"):
            continue  # package-level: GXL203; pointer params (w, r): per request
        if not handler and sharing.how not in ("captured", "package"):
            continue
        if handler and sharing.how == "receiver" and func.type != "method_declaration":
            continue
        yield match.finding(w.node, evidence="%s; %s; no lock held" % (what, sharing.text),
                            var=normal(w.target), op=_OPS.get(w.op, "updated"), what=what, why=why)
