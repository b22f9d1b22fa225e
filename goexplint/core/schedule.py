"""Work split below the package: the files of one big package linted by several processes.

``engine.lint_files`` hands work out by directory: a directory's packages are parsed and modelled once,
in one process.  A run dominated by one big package (a 450-file ``cmd`` package, or a one-package run)
would then use one core whatever ``-j`` says.  Such a directory is *split* (``to_split``), in the main
process:

1. its files are read (valid cached results are taken) and parsed once, here;
2. the package facts the rules need are made here, before any worker exists -- the package providers
   (``core.providers``, PACKAGE scope, no arguments) in the closure of the enabled rules' ``REQUIRES``
   that are built from a per-file part (a KEPT provider: the field index from ``fields.file_names``,
   the model from ``package.file_part``...).  A per-file part declared persistent (plain, picklable
   data) and not known yet (nor in the per-file facts store) is computed by worker processes and handed
   back (``Provider.remember``); the package fact is then merged here from the parts, while the package
   facts built from no such part are made here while the workers run;
3. the files are linted in chunks (consecutive files) by worker processes forked from this one, which
   inherit the parsed package and its facts (copy-on-write; the cyclic GC's objects are frozen first,
   so the workers' collections do not copy every page); results are put back in file order.

A file is linted exactly as it would be in one process: with the same package, the same facts (a package
fact is a function of the package whichever file asks for it first) and its own per-file memos, so the
findings do not depend on ``-j`` or on where the chunks are cut.  Package facts with arguments, and those
not built from per-file parts, stay lazy: each worker makes them when a file asks (as one process would,
in the same wall time; made here they might be made for nothing).

Splitting needs the ``fork`` start method (Linux, macOS); without it (Windows) nothing is split and every
directory is linted in one process, as before.
"""

from __future__ import annotations

import gc
import inspect
import os
import pickle
import time
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Set, Tuple

from goexplint.core import providers
from goexplint.core.parse import PackageFiles, activate

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
# (concurrent.futures and multiprocessing are imported where a pool is made: a -j1 run never needs them)

# A directory is split when its bytes are more than SPLIT_SHARE of one worker's fair share of the run
# (total bytes / jobs): a directory that big finishes after all the others however the rest is handed
# out, while smaller ones are balanced by handing out the largest directories first.
SPLIT_SHARE = 1.0
# ... and when it has at least this many files to lint per job (fewer: forking costs more than it saves).
SPLIT_MIN_FILES_PER_JOB = 4
# Work is handed out in chunks of about 1/(CHUNK_SHARE * jobs) of what is left (``chunks``).
CHUNK_SHARE = 3


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def to_split(sizes: Dict[int, int], files: Dict[int, int], jobs: int) -> Set[int]:
    """The tasks (by number) to split, given each one's bytes and file count."""
    if jobs <= 1 or not can_fork():
        return set()
    total = sum(sizes.values())
    return {t for t, size in sizes.items()
            if size > SPLIT_SHARE * total / jobs and files.get(t, 0) >= SPLIT_MIN_FILES_PER_JOB * jobs}


def chunks(items: Sequence[int], sizes: Sequence[int], jobs: int) -> List[List[int]]:
    """``items`` in chunks to hand out to ``jobs`` workers in turn, the largest first: each chunk holds
    about 1/(CHUNK_SHARE * jobs) of the bytes (``sizes``, one per item) not yet in a chunk, taking the
    largest items first (guided self-scheduling: few chunks, and small ones at the end, where they even
    out the workers' finishing times)."""
    order = sorted(range(len(items)), key=lambda k: (-sizes[k], k))
    left = sum(sizes)
    out: List[List[int]] = []
    at = 0
    while at < len(order):
        target = left / (CHUNK_SHARE * jobs)
        chunk, got = [], 0
        while at < len(order) and (not chunk or got + sizes[order[at]] <= target):
            chunk.append(items[order[at]])
            got += sizes[order[at]]
            at += 1
        left -= got
        out.append(sorted(chunk))
    return out


# ------------------------------------------------------------------------------- package facts first
def _argless(p: providers.Provider) -> bool:
    try:
        return len(inspect.signature(p.fn).parameters) == 1
    except (TypeError, ValueError):
        return False


Providers = List[providers.Provider]


def package_facts(requires: Sequence[providers.Provider]) -> Tuple[Providers, Providers]:
    """(package providers to make before linting, the per-file providers some of them are built from): the
    package providers without arguments in the closure of ``requires``, and the per-file (KEPT) providers
    without arguments that they require, dependencies first (those made on demand aside: their package
    fact asks for them file by file, as its questions need)."""
    targets: List[providers.Provider] = []
    parts: List[providers.Provider] = []
    for p in providers.closure(requires):
        if p.scope != providers.PACKAGE or not _argless(p):
            continue
        targets.append(p)
        parts.extend(r for r in p.requires
                     if r.scope == providers.KEPT and _argless(r) and not r.on_demand and r not in parts)
    return targets, parts


