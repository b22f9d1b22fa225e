"""GXL504: ``wg.Wait()`` inside the loop that spawns the goroutines."""

from goexplint.analysis.syntax import line_of, normal_text, scopes
from goexplint.analysis.package import model
from goexplint.core.parse import captures
from goexplint.rules.waitgroup._waitgroup import calls_in, is_waitgroup, wg_calls, work_between

REQUIRES = (wg_calls, model, scopes)


def refine(match, ctx):
    stmt = match["wait"]
    call = stmt.named_children[0]
    recv = call.child_by_field_name("function").child_by_field_name("operand")
    parent = stmt.parent  # statement_list
    block = parent.parent if parent is not None else None
    loop = block.parent if block is not None else None
    if parent is None or parent.type != "statement_list" or loop is None or loop.type != "for_statement":
        return  # only a Wait directly in the loop body (not in an if: batching)
    key = normal_text(recv)
    launches = [g for g in captures("(go_statement) @g", block).get("g", [])
                if g.start_byte < stmt.start_byte and _nearest_loop(g) == loop and calls_in(ctx, g, key, "Done")]
    # one goroutine per iteration, then Wait: serial.  Two or more started before the Wait run together
    # (a per-iteration batch); goroutines of an inner loop are the outer loop's batch.
    # Work between the launch and the Wait runs alongside the goroutine (a consumer drained in the
    # iteration, the other half of a split job): a fork-join per iteration, not a serialised loop.
    if len(launches) == 1 and work_between(ctx, launches[0], stmt) is None and is_waitgroup(ctx, recv):
        yield match.finding(call, related=((loop, "the loop"), (launches[0], "goroutine started here")),
                            wg=key, loop_line=line_of(loop))


def _nearest_loop(node):
    n = node.parent
    while n is not None and n.type not in ("for_statement", "func_literal", "function_declaration",
                                           "method_declaration"):
        n = n.parent
    return n
