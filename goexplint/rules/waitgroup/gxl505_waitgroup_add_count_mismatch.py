"""GXL505: one ``wg.Add(1)`` for a loop of goroutines that each call ``wg.Done()``."""

from goexplint.analysis.syntax import enclosing_function, in_loop_within, line_of, normal_text, scopes
from goexplint.analysis.package import model
from goexplint.core.parse import captures
from goexplint.rules.waitgroup._waitgroup import calls_in, is_waitgroup, wg_calls

REQUIRES = (wg_calls, model, scopes)


def _leaves_after(go):
    parent = go.parent
    if parent is None or parent.type != "statement_list":
        return False
    stmts = [s for s in parent.named_children if s.type != "comment"]
    i = stmts.index(go)
    return i + 1 < len(stmts) and stmts[i + 1].type in ("break_statement", "return_statement")


BRANCHES = ("if_statement", "expression_switch_statement", "type_switch_statement", "select_statement",
            "for_statement", "expression_case", "default_case", "type_case", "communication_case")


def _unconditional_done(ctx, go, key):
    """Some ``W.Done()`` in the goroutine runs on every path: ``defer W.Done()`` or a statement of the
    goroutine's own body, not nested in a branch or a loop.  A Done inside ``if seq == last { … }`` is a
    one-shot signal from whichever goroutine gets there: one Add(1) is right for it."""
    for c in calls_in(ctx, go, key, "Done"):
        n = c.call.parent
        while n is not None and n.type != "func_literal" and n != go and n.type not in BRANCHES:
            n = n.parent
        if n is None or n.type not in BRANCHES:
            return True
    return False


def refine(match, ctx):
    stmt = match["add"]
    call = stmt.named_children[0]
    recv = call.child_by_field_name("function").child_by_field_name("operand")
    func = enclosing_function(stmt)
    if func is None or in_loop_within(stmt, func) or stmt.parent is None:
        return
    key = normal_text(recv)
    after = False
    for sib in stmt.parent.named_children:
        if sib == stmt:
            after = True
            continue
        if not after:
            continue
        if calls_in(ctx, sib, key, "Add") or calls_in(ctx, sib, key, "Wait"):
            return  # counted again (or waited) before any loop: not this pattern
        if sib.type != "for_statement":
            continue
        body = sib.child_by_field_name("body")
        gos = [g for g in captures("(go_statement) @g", body).get("g", []) if _unconditional_done(ctx, g, key)]
        if gos and not any(_leaves_after(g) for g in gos) and is_waitgroup(ctx, recv):
            yield match.finding(call, related=((sib, "the loop"), (gos[0], "goroutine started here")),
                                wg=key, loop_line=line_of(sib))
        return
