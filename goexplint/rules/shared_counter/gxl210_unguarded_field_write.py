"""GXL210: a write without the lock that guards the field everywhere else (guarded-by inference).

The guard of a field is the fact of :func:`goexplint.analysis.guards.inferred_guard`; this module
decides which writes of the file, made with no lock held, are reported against it.
"""

from typing import Tuple

from goexplint.analysis.fields import SETUP_NAME, Access, FieldIndex, index
from goexplint.analysis.guards import (Guard, counts_for_guard, guarded_keys, inferred_guard, may_write_guarded,
                                       package_takes_locks)

REQUIRES = (index, inferred_guard, guarded_keys, package_takes_locks)

OPS = {"write": "written", "rmw": "updated in place"}


def _lock_text(guard: Tuple[str, str], root: str) -> Tuple[str, str]:
    """(how the guard is named in the message, the call to take it)."""
    owner, path = guard
    if owner == "":
        return path, "%s.Lock()" % path
    if path == "":
        return "%s's embedded mutex" % root, "%s.Lock()" % root
    return "%s.%s" % (root, path), "%s.%s.Lock()" % (root, path)


def _unguarded(ctx, ix: FieldIndex, a: Access):
    """The inferred guard that the write ``a`` goes without, when it is reported; else None."""
    if not a.is_write or not counts_for_guard(a) or a.locks or a.held_on_entry or a.after_wait:
        return None
    if a.root_kind == "param" or "stored" in a.roles or a.fresh_value or SETUP_NAME.match(a.func):
        return None  # an object handed in, a hook whose caller we cannot see, (re)initialisation
    g = inferred_guard(ctx, a.key)
    if g is None:
        return None
    if a.method is not None:
        calls = ix.calls_of(a.method)
        if ix.callers_hold_lock(a.method) or ix.some_caller_holds_lock(a.method, g.lock):
            return None  # the caller takes the lock
        if not calls and not a.method[1][:1].isupper() and not ix.runs_concurrently(a):
            return None  # an unexported method nobody here calls: we cannot see its context
    exported = a.method is not None and a.method[1][:1].isupper()
    if not (exported or ix.runs_concurrently(a) or a.key[0] == ""):
        return None  # an unexported method not known to run concurrently: its callers usually hold the lock
    return g


def _report(match, root, a: Access, g: Guard):
    guard_text, guard_lock = _lock_text(g.lock, a.root)
    funcs = g.funcs
    names = " and ".join(funcs[:2]) if len(funcs) <= 2 else "%s, %s and %d more" % (funcs[0], funcs[1],
                                                                                    len(funcs) - 2)
    evidence = "guarded %d of %d accesses by %s in %d functions; unguarded %s here%s" % (
        len(g.sites), g.counted, guard_text, len(funcs), a.kind,
        "; runs as " + "/".join(sorted(a.roles)) if a.roles else "")
    node = root.descendant_for_byte_range(a.start, a.end)
    return match.finding(node, confidence=None, evidence=evidence, var=a.text, guard=guard_text, funcs=names,
                         n=len(g.sites), func=a.func, op=OPS[a.kind], guard_lock=guard_lock)


def refine(match, ctx):
    if not package_takes_locks(ctx):
        return  # no Lock()/RLock() call in the package: no guard can be inferred
    ix = index(ctx)
    if not may_write_guarded(ctx):
        return  # the file names no field or variable that has a guard: none of its writes can go without one
    found = []
    for a in ix.in_file(ctx.path):
        g = _unguarded(ctx, ix, a)
        if g is not None:
            found.append((a, g))
    found.sort(key=lambda ag: ag[0].start)
    for a, g in found:
        yield _report(match, match["file"], a, g)
