"""GXL206: writes to shared state while only a read lock is held."""

from goexplint.sharedstate import function_scope, locks_at, normal, owner, root_of, sharing_of, writes_in


def refine(match, ctx):
    stmt = match["stmt"]
    scope = function_scope(stmt)
    if scope is None:
        return
    for w in writes_in(ctx, scope.func):
        if owner(w.node) != stmt:
            continue
        held = locks_at(w.node)
        if not held or any(mode != "R" for mode in held.values()):
            continue
        sharing = sharing_of(ctx, scope, w.target)
        if sharing is None:
            continue
        root = root_of(w.target)
        lock = sorted(held)[0]
        related_root = any(r.split(".")[0] == root.text.decode() for r in held) or (
            sharing.how == "package" and "." not in lock)
        yield match.finding(w.node, confidence=None if related_root else "low",
                            evidence="RLock held: %s; %s" % (", ".join(sorted(held)), sharing.text),
                            var=normal(w.target), op=w.op, lock=lock)
