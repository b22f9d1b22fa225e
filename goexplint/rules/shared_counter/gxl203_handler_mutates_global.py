"""GXL203: HTTP handlers that mutate package-level state without a lock."""

from goexplint.analysis.syntax import normal_text, scopes
from goexplint.analysis.locks import held_in_list, write_locked
from goexplint.analysis.package import model
from goexplint.analysis.goroutines import HTTP, Body, is_handler_signature
from goexplint.core.parse import function_name, node_text
from goexplint.rules.shared_counter._support import sharing_of, writes_in

REQUIRES = (model, held_in_list, writes_in, scopes)

_VERBS = {"incremented": "increments", "decremented": "decrements", "appended to": "appends to",
          "written": "writes an element of", "deleted from": "deletes from"}


def _handler_name(func):
    name = func.child_by_field_name("name")
    if name is not None:
        return node_text(name)
    outer = function_name(func)
    return "func literal in %s" % outer if outer else "func literal"


def _variable(target):
    """``visits`` of ``visits[k]``: the package-level variable, not the element."""
    while target.type == "index_expression":
        target = target.child_by_field_name("operand")
    return target


def applies(ctx):
    """Every finding is in an HTTP handler (``is_handler_signature``): only in files that import net/http."""
    return HTTP in ctx.imports.values()


def refine(match, ctx):
    func = match["func"]
    if func.child_by_field_name("body") is None or not is_handler_signature(ctx, func):
        return
    body = Body(func, "handler")
    name = _handler_name(func)
    for w in writes_in(ctx, func):
        if w.kind == "assign":
            continue
        sharing = sharing_of(ctx, body, w.target)
        if sharing is None or sharing.how != "package" or write_locked(w.node) is not None:
            continue
        yield match.finding(w.node, evidence="handler %s; no lock held; package-level" % name,
                            related=((func, "handler declared here"),), handler=name,
                            op=_VERBS.get(w.op, "updates"), var=normal_text(_variable(w.target)))
