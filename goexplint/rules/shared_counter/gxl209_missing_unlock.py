"""GXL209: a ``return`` reached while a ``X.Lock()`` taken earlier in the function is still held."""

from goexplint.analysis.syntax import enclosing_function, scopes
from goexplint.analysis.cfg import no_return_functions
from goexplint.analysis.locks import (LOCKS, body_plan, deferred_releases_before, first_lock_call, function_has_goto,
                                      function_own_nodes, function_unlock_calls, hands_over, held_returns,
                                      is_lock_statement, lock_call, relock_site, unlock_calls)
from goexplint.core.parse import node_text

REQUIRES = (body_plan, first_lock_call, function_own_nodes, function_unlock_calls, lock_call, no_return_functions,
            scopes)


def refine(match, ctx):
    stmt = match["lock"]
    lock = is_lock_statement(ctx, stmt)
    func = enclosing_function(stmt)
    if lock is None or func is None:
        return
    name = func.child_by_field_name("name")
    if name is not None and node_text(name).startswith(("lock", "Lock")):
        return  # lockX(): returns holding the lock by design
    if function_has_goto(func) or not unlock_calls(ctx, func, lock.key, lock.method) \
            or deferred_releases_before(ctx, func, stmt, lock.key) or relock_site(ctx, func, stmt, lock.key):
        return
    line = stmt.start_point[0] + 1
    for ret in held_returns(ctx, stmt, lock):
        if hands_over(ctx, func, ret, lock):
            continue  # returns the object whose lock is held: the caller unlocks
        where = "when this return is reached" if ret.type == "return_statement" \
            else "when the function ends here (a path falls off the end)"
        yield match.finding(ret, related=((lock.call, "%s.%s() taken here" % (lock.key, lock.method)),),
                            evidence=ctx.text(ret), recv=lock.key, lock=lock.method, unlock=LOCKS[lock.method],
                            line=line, where=where)
