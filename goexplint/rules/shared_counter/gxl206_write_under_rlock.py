"""GXL206: writes to shared state while only a read lock is held, and that lock guards the data."""

from goexplint.analysis.locks import held_in_list, locks_at
from goexplint.analysis.package import model
from goexplint.analysis.fields import index
from goexplint.analysis.goroutines import goroutine_bodies
from goexplint.analysis.syntax import normal_text, root_identifier
from goexplint.core.parse import FileContext
from goexplint.core.providers import FILE, provider
from goexplint.rules.shared_counter._support import function_scope, sharing_of, writes_in


@provider(scope=FILE)
def rlock_offsets(ctx: FileContext, func):
    """Offsets of the ``RLock`` names of the ``.RLock(`` calls in the text of ``func``, in order."""
    text = ctx.source[func.start_byte:func.end_byte]
    offsets = []
    i = text.find(b".RLock(")
    while i >= 0:
        offsets.append(func.start_byte + i + 1)
        i = text.find(b".RLock(", i + 1)
    return offsets


REQUIRES = (model, goroutine_bodies, held_in_list, writes_in, index, rlock_offsets)


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
        if any(here < b < w.node.start_byte for b in rlock_offsets(ctx, scope.func)):
            continue
        held = locks_at(w.node)
        if not held or any(mode != "R" for mode in held.values()):
            continue
        sharing = sharing_of(ctx, scope, w.target)
        if sharing is None:
            continue
        if sharing.how == "captured" and scope.func.type == "func_literal" \
                and scope.func.id not in {b.func.id for b in goroutine_bodies(ctx)}:
            continue  # a local of the enclosing function, written by a closure that runs on its goroutine
        root = root_identifier(w.target)
        owned = _owning_lock(ctx, held, root, sharing, w.target)
        if owned is None:
            continue  # the read lock belongs to another object: it does not guard this data
        lock, why = owned
        if sharing.how == "pointer-param" and why != "inferred" and not _same_root(lock, root):
            continue  # *out = …: the caller's result buffer, not state the lock guards
        yield match.finding(w.node, related=((rlock, "read lock taken here"),),
                            evidence="RLock held: %s (%s); %s" % (", ".join(sorted(held)), why, sharing.text),
                            var=normal_text(w.target), op=w.op, lock=lock)


def _same_root(lock, root):
    return root is not None and lock.split(".")[0] == root.text.decode()


def _owning_lock(ctx, held, root, sharing, target):
    """(lock, why) for a held read lock that guards the written data: it shares the data's root object
    (``c.mu`` and ``c.hits``), both are package-level, or the package's other accesses of the field hold
    it (guarded-by inference).  None when no held lock is known to guard it, or when the function starts
    with the data's own lock held (``…Locked`` names, every caller holding a lock of the receiver)."""
    ix = index(ctx)
    access = ix.at(ctx.path, target.start_byte) if root is not None else None
    if access is not None and access.root_kind == "receiver" and access.method is not None and (
            access.held_on_entry or ix.callers_hold_lock(access.method)):
        return None  # the caller holds the receiver's own (write) lock
    if access is not None and ix.only_one_goroutine(access):
        return None  # the field is touched by one goroutine only (a run loop's sole writer): no reader to race
    for lock in sorted(held):
        if _same_root(lock, root):
            return lock, "same object"
    for lock in sorted(held):
        if sharing.how == "package" and "." not in lock:
            return lock, "package-level lock and variable"
    if access is not None:
        for lk in access.locks:
            evidence = ix.guard_evidence(access.key, lk.guard, access.decl_key)
            if lk.mode == "R" and len({a.decl_key for a in evidence}) >= 2:
                return lk.text, "inferred"
    return None
