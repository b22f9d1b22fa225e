"""GXL206: writes to shared state while only a read lock is held."""

from goexplint.analysis.sharedstate import function_scope, locks_at, normal, root_of, sharing_of, writes_in


def refine(match, ctx):
    rlock = match["rlock"]
    scope = function_scope(rlock)
    if scope is None:
        return
    here = rlock.child_by_field_name("function").child_by_field_name("field").start_byte
    for w in writes_in(ctx, scope.func):
        if w.node.start_byte < rlock.start_byte:
            continue
        # each write is examined once, for the nearest RLock before it (matches come in document order)
        if any(here < b < w.node.start_byte for b in _later_rlocks(ctx, scope.func, rlock)):
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
        if sharing.how == "pointer-param" and not related_root:
            continue  # *out = …: the caller's result buffer, not state the lock guards
        yield match.finding(w.node, confidence=None if related_root else "low",
                            related=((rlock, "read lock taken here"),),
                            evidence="RLock held: %s; %s" % (", ".join(sorted(held)), sharing.text),
                            var=normal(w.target), op=w.op, lock=lock)


def _later_rlocks(ctx, func, rlock):
    key = ("rlock_offsets", func.id)
    offsets = ctx.cache.get(key)
    if offsets is None:
        text = ctx.source[func.start_byte:func.end_byte]
        offsets = []
        i = text.find(b".RLock(")
        while i >= 0:
            offsets.append(func.start_byte + i + 1)
            i = text.find(b".RLock(", i + 1)
        ctx.cache[key] = offsets
    return offsets
