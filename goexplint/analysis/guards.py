"""Guarded-by inference over the field-access index (GXL210, and GXL206's lock ownership).

For each key of :mod:`goexplint.analysis.fields` (a field of a package struct, a package-level
variable) the guard is the lock held at most of its accesses: for a field of ``T`` reached through
``x``, a lock rooted at the same ``x`` (``x.mu``, or ``x.Lock()`` of an embedded mutex); for a package
variable, a package-level lock.  A guard is *inferred* when at least three accesses in at least two
functions hold it, at least one of them a write under the write lock, and at least 60% of the
accesses that count hold it.  Accesses in constructors (functions that build a ``T``), ``init``, test
files and through locals (fresh or fetched objects) do not count either way.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional, Tuple

from goexplint.analysis.fields import SETUP_NAME, Access, FieldIndex, index
from goexplint.core.parse import FileContext

MIN_GUARDED = 3
MIN_FUNCS = 2
MIN_SHARE = 0.6
_OPS = {"write": "written", "rmw": "updated in place"}


@dataclasses.dataclass(frozen=True)
class Guard:
    key: Tuple[str, str]
    lock: Tuple[str, str]  # the lock's guard key: ("T", "mu"), ("T", "") embedded, ("", "regMu")
    sites: Tuple[Access, ...]  # accesses that hold it
    counted: int  # accesses that count (guarded or not)

    @property
    def funcs(self) -> List[str]:
        out: List[str] = []
        for a in self.sites:
            if a.func not in out:
                out.append(a.func)
        return out


def _counts(a: Access) -> bool:
    return not (a.constructs or a.init or a.test or a.atomic) and a.root_kind in ("receiver", "param", "package")


def _owned_locks(a: Access):
    for lk in a.locks:
        if lk.mode not in ("W", "R") or lk.guard[1] == "*":
            continue
        if a.key[0] == "":
            if lk.guard[0] == "":
                yield lk
        elif lk.guard[0] == a.key[0] and lk.root == a.root:
            yield lk


def inferred_guard(ix: FieldIndex, key: Tuple[str, str]) -> Optional[Guard]:
    cache = ix.__dict__.setdefault("_guards", {})
    if key in cache:
        return cache[key]
    counted = [a for a in ix.of(key) if _counts(a)]
    by_lock: Dict[Tuple[str, str], List[Access]] = {}
    for a in counted:
        for lk in {lk.guard for lk in _owned_locks(a)}:
            by_lock.setdefault(lk, []).append(a)
    # accesses in functions that start with the receiver's lock held (…Locked, every caller locks)
    entry = [a for a in counted if a.key[0] != "" and not any(True for _ in _owned_locks(a)) and (
        a.held_on_entry or (a.method is not None and a.root_kind == "receiver" and ix.callers_hold_lock(a.method)))]
    best = None
    for lock, sites in sorted(by_lock.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        writes = [a for a in sites if a.is_write and any(lk.guard == lock and lk.mode == "W" for lk in a.locks)]
        if len(sites) < MIN_GUARDED or len({a.decl_key for a in sites}) < MIN_FUNCS or not writes:
            continue
        if len(sites) + (len(entry) if lock[0] != "" else 0) < MIN_SHARE * len(counted):
            continue
        best = Guard(key, lock, tuple(sites), len(counted))
        break
    cache[key] = best
    return best


@dataclasses.dataclass
class Unguarded:
    access: Access
    guard: Guard
    guard_text: str
    guard_lock: str
    funcs: str
    count: int
    op: str
    confidence: Optional[str]
    evidence: str


def _lock_text(guard: Tuple[str, str], root: str) -> Tuple[str, str]:
    """(how the guard is named in the message, the call to take it)."""
    owner, path = guard
    if owner == "":
        return path, "%s.Lock()" % path
    if path == "":
        return "%s's embedded mutex" % root, "%s.Lock()" % root
    return "%s.%s" % (root, path), "%s.%s.Lock()" % (root, path)


def _package_locks(ctx: FileContext) -> bool:
    """Some file of the package has the text of a ``Lock()`` or ``RLock()`` call: without one no access
    holds a lock (``_owned_locks``), so no guard can be inferred and the index need not be built."""
    got = ctx.package.cache.get("guards.package_locks")
    if got is None:
        got = ctx.package.cache["guards.package_locks"] = any(b"Lock(" in f.source for f in ctx.package.files)
    return got


def unguarded_writes(ctx: FileContext) -> List[Unguarded]:
    key = ("unguarded_writes",)
    found = ctx.cache.get(key)
    if found is not None:
        return found
    found = []
    if not _package_locks(ctx):
        ctx.cache[key] = found  # no Lock()/RLock() call in the package: no guard can be inferred
        return found
    ix = index(ctx)
    for a in ix.in_file(ctx.path):
        if not a.is_write or not _counts(a) or a.locks or a.held_on_entry or a.after_wait:
            continue
        if a.root_kind == "param" or "stored" in a.roles or a.fresh_value or SETUP_NAME.match(a.func):
            continue  # an object handed in, a hook whose caller we cannot see, (re)initialisation
        g = inferred_guard(ix, a.key)
        if g is None:
            continue
        if a.method is not None:
            calls = ix.calls.get(a.method, [])
            if ix.callers_hold_lock(a.method) or ix.some_caller_holds_lock(a.method, g.lock):
                continue  # the caller takes the lock
            if not calls and not a.method[1][:1].isupper() and not ix.runs_concurrently(a):
                continue  # an unexported method nobody here calls: we cannot see its context
        guard_text, guard_lock = _lock_text(g.lock, a.root)
        funcs = g.funcs
        names = " and ".join(funcs[:2]) if len(funcs) <= 2 else "%s, %s and %d more" % (funcs[0], funcs[1],
                                                                                        len(funcs) - 2)
        exported = a.method is not None and a.method[1][:1].isupper()
        concurrent = ix.runs_concurrently(a)
        if not (exported or concurrent or a.key[0] == ""):
            continue  # an unexported method not known to run concurrently: its callers usually hold the lock
        confidence = None
        evidence = "guarded %d of %d accesses by %s in %d functions; unguarded %s here%s" % (
            len(g.sites), g.counted, guard_text, len(funcs), a.kind,
            "; runs as " + "/".join(sorted(a.roles)) if a.roles else "")
        found.append(Unguarded(a, g, guard_text, guard_lock, names, len(g.sites), _OPS[a.kind], confidence, evidence))
    found.sort(key=lambda u: u.access.start)
    ctx.cache[key] = found
    return found
