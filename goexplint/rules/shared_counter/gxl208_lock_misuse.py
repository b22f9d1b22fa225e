"""GXL208: empty critical section, ``defer X.Lock()`` after Lock, double Lock in one statement list."""

import itertools

from goexplint.analysis.locks import (LOCKS, assigns_to, comments_by_row, is_intent_comment, is_lock_statement,
                                      later_siblings, lock_call, mentions_unlock, simple_receiver)
from goexplint.analysis.syntax import root_identifier

REQUIRES = (comments_by_row, lock_call)

_STOP = ("return_statement", "break_statement", "continue_statement", "goto_statement", "labeled_statement",
         "fallthrough_statement")


def _intent_comment(ctx, lock_stmt, unlock_stmt):
    """A prose comment (i) on any line of the paragraph holding the section: the run of non-blank lines
    around it, or (ii) the closest own-line comment above the Lock in the same block, at most two code lines
    earlier (a comment explaining a barrier often sits above a short preamble such as ``tx.cancel()``)."""
    rows = comments_by_row(ctx)
    first, last = lock_stmt.start_point[0], unlock_stmt.end_point[0]
    while first > 0 and ctx.line_bytes(first - 1).strip():
        first -= 1
    if any(is_intent_comment(ctx, c) for row in range(first, last + 1) for c in rows.get(row, ())):
        return True
    code_lines = 0
    row = lock_stmt.start_point[0] - 1
    while row >= 0 and code_lines <= 2:
        line = ctx.line_bytes(row).strip()
        own = [c for c in rows.get(row, ()) if c.start_point[0] == row and line.startswith(b"/")]
        if own:
            if any(is_intent_comment(ctx, c) for c in own):
                return True
        elif line:
            if line.endswith((b"{", b"}")):
                break
            code_lines += 1
        row -= 1
    return False


def refine(match, ctx):
    stmt = match["lock"]
    first = is_lock_statement(ctx, stmt)
    if first is None or stmt.parent is None or stmt.parent.type != "statement_list":
        return
    related = ((first.call, "%s.%s() here" % (first.key, first.method)),)
    rest = (n for n in later_siblings(stmt) if n.type != "comment")
    nxt = next(rest, None)
    if nxt is None:
        return
    lc = lock_call(ctx, nxt)
    if nxt.type == "expression_statement" and lc is not None and lc.key == first.key \
            and lc.method == LOCKS[first.method]:
        if not ctx.is_test and not _intent_comment(ctx, stmt, nxt):
            yield match.finding(lc.call, related=related, evidence=ctx.text(stmt) + "; " + ctx.text(nxt),
                                problem="empty critical section: %s.%s() right after %s.%s()"
                                % (first.key, lc.method, first.key, first.method),
                                advice="move the statements the lock should protect between the two calls "
                                       "(or say in a comment why the empty section is deliberate)")
        return
    root = root_identifier(first.recv)
    for n in itertools.chain((nxt,), rest):
        if n.type in _STOP:
            return
        lc = lock_call(ctx, n)
        if n.type == "defer_statement":
            if lc is not None and lc.key == first.key and lc.method == first.method:
                yield match.finding(n, related=related, evidence=ctx.text(n),
                                    problem="defer %s.%s() right after %s.%s() locks again on return and "
                                            "never releases the lock" % (first.key, lc.method, first.key,
                                                                         first.method),
                                    advice="write defer %s.%s()" % (first.key, LOCKS[first.method]))
                return
            continue  # a deferred unlock runs at return: it releases nothing in between
        if n.type == "expression_statement" and lc is not None and lc.is_lock and lc.key == first.key:
            if simple_receiver(first) and not ctx.is_test:
                yield match.finding(lc.call, related=related, evidence=ctx.text(n),
                                    problem="%s.%s() while %s is still held by the %s() on line %d: Go mutexes "
                                            "are not re-entrant, this deadlocks"
                                    % (first.key, lc.method, first.key, first.method, first.call.start_point[0] + 1),
                                    advice="unlock %s before locking it again, or drop the second %s()"
                                    % (first.key, lc.method))
            return
        if mentions_unlock(ctx, n, None):  # any unlock, of any receiver: it might be an alias of this one
            return
        if root is not None and assigns_to(n, root.text):
            return
