"""GXL211: handlers and callbacks that write shared state without a lock, where the package shows that
several calls of them may run at once (names such as ``On…`` or ``…Hook`` are not evidence)."""

import os

from goexplint.analysis.syntax import (identifiers, in_loop_within, is_ancestor, normal_text, outside_parens, resolve,
                                       scopes, unparen)
from goexplint.analysis.goroutines import (Body, goroutine_bodies, handler_concurrency, hook_concurrency,
                                           hook_goroutine_calls, is_handler_signature)
from goexplint.analysis.locks import held_in_list, write_locked
from goexplint.rules.shared_counter._support import container_kind, field_container_kinds, sharing_of, writes_in
from goexplint.analysis.package import model
from goexplint.analysis.summaries import callee_summary, summaries
from goexplint.core.parse import captures, function_name, node_text

REQUIRES = (model, summaries, goroutine_bodies, hook_goroutine_calls, held_in_list, field_container_kinds, writes_in,
            scopes)

_OPS = {"incremented": "incremented", "decremented": "decremented", "appended to": "appended to",
        "written": "written (an element)", "deleted from": "deleted from"}


def _hook_key(lit):
    """The field a func literal is stored in: ``Config{OnEvent: func(){…}}`` or ``c.OnEvent = func(){…}``."""
    p = outside_parens(lit)[1]
    if p is None:
        return None
    if p.type == "literal_element" and p.parent is not None and p.parent.type == "keyed_element":
        elems = p.parent.named_children
        if len(elems) == 2 and elems[1] == p:
            key = elems[0].named_children[0] if elems[0].named_children else elems[0]
            return key.text if key.type in ("identifier", "field_identifier") else None
        return None
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "assignment_statement":
        stmt = p.parent
        left = stmt.child_by_field_name("left")
        if stmt.child_by_field_name("right") != p or left is None or len(left.named_children) != len(p.named_children):
            return None
        target = unparen(left.named_children[p.named_children.index(lit)]) if lit in p.named_children else None
        if target is not None and target.type == "selector_expression":
            return target.child_by_field_name("field").text
    return None


def _async_callee(ctx, lit):
    """(callee name, parameter) when ``lit`` is an argument of a same-package function whose summary runs
    that parameter on another goroutine (``go f()``, ``go func(){ f() }()``, handing it to a ``go`` call)."""
    lit, p = outside_parens(lit)
    if p is None or p.type != "argument_list" or p.parent is None or p.parent.type != "call_expression":
        return None
    summary = callee_summary(ctx, p.parent)
    if summary is None:
        return None
    param = summary.param_at(p.named_children.index(lit))
    if param is None or param not in summary.runs_async or not _runs_repeatedly(summary, param):
        return None
    return summary.decl.name, param


def _runs_repeatedly(summary, param):
    """The callee calls ``param`` from goroutines it starts in a loop (``for … { go func() { f(i) }() }``,
    ``for … { go f() }``): several calls of the callback run at once."""
    fctx, decl = summary.decl.file, summary.decl.node
    name = param.encode()
    for b in goroutine_bodies(fctx):
        if b.loop is None or b.launcher is None or not is_ancestor(decl, b.launch):
            continue
        call = unparen(b.launch.named_children[0]) if b.launch.type == "go_statement" else None
        fn = unparen(call.child_by_field_name("function")) if call is not None and \
            call.type == "call_expression" else None
        if fn is not None and fn.type == "identifier" and fn.text == name:
            return True
        for ident in identifiers(b.func):
            if ident.text == name and ident.parent is not None and ident.parent.type == "call_expression" \
                    and ident.parent.child_by_field_name("function") == ident:
                return True
    for g in captures("(go_statement (call_expression function: (identifier) @f)) @g", decl).get("g", []):
        fn = g.named_children[0].child_by_field_name("function")
        if fn.text == name and in_loop_within(g, decl):
            return True
    return False


def _evidence(ctx, func, handler):
    """(what, why) of the concurrent calls, or None when the package shows none."""
    if handler:
        how = handler_concurrency(ctx, func)
        if how is None:
            return None
        name = func.child_by_field_name("name")
        what = "HTTP handler %s" % (node_text(name) if name is not None else "func literal in %s" % function_name(func))
        return what, "net/http serves every request on its own goroutine%s" % how
    if func.type != "func_literal":
        return None
    hook = _hook_key(func)
    if hook is not None:
        call = hook_concurrency(ctx, hook)
        if call is not None:
            where = "line %d" % call.line if call.file == ctx.path \
                else "%s:%d" % (os.path.basename(call.file), call.line)
            return ("the %s callback" % hook.decode(),
                    "the package calls %s on goroutines it starts (%s%s)" % (
                        hook.decode(), where, ", in a loop" if call.loop else ""))
    got = _async_callee(ctx, func)
    if got is not None:
        callee, param = got
        return ("the callback passed to %s" % callee,
                "%s runs its %s argument on another goroutine" % (callee, param))
    return None


def _per_call_slot(ctx, func, target):
    """``errs[i] = …`` where the index depends on a parameter of the callback (``func(i int) {…}``,
    ``sris[idx[id]]``) and the container is not known to be a map: each call writes its own slot of a
    slice (the callee hands every call a different argument), which does not race."""
    n = unparen(target)
    while n is not None and n.type in ("selector_expression", "index_expression", "parenthesized_expression"):
        if n.type == "index_expression":
            index = n.child_by_field_name("index")
            container = n.child_by_field_name("operand")
            if index is not None and container is not None and container_kind(ctx, container) != "map":
                for ident in [index] if index.type == "identifier" else identifiers(index):
                    decl = resolve(ident)
                    if decl is not None and decl.kind == "param" and is_ancestor(func, decl.ident) \
                            and decl.ident.parent is not None and decl.ident.parent.parent is not None \
                            and decl.ident.parent.parent == func.child_by_field_name("parameters"):
                        return True
            n = container
        elif n.type == "selector_expression":
            n = n.child_by_field_name("operand")
        else:
            n = n.named_children[0] if n.named_children else None
    return False


def refine(match, ctx):
    func = match["func"]
    if func.child_by_field_name("body") is None:
        return
    if func.id in {b.func.id for b in goroutine_bodies(ctx)}:
        return  # a goroutine body: GXL201/202's business
    handler = is_handler_signature(ctx, func)
    if not handler and func.type != "func_literal":
        return
    evidence = _evidence(ctx, func, handler)  # first: the writes are a walk of the whole body
    if evidence is None:
        return
    writes = [w for w in writes_in(ctx, func) if w.kind != "assign" and write_locked(w.node) is None]
    if not writes:
        return
    what, why = evidence
    body = Body(func, "handler" if handler else "callback")
    for w in writes:
        if w.kind in ("element", "rmw") and _per_call_slot(ctx, func, w.target):
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
        yield match.finding(w.node, evidence="%s; %s; %s; no lock held" % (what, why, sharing.text),
                            var=normal_text(w.target), op=_OPS.get(w.op, "updated"), what=what, why=why)
