"""GXL104: func literals capturing a ``:=`` loop variable that are stored, sent or registered."""

from goexplint.analysis.syntax import identifiers, loop_vars, scopes
from goexplint.analysis.types import selection
from goexplint.analysis.package import model
from goexplint.analysis.summaries import summaries
from goexplint.core.parse import captures
from goexplint.rules.loopvar._capture import (capture_finding, captured_refs, closure_escape, escape_of,
                                              leaves_loop_after, loops_with)

REQUIRES = (model, summaries, selection, loop_vars, scopes)

REGISTER_FUNCS = ("AfterFunc", "Cleanup", "OnClose", "RegisterOnShutdown")


def refine(match, ctx):
    lit = match["closure"]
    loops = loops_with(ctx, lit, "declared")
    if not loops:
        return
    registered = closure_escape(ctx, lit, REGISTER_FUNCS)
    for loop in loops:
        got = (registered, "high") if registered else escape_of(ctx, lit, loop, closure=True)
        if got is None or (registered is None and leaves_loop_after(ctx, lit, loop)):
            continue
        if registered is None and _overwritten_each_iteration(ctx, lit, loop):
            continue
        how, confidence = got
        for ref in captured_refs(ctx, lit, loop, "declared"):
            yield capture_finding(match, ref, loop, lit, "func literal", how=how, confidence=confidence)


def _overwritten_each_iteration(ctx, lit, loop):
    """``hook = func(){…}`` as a statement of a ``range`` loop's own body, into the same variable or field
    every time (no loop variable in the target), with no goroutine started in the loop: each closure is
    replaced before the next iteration changes the shared variable, and after the loop the last closure
    still sees its own iteration's values (range loops leave them in place).  A test hook swapped per
    test case (etcd client/pkg/srv/srv_test.go) is the typical shape."""
    if not any(c.type == "range_clause" for c in loop.named_children):
        return False
    values = lit.parent
    stmt = values.parent if values is not None else None
    if values is None or values.type != "expression_list" or stmt is None or stmt.type != "assignment_statement" \
            or stmt.child_by_field_name("operator").type != "=":
        return False
    body = loop.child_by_field_name("body")
    holder = stmt.parent
    if holder is None or holder.type != "statement_list" or holder.parent != body:
        return False
    left = stmt.child_by_field_name("left").named_children
    if len(left) != 1 or left[0].type not in ("identifier", "selector_expression"):
        return False
    names = loop_vars(ctx, loop).names
    if any(i.text in names for i in identifiers(left[0])):
        return False
    return not captures("(go_statement) @g", body).get("g")
