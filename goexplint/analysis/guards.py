"""Guarded-by inference over the field-access index: which lock guards a field, with what evidence.

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
from typing import Dict, FrozenSet, List, Optional, Tuple

from goexplint.analysis.fields import Access, index
from goexplint.analysis.syntax import files_having
from goexplint.core.parse import FileContext
from goexplint.core.providers import PACKAGE, provider

MIN_GUARDED = 3
MIN_FUNCS = 2
MIN_SHARE = 0.6


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


def counts_for_guard(a: Access) -> bool:
    """The access counts, guarded or not, in the inference of its field's guard: not in a constructor,
    ``init`` or a test file, not atomic, and through a receiver, a parameter or a package variable."""
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


def _held_enough(lock: Tuple[str, str], sites: List[Access]) -> bool:
    """``lock`` is held at enough accesses (``sites``), in enough functions, one of them a write under it."""
    if len(sites) < MIN_GUARDED or len({a.decl_key for a in sites}) < MIN_FUNCS:
        return False
    return any(a.is_write and any(lk.guard == lock and lk.mode == "W" for lk in a.locks) for a in sites)


@provider(scope=PACKAGE, requires=(index,))
def inferred_guard(ctx: FileContext, key: Tuple[str, str]) -> Optional[Guard]:
    """The lock inferred to guard the field or package variable ``key`` of the field-access index, with
    the accesses that hold it; None when no lock meets the thresholds (see the module docstring)."""
    ix = index(ctx)
    # a guard is a lock the key's accesses take themselves (``fields.takes_lock``): those accesses are found by
    # walking only the declarations that take a lock (``FieldIndex.of_locking``); when no lock is held at enough
    # of them, the key has no guard whatever its other accesses are, and no file is walked whole for it
    by_lock: Dict[Tuple[str, str], List[Access]] = {}
    for a in ix.of_locking(key):
        if counts_for_guard(a):
            for lk in {lk.guard for lk in _owned_locks(a)}:
                by_lock.setdefault(lk, []).append(a)
    if not any(_held_enough(lock, sites) for lock, sites in by_lock.items()):
        return None
    counted = [a for a in ix.of(key) if counts_for_guard(a)]
    # accesses in functions that start with the receiver's lock held (…Locked, every caller locks)
    entry = [a for a in counted if a.key[0] != "" and not any(True for _ in _owned_locks(a)) and (
        a.held_on_entry or (a.method is not None and a.root_kind == "receiver" and ix.callers_hold_lock(a.method)))]
    best = None
    for lock, sites in sorted(by_lock.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if not _held_enough(lock, sites):
            continue
        if len(sites) + (len(entry) if lock[0] != "" else 0) < MIN_SHARE * len(counted):
            continue
        best = Guard(key, lock, tuple(sites), len(counted))
        break
    return best


@provider(scope=PACKAGE, requires=(files_having,))
def package_takes_locks(ctx: FileContext) -> bool:
    """Some file of the package has the text of a ``Lock()`` or ``RLock()`` call: without one no access
    holds a lock, so no guard can be inferred (and the field-access index need not be built for it)."""
    return files_having(ctx, b"Lock(") > 0


# A run that lints at most one in this many files of a package (one edited file, a pre-commit hook) looks up
# the guards of its files' writes one by one; one that lints more finds the package's guarded keys once
# (``guarded_keys``: every file that takes a lock is summarised) and skips the files that name none of them.
FEW_FILES_SHARE = 8


def may_write_guarded(ctx: FileContext) -> bool:
    """The file may write a key that has an inferred guard (False: none of its writes can go without one).
    Only a short cut: True is always a safe answer, and the answer never changes what is reported."""
    pkg = ctx.package
    linting = pkg.linting if pkg.linting is not None else len(pkg.files)
    if linting * FEW_FILES_SHARE <= len(pkg.files):
        return True  # few of the package's files are linted: their writes' guards are looked up one by one
    return index(ctx).may_access(ctx.path, guarded_keys(ctx))


@provider(scope=PACKAGE, requires=(index, inferred_guard))
def guarded_keys(ctx: FileContext) -> FrozenSet[Tuple[str, str]]:
    """The keys of the field-access index that have an inferred guard.  A guard is a lock taken (write or
    read mode) at some of the key's accesses, so only keys accessed under a lock taken with ``X.Lock()`` or
    ``X.RLock()`` are candidates (``FieldIndex.locked_keys``)."""
    ix = index(ctx)
    return frozenset(k for k in ix.locked_keys() if inferred_guard(ctx, k) is not None)