# The state the forked workers inherit: set in the main process just before a pool is made.
_STATE: Dict[str, object] = {}


def _parts_of(package_index: int, names: Sequence[str], file_indexes: Sequence[int]) -> Optional[bytes]:
    """Worker: the answers of the per-file providers ``names`` for files ``file_indexes`` of a package,
    pickled ((name, file index) -> answer); None for answers that do not pickle."""
    pkgs: List[PackageFiles] = _STATE["packages"]  # type: ignore[assignment]
    files = pkgs[package_index].files
    table = providers.registered()
    out: Dict[Tuple[str, int], object] = {}
    resident: Optional[providers.Resident] = _STATE.get("resident")  # type: ignore[assignment]
    for i in file_indexes:
        f = files[i]
        with activate(f):
            for name in names:
                out[(name, i)] = table[name](f)
        if resident is not None:
            resident.settle()
    try:
        return pickle.dumps(out, pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None


def _shippable(p: providers.Provider) -> bool:
    """Whether workers can make ``p``'s answers and hand them back: it is declared persistent (plain,
    picklable data, as the per-file facts store keeps it)."""
    return p.scope == providers.KEPT and bool(getattr(p, "persistent", False)) and _argless(p)


def make_package_facts(pkgs: Sequence[PackageFiles], targets: Sequence[providers.Provider],
                       parts: Sequence[providers.Provider], jobs: int, pool: Callable[[], ProcessPoolExecutor],
                       abandon: Callable[[ProcessPoolExecutor], None], meanwhile: Callable[[], None],
                       resident: Optional[providers.Resident] = None) -> None:
    """Make ``targets`` for every package of ``pkgs``: first the package providers the per-file ``parts``
    require (here), then the parts whose answers pickle, for every file (workers); meanwhile the targets
    built from none of those (here: once, not once per linting worker), and ``meanwhile()``; then the
    other targets (here, from the parts handed back).  ``resident``: a big package's trees, freed as the
    workers go (``providers.Resident``)."""
    shipped: List[Set[str]] = []
    work: List[Tuple[int, List[str], List[int]]] = []
    for n, pkg in enumerate(pkgs):
        first = pkg.files[0]
        for k in parts:
            for r in providers.closure(k.requires):
                if r.scope == providers.PACKAGE and _argless(r):
                    with activate(first):
                        r(first)
        by_files: Dict[Tuple[int, ...], List[str]] = {}  # the parts missing for the same files go together
        for k in parts:
            if _shippable(k):
                missing = tuple(i for i, f in enumerate(pkg.files) if not k.known(f))
                if missing:
                    by_files.setdefault(missing, []).append(k.name)
        shipped.append({name for names in by_files.values() for name in names})
        for missing, names in by_files.items():
            for chunk in chunks(list(missing), [len(pkg.files[i].source) for i in missing], jobs):
                work.append((n, names, chunk))

    def make(later: bool) -> None:
        for n, pkg in enumerate(pkgs):
            first = pkg.files[0]
            with activate(first):
                for p in targets:
                    if later or not any(r.name in shipped[n] for r in providers.closure(p.requires)):
                        p(first)

    if sum(len(c) for _, _, c in work) < 2:
        meanwhile()
        make(True)
        return
    _STATE["packages"] = list(pkgs)
    _STATE["resident"] = resident
    executor = pool()
    try:
        futures = [(n, executor.submit(_parts_of, n, names, chunk)) for n, names, chunk in work]
        meanwhile()
        make(False)
        table = providers.registered()
        for n, fut in futures:
            blob = fut.result()
            if blob is not None:  # (None: some answer did not pickle; made here when needed)
                for (name, i), value in pickle.loads(blob).items():
                    table[name].remember(pkgs[n].files[i], value)
    except BaseException:  # Ctrl-C above all: stop the workers at once
        abandon(executor)
        raise
    finally:
        _STATE.clear()
    executor.shutdown(wait=True)
    make(True)


# ------------------------------------------------------------------------------------------- the pool
def fork_pool(jobs: int, initializer: Callable[[], None]) -> ProcessPoolExecutor:
    """A pool of ``jobs`` workers forked from this process now (they see its state as it is)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    frozen = gc.get_freeze_count() == 0
    gc.collect()
    gc.freeze()  # workers leave the inherited objects alone (no copy of every page by their first collection)
    try:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=initializer)
        # the workers are forked at the first submit: start them now, while the state is the one wanted
        pool.submit(os.getpid).result()
    finally:
        if frozen:
            gc.unfreeze()
    return pool


def timed(fn: Callable[[], object]) -> Tuple[object, float]:
    t0 = time.perf_counter()
    got = fn()
    return got, time.perf_counter() - t0
