"""The engine: stages 1-6 in order.  Reporters (stage 7) are picked by the CLI.

``lint_source`` is a pure function of (path, bytes, options) -- the CLI, the
pre-commit hook and the language server all go through it.  ``lint_files``
adds file reading and a process pool (discovery is ``discover.discover``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import signal
import threading
import time
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from goexplint.core import goversion
from goexplint.core import package as package_mod
from goexplint.core import providers
from goexplint.core import schedule
from goexplint.core import suppress
from goexplint.core.cache import FactsStore, ResultCache
from goexplint.core.discover import is_generated
from goexplint.core.data import Finding, Notice
from goexplint.core.parse import FileContext, PackageFiles, activate, close_all, first_syntax_error, parse_bytes
from goexplint.core.query import prepare as prepare_queries, refine_matches, rule_matches
from goexplint.core.requery import QueryMemo
from goexplint.core.registry import Rule, rules_by_id

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


# --max-file-size / config max-file-size default (MB, 1 MB = 1,000,000 bytes).  Memory grows with the
# syntax nodes of a file, up to about 300 bytes per byte of dense code (measured peak RSS of one file of
# small functions: 1.99 MB -> 576 MB; 5.6 MB -> 1.04 GB when the time budget stopped it); the largest
# files of the standard library (opGen.go, 3.0 MB: 360 MB) and of the tuning repositories (2.4 MB) are
# generated; the largest hand-written ones are under 0.7 MB.
DEFAULT_MAX_FILE_MB = 2.0


@dataclasses.dataclass(frozen=True)
class Options:
    rule_ids: Tuple[str, ...]
    go_version: Optional[str] = None  # --go-version override
    report_unused: bool = False
    include_generated: bool = False
    environ: Tuple[Tuple[str, str], ...] = ()  # the GOEXPERIMENT setting, captured once
    test_files: str = "note"  # _test.go files and the TEST_FILE_FAMILIES: "note" | "off" | "normal"
    file_timeout: float = 0.0  # CPU seconds of query+refine work per file before the rest is skipped (0: no limit)
    max_file_size: int = int(DEFAULT_MAX_FILE_MB * 1e6)  # bytes: a larger file is skipped, with a notice, before
    # it is parsed (0: no limit)

    @property
    def rules(self) -> List[Rule]:
        by_id = rules_by_id()
        return [by_id[i] for i in self.rule_ids]


DEFAULT_FILE_TIMEOUT = 10.0  # --file-timeout / config file-timeout default (CPU seconds)

# The clock of the per-file budget (tests replace it with a fake one): CPU time of this process, so a
# loaded machine (other jobs, -j on few cores) does not cut files short.  Checked only between matches.
_clock = time.process_time


class _Budget:
    """The per-file budget: checked between matches (never inside a refine step), so a file that runs
    out keeps the findings made so far and the notice names the rule that was running."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = _clock() + seconds if seconds > 0 else None
        # Reading the CPU clock is a system call, and the budget is checked between any two matches
        # (1.4 million times on the standard library).  A process cannot use more CPU time than wall
        # time passes while it runs one thread, so until the budget has passed on the cheap wall clock
        # there is no need to read the CPU clock (a replaced clock, in tests, is always read).
        self.wall_deadline = time.perf_counter() + seconds if _clock is time.process_time else 0.0
        self.spent_in: Optional[str] = None  # the rule id running when the budget ran out
        self.exempt_seconds = 0.0  # wall seconds of package work (``exempt``), for --profile-rules
        self._exempt_depth = 0

    @contextlib.contextmanager
    def exempt(self) -> Iterator[None]:
        """Package work (``FileContext.package_work``): the deadline moves by the time it takes."""
        self._exempt_depth += 1
        start, wall = _clock(), time.perf_counter()
        try:
            yield
        finally:
            self._exempt_depth -= 1
            if self._exempt_depth == 0:
                if self.deadline is not None:
                    self.deadline += _clock() - start
                self.exempt_seconds += time.perf_counter() - wall

    def over(self, rule_id: str) -> bool:
        if self.spent_in is not None:
            return True
        if self.deadline is None or time.perf_counter() < self.wall_deadline:
            return False
        if _clock() > self.deadline:
            self.spent_in = rule_id
            return True
        return False


# Families whose findings in _test.go files follow ``Options.test_files`` (config ``test-files``):
# a test that waits forever fails by its own timeout, so these are notes (or nothing) there.
TEST_FILE_FAMILIES = ("context-timeout",)


@dataclasses.dataclass
class FileResult:
    findings: List[Finding]
    notices: List[Notice]
    linted: bool
    cached: bool = False  # came from the result cache
    timings: Optional[Dict[str, float]] = None  # --profile-rules: seconds per stage / rule id
    skipped: str = ""  # not linted: why (a notice kind, "generated" or "too-large")


@dataclasses.dataclass
class RunResult:
    findings: List[Finding]  # sorted, suppressed ones included (``suppressed`` set)
    notices: List[Notice]
    files: int  # files linted
    skipped: int  # files skipped (generated, unreadable, binary...)
    cached: int = 0  # files whose result came from the cache
    timings: Optional[Dict[str, float]] = None  # --profile-rules totals
    skip_reasons: Dict[str, int] = dataclasses.field(default_factory=dict)  # why -> files (sums to ``skipped``)


def environ_options() -> Tuple[Tuple[str, str], ...]:
    return tuple((k, os.environ[k]) for k in ("GOEXPERIMENT",) if k in os.environ)


def check_source(path: str, source: bytes) -> Optional[Notice]:
    """A one-line notice when the bytes are not lintable Go text."""
    if not source.strip():
        return Notice(path, "empty", "empty file, nothing to lint", level="note")
    if b"\0" in source:
        return Notice(path, "binary", "binary file (NUL bytes), skipped")
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = source.count(b"\n", 0, exc.start) + 1
        return Notice(path, "not-utf8", "not valid UTF-8 (byte 0x%02x on line %d), skipped: Go source must be UTF-8"
                      % (source[exc.start], line), row=line - 1)
    return None


def too_large(path: str, size: int, options: Options) -> Optional[FileResult]:
    """The result of a file above ``options.max_file_size``: skipped before it is parsed, one notice."""
    if not options.max_file_size or size <= options.max_file_size:
        return None
    return FileResult([], [Notice(path, "too-large", "%.1f MB, above the %g MB limit per file, skipped before "
                                  "parsing (memory grows with the file); --max-file-size 0 lints it"
                                  % (size / 1e6, options.max_file_size / 1e6))], False, skipped="too-large")


def lint_source(path: str, source: bytes, options: Options, real_path: Optional[str] = None,
                tree=None, timings: Optional[Dict[str, float]] = None,
                ctx: Optional[FileContext] = None,
                buffers: Optional[Dict[str, FileContext]] = None,
                memo: Optional[QueryMemo] = None) -> FileResult:
    """Lint one file's bytes.  ``path`` is what findings show; ``real_path`` locates go.mod.
    ``tree`` is an already parsed tree of exactly these bytes (the language server re-parses
    edited buffers incrementally and passes its tree).  ``ctx`` is an already built context of
    exactly these bytes whose ``package`` is set (``lint_files`` parses a package once and lints
    each file with its context); without it the package is loaded lazily from disk, with
    ``buffers`` (real path -> context of an open editor buffer) replacing disk files.  ``timings``
    (a dict) collects the seconds spent parsing, per rule (query + refine) and in suppression
    handling.  ``memo`` (one per editor buffer, kept between lints) lets the query re-run only over
    the top-level declarations changed since the buffer's last lint (``core.requery``)."""
    clock = time.perf_counter if timings is not None else None
    bad = check_source(path, source)
    if bad is not None:
        return FileResult([], [bad], False, skipped=bad.kind)
    if not options.include_generated and is_generated(source):
        return FileResult([], [], False, skipped="generated")
    big = too_large(path, len(source), options)
    if big is not None:
        return big
    notices: List[Notice] = []
    if ctx is not None:
        tree = ctx.tree
    if tree is None:
        t0 = clock() if clock else 0.0
        tree = parse_bytes(source)
        if clock:
            timings["(parse)"] = timings.get("(parse)", 0.0) + clock() - t0
    err = first_syntax_error(tree.root_node)
    if err is not None:
        row, col = err.start_point
        what = "missing %s" % err.type if err.is_missing else "syntax error"
        notices.append(Notice(path, "parse-error", "%s at %d:%d; linted the parts that parse"
                              % (what, row + 1, col + 1), level="note", row=row, col=col))
    made = ctx is None
    if made:
        version = goversion.resolve(real_path or path, source, override=options.go_version,
                                    environ=dict(options.environ))
        ctx = FileContext(path, source, tree, version, real_path=real_path)
        ctx.package_loader = functools.partial(package_mod.load, ctx, options.go_version, options.environ, buffers,
                                               options.include_generated, options.max_file_size)
    try:
        with activate(ctx):
            findings = _lint_context(ctx, options, notices, timings, memo)
    finally:
        if made:
            ctx.close()  # (made here and seen by no one else: its memos go now, not in the cyclic collector's time)
    findings.sort(key=Finding.sort_key)
    return FileResult(findings, notices, True, timings=timings)


def _lint_context(ctx: FileContext, options: Options, notices: List[Notice],
                  timings: Optional[Dict[str, float]], memo: Optional[QueryMemo] = None) -> List[Finding]:
    """Stages 4-6 on one parsed file (``ctx`` is active, see ``parse.activate``)."""
    clock = time.perf_counter if timings is not None else None
    enabled = options.rules
    findings: List[Finding] = []
    active = _active_rules(ctx, options, enabled)  # (rule, assumed): the rules that run on this file
    # Rules that say the file has nothing for them (``applies``) stay in the query -- one compiled query
    # for every file of a Go version, rather than one per combination -- but their matches are dropped.
    # The query runs first: its traversal also answers the whole-file queries (``core.filequeries``) that the
    # ``applies`` tests and refine steps read.
    budget = ctx.budget = _Budget(options.file_timeout)
    t0 = clock() if clock else 0.0
    per_rule = rule_matches([r for r, _ in active], ctx, memo)
    if clock:
        timings["(query)"] = timings.get("(query)", 0.0) + clock() - t0
    t0 = clock() if clock else 0.0
    idle = []
    for rule, _ in active:
        providers.consumer(rule.id)
        idle.append(rule.applies is not None and not rule.applies(ctx))
    if clock:
        _charge(timings, "(applies)", clock() - t0, budget.exempt_seconds)  # package work when a test needs it
    ran = None  # the last rule that started
    for (rule, assumed), matches, skip in zip(active, per_rule, idle):
        if skip:
            continue
        if budget.over(rule.id):
            break
        ran = rule.id
        t0 = clock() if clock else 0.0
        package_before = budget.exempt_seconds
        providers.consumer(rule.id)
        found = refine_matches(rule, ctx, _within(budget, rule.id, matches), assumed)
        if ctx.is_test and rule.family in TEST_FILE_FAMILIES and options.test_files != "normal":
            found = (dataclasses.replace(f, severity="note") for f in found)
        findings.extend(found)
        if clock:
            _charge(timings, rule.id, clock() - t0, budget.exempt_seconds - package_before)
    ctx.budget = None
    report_unused = options.report_unused
    if budget.spent_in is not None:
        skipped = [r.id for r, _ in active]
        skipped = skipped[skipped.index(budget.spent_in):]
        n_later = len(skipped) - 1
        later = " and %d later rule%s" % (n_later, "" if n_later == 1 else "s") if n_later else ""
        # checked between matches: the budget may have run out in the last match of the rule before
        during = " (it ran out during %s)" % ran if ran is not None and ran != budget.spent_in else ""
        notices.append(Notice(ctx.path, "timeout", "analysis stopped in rule %s after the %gs budget per file "
                              "(--file-timeout)%s: the rest of %s%s skipped in this file, findings so far kept"
                              % (budget.spent_in, budget.seconds, during, budget.spent_in, later)))
        report_unused = False  # the rules that did not finish would make suppressions look unused
    t0 = clock() if clock else 0.0
    findings = suppress.apply(ctx, findings, enabled, report_unused, notices)
    if clock:
        timings["(suppress)"] = timings.get("(suppress)", 0.0) + clock() - t0
    return findings


def _active_rules(ctx: FileContext, options: Options, enabled: Sequence[Rule]) -> List[Tuple[Rule, bool]]:
    """(rule, assumed) for the rules of ``enabled`` that run on ``ctx`` (its Go version and test-file
    setting allow them); ``assumed``: allowed only by assuming legacy loop semantics."""
    version = ctx.go
    lang = version.lang
    active = []
    for rule in enabled:
        if not rule.query_source:
            continue  # engine-made rule (GXL000)
        verdict = rule.gate_allows(lang, version.per_iteration_loops)
        if verdict is False:
            continue
        if ctx.is_test and rule.family in TEST_FILE_FAMILIES and options.test_files == "off":
            continue
        active.append((rule, verdict is None))
    return active


def _charge(timings: Dict[str, float], stage: str, seconds: float, package: float) -> None:
    """--profile-rules: ``seconds`` of ``stage``, of which ``package`` went to package-wide work."""
    timings[stage] = timings.get(stage, 0.0) + seconds - package
    if package:
        timings["(package)"] = timings.get("(package)", 0.0) + package


def _within(budget: _Budget, rule_id: str, matches):
    for match in matches:
        if budget.over(rule_id):
            return
        yield match


_CACHES: Dict[str, ResultCache] = {}  # one per cache directory per process
_STORES: Dict[str, FactsStore] = {}  # the per-file facts stores, likewise


def _read(real: str, shown: str):
    try:
        with open(real, "rb") as fh:
            return fh.read(), None
    except OSError as exc:
        return None, FileResult([], [Notice(shown, "unreadable", "cannot read: %s" % (exc.strerror or exc))], False,
                                skipped="unreadable")


@dataclasses.dataclass
class _Prepared:
    """One directory's files ready to lint: what is already decided (unreadable, too large, a valid cached
    result: ``results``) and what is left (``todo``: indexes into ``pairs``, with their bytes in ``sources``)."""
    directory: str
    pairs: Sequence[Tuple[str, str]]
    results: List[Optional[FileResult]]
    sources: Dict[str, Tuple[str, bytes]]
    keys: Dict[int, str]
    todo: List[int]
    cache: Optional[ResultCache]
    store: Optional[FactsStore]  # the per-file facts store (None: --no-cache, --profile-rules)
    read: Dict[str, Tuple[bytes, str]]  # real path -> (bytes, sha256) of files the result cache read already


def _prepare(directory: str, pairs: Sequence[Tuple[str, str]], options: Options, cache_dir: Optional[str],
             profile: bool) -> _Prepared:
    """Read the files ``pairs`` ((real path, display path)) of one directory and take the valid results
    from the cache: files whose cached result is valid are neither parsed nor linted (unless a sibling
    needs them)."""
    results: List[Optional[FileResult]] = [None] * len(pairs)
    sources: Dict[str, Tuple[str, bytes]] = {}
    keys: Dict[int, str] = {}
    cache = None
    store = None
    if cache_dir and not profile:
        cache = _CACHES.get(cache_dir)
        if cache is None:
            cache = _CACHES[cache_dir] = ResultCache(cache_dir)
        store = _STORES.get(cache_dir)
        if store is None:
            store = _STORES[cache_dir] = FactsStore(cache_dir)
    todo: List[int] = []
    for i, (real, shown) in enumerate(pairs):
        source, failed = _read(real, shown)
        if failed is None and len(source) > options.max_file_size > 0:
            failed = lint_source(shown, source, options, real_path=real)  # too large (or skipped before that)
        if failed is not None:
            results[i] = failed
            continue
        if cache is not None:
            version = goversion.resolve(real, source, override=options.go_version, environ=dict(options.environ))
            keys[i] = cache.key(shown, real, source, options, version)
            hit = cache.get(keys[i])
            if isinstance(hit, FileResult):
                hit.cached = True
                results[i] = hit
                continue
        sources[real] = (shown, source)
        todo.append(i)
    read = cache.read_files(directory) if cache is not None else {}
    if not todo:
        read = {}  # (every result came from the cache: nothing is loaded, the bytes go now)
    return _Prepared(directory, pairs, results, sources, keys, todo, cache, store, read)


def _load(prep: _Prepared, options: Options, lazy: bool = False) -> Dict[str, FileContext]:
    """Parse the directory's packages once: real path -> context, for the files of ``prep.todo``
    (``lazy``: parsed when first asked, see ``_resident``)."""
    return package_mod.load_directory(prep.directory, prep.sources, options.go_version, options.environ,
                                      options.include_generated, options.max_file_size, prep.store, prep.read,
                                      lazy=lazy)


# A package of more bytes than this is linted with its trees freed as it goes (``providers.Resident``): the
# trees of a package take about 30 times its source (nats-server's biggest package, 11.9 MB, held 362 MB of
# trees), while its package facts are plain data.  Below it the trees (under about 250 MB) are kept: freeing
# them costs two more parses of every file and a parse of each one asked for again (minio's cmd, 7.6 MB:
# 269 -> 198 MiB but 13.2 -> 15.8 s with -j1), which only pays where the memory is the problem.  Tests set
# it lower.
BIG_PACKAGE_BYTES = 8_000_000


def _big(prep: _Prepared) -> bool:
    """The files to lint are a big package's worth (they are then loaded unparsed)."""
    return sum(len(src) for _, src in prep.sources.values()) > BIG_PACKAGE_BYTES


def _package_files(contexts: Dict[str, FileContext]) -> List[FileContext]:
    seen: Dict[int, FileContext] = {}
    for ctx in contexts.values():
        for f in ctx.package.files:
            seen[id(f)] = f
    return list(seen.values())


# The trees a big package keeps while it is linted: those of the files parsed last, up to this many bytes of
# their source (about 30 times as much in trees).  A tree asked for again soon (the callee's file, the next
# part of a file) is then often still there.
RESIDENT_BYTES = 2_000_000


def _resident(prep: _Prepared, contexts: Dict[str, FileContext]) -> Optional[providers.Resident]:
    """The resident trees of a big directory: when its files to lint are big, or, without the facts store
    (--no-cache), when its packages are (one file of a big package needs every sibling's parts, each
    made from its tree).  With the store, siblings' parts are read back, their trees never made, and
    making every part first would cost a one-file lint reads its rules do not need."""
    if not _big(prep) and prep.store is not None:
        return None
    files = _package_files(contexts)
    if _big(prep) or sum(len(f.source) for f in files) > BIG_PACKAGE_BYTES:
        return providers.Resident(files, RESIDENT_BYTES)
    return None


def _part_levels(parts: Sequence[providers.Provider]) -> Tuple[List[providers.Provider], List[providers.Provider]]:
    """The per-file parts of the package facts (``schedule.package_facts``) in two levels: those that need
    no package fact, then the others (the field summaries need the package model, built from the first)."""
    first = [p for p in parts if not any(q.scope == providers.PACKAGE for q in providers.closure(p.requires))]
    return first, [p for p in parts if p not in first]


def _parts_first(resident: providers.Resident, options: Options) -> None:
    """Make every file's per-file parts of the package facts one file at a time, freeing trees as it goes:
    the first level, then the second in the reverse order (the trees parsed last are still there)."""
    first, second = _part_levels(schedule.package_facts([p for r in options.rules for p in r.requires])[1])
    for level, files in ((first, resident.files), (second, resident.files[::-1])):
        if not level:
            continue
        for f in files:
            with activate(f):
                for p in level:
                    p(f)
            resident.settle()


def _lint_loaded(prep: _Prepared, contexts: Dict[str, FileContext], indices: Sequence[int], options: Options,
                 profile: bool, first_timings: Optional[Dict[str, float]] = None,
                 resident: Optional[providers.Resident] = None) -> None:
    """Lint the files ``indices`` of ``prep`` with their contexts, into ``prep.results`` (and the cache).
    ``first_timings`` (--profile-rules) start the timings of the first of them (the directory's parse)."""
    cache = prep.cache
    for n, i in enumerate(indices):
        real, shown = prep.pairs[i]
        timings = None
        if profile:
            timings = dict(first_timings) if n == 0 and first_timings else {}
        try:
            result = lint_source(shown, prep.sources[real][1], options, real_path=real, timings=timings,
                                 ctx=contexts.get(real))
        except RecursionError:
            result = FileResult([], [Notice(shown, "internal", "too deeply nested to analyse, skipped")], False,
                                skipped="internal")
        if cache is not None and not any(n.kind == "timeout" for n in result.notices):
            cache.put(prep.keys[i], result)  # (a result cut short by the budget is not kept: a later run may finish)
        prep.results[i] = result
        linted = contexts.get(real)
        if linted is not None:
            linted.release()  # this file's memos are done; its ``facts`` stay for its siblings
        if resident is not None:
            resident.settle(linted)  # (a big package: trees beyond the resident bytes go; plain facts stay)


def _lint_package(args: Tuple[str, Sequence[Tuple[str, str]], Options, Optional[str], bool]) -> List[FileResult]:
    """Lint the files ``pairs`` ((real path, display path)) of one directory: the directory's packages
    are parsed and modelled once, and every file is linted with its context from them.  Files whose
    cached result is valid are neither parsed nor linted (unless a sibling needs them)."""
    directory, pairs, options, cache_dir, profile = args
    prep = _prepare(directory, pairs, options, cache_dir, profile)
    if prep.todo:
        t0 = time.perf_counter()
        contexts = _load(prep, options, lazy=_big(prep))
        resident = _resident(prep, contexts)
        if resident is not None:
            _parts_first(resident, options)
        load_time = time.perf_counter() - t0
        # the whole directory, parsed once (a big one: its trees are freed as it goes)
        _lint_loaded(prep, contexts, prep.todo, options, profile, {"(parse)": load_time}, resident)
        close_all(contexts.values())  # (frees the trees now, not in the cyclic collector's time)
    return prep.results  # type: ignore[return-value]


def _lint_file(args: Tuple[str, str, Options, Optional[str], bool]) -> FileResult:
    real, shown, options, cache_dir, profile = args
    return _lint_package((os.path.dirname(os.path.abspath(real)), [(real, shown)], options, cache_dir, profile))[0]


def _worker_init() -> None:
    """Workers leave Ctrl-C to the main process (which stops them): no worker tracebacks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def exit_now_on_sigint() -> None:
    """After a first Ctrl-C: a second one ends the process at once (exit status 130)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, lambda *_: os._exit(130))


def _abandon(pool: ProcessPoolExecutor) -> None:
    """Stop a pool after Ctrl-C without waiting for its work: the workers get SIGTERM (a cache entry
    being written is finished first: ``safe_write`` blocks the signal around a write), queued work
    is cancelled, and nothing waits on the pool's threads."""
    exit_now_on_sigint()
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        try:
            p.terminate()
        except (OSError, AttributeError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        p.join(timeout=5)


def _lint_chunk(indices: Sequence[int]) -> List[FileResult]:
    """Worker (forked by ``_lint_split``): lint the files ``indices`` of the directory being split."""
    prep, contexts, options, profile, resident = schedule._STATE["split"]  # type: ignore[misc]
    _lint_loaded(prep, contexts, indices, options, profile, None, resident)
    return [prep.results[i] for i in indices]  # type: ignore[misc]


def _lint_split(task: Tuple[str, Sequence[Tuple[str, str]], Options, Optional[str], bool], jobs: int,
                take: Callable[..., None]) -> None:
    """Lint one directory with ``jobs`` workers (``core.schedule``): its files are read and parsed here, the
    package facts built from per-file parts are made here (their parts by workers), then chunks of its
    files are linted by workers forked after that.  ``take(results, positions)`` gets the results of the
    files ``positions`` (indexes into the task's files) as they come."""
    from concurrent.futures import as_completed

    directory, pairs, options, cache_dir, profile = task
    prep = _prepare(directory, pairs, options, cache_dir, profile)
    decided = [i for i, r in enumerate(prep.results) if r is not None]
    if decided:
        take([prep.results[i] for i in decided], decided)
    if not prep.todo:
        return
    t0 = time.perf_counter()
    contexts = _load(prep, options, lazy=_big(prep))
    resident = _resident(prep, contexts)
    load_time = time.perf_counter() - t0
    first: Dict[str, float] = {"(parse)": load_time}
    if len(prep.todo) < schedule.SPLIT_MIN_FILES_PER_JOB * jobs:
        if resident is not None:
            _parts_first(resident, options)
        _lint_loaded(prep, contexts, prep.todo, options, profile, first, resident)
        close_all(contexts.values())
        take([prep.results[i] for i in prep.todo], prep.todo)
        return
    t0 = time.perf_counter()
    pkgs: List[PackageFiles] = []
    for i in prep.todo:
        ctx = contexts.get(prep.pairs[i][0])
        if ctx is not None and ctx.package not in pkgs:
            pkgs.append(ctx.package)
    enabled = options.rules
    targets, parts = schedule.package_facts([p for r in enabled for p in r.requires])

    def warm() -> None:  # while the workers make the package facts: the queries, compiled once for all
        w0 = time.perf_counter()
        seen = set()
        for i in prep.todo:
            ctx = contexts.get(prep.pairs[i][0])
            if ctx is not None:
                active = [r for r, _ in _active_rules(ctx, options, enabled)]
                ids = tuple(r.id for r in active)
                if ids not in seen:
                    seen.add(ids)
                    prepare_queries(active)
        first["(query)"] = -(time.perf_counter() - w0)  # charged to the query, not to the package facts

    def parts_pool():
        return schedule.fork_pool(jobs, _worker_init)

    if resident is not None:
        # (a big package: the parts that need no package fact are made by workers first, so that this process
        # holds no tree; the workers free theirs as they go, and so do those of the other parts and the
        # linting workers)
        schedule.make_package_facts(pkgs, (), _part_levels(parts)[0], jobs, parts_pool, _abandon, lambda: None,
                                    resident)
    schedule.make_package_facts(pkgs, targets, parts, jobs, parts_pool, _abandon, warm, resident)
    if resident is not None:
        resident.settle()
    first["(package)"] = time.perf_counter() - t0 + first.get("(query)", 0.0)
    first["(query)"] = -first.get("(query)", 0.0)
    schedule._STATE["split"] = (prep, contexts, options, profile, resident)
    try:
        pool = schedule.fork_pool(jobs, _worker_init)
    finally:
        schedule._STATE.clear()
    try:
        futures = {}
        for chunk in schedule.chunks(prep.todo, [len(prep.sources[prep.pairs[i][0]][1]) for i in prep.todo], jobs):
            futures[pool.submit(_lint_chunk, chunk)] = chunk
        for fut in as_completed(futures):
            chunk = futures[fut]
            results = fut.result()
            if profile and prep.todo[0] in chunk:
                head = results[chunk.index(prep.todo[0])]
                timings = head.timings = dict(head.timings or {})
                for k, v in first.items():
                    timings[k] = timings.get(k, 0.0) + v  # the directory's parse and package facts, made here
            take(results, chunk)
    except KeyboardInterrupt:
        _abandon(pool)
        raise
    pool.shutdown(wait=True)
    close_all(contexts.values())


def lint_files(files: Sequence[Tuple[str, str]], options: Options, jobs: int = 1, cache_dir: Optional[str] = None,
               progress: Optional[Callable[[int, int], None]] = None, profile: bool = False) -> RunResult:
    """Lint ``files`` ((real path, display path) pairs).  The files are handed out by directory (a
    directory's packages are parsed and modelled once per run, in one process), except that with
    ``jobs`` > 1 a directory too big for one worker is split (``core.schedule``: parsed and modelled
    here, its files linted by workers forked from here); the result does not depend on ``jobs``.
    ``cache_dir`` enables the result cache; ``progress(done, total)`` is called as files are done;
    ``profile`` collects per-rule timings (and bypasses the cache)."""
    # A result cache remembers each directory's file digests; they hold for one run only (a caller in a
    # long-lived process that lints again after an edit must see the edit).
    _CACHES.clear()
    by_dir: Dict[str, List[int]] = {}
    for i, (real, _) in enumerate(files):
        by_dir.setdefault(os.path.dirname(os.path.abspath(real)), []).append(i)
    tasks = [(d, [files[i] for i in idx], options, cache_dir, profile) for d, idx in by_dir.items()]
    order = list(by_dir.values())
    total = len(files)
    per_file: List[Optional[FileResult]] = [None] * total
    done = 0

    def take(t: int, got: Sequence[Optional[FileResult]], positions: Optional[Sequence[int]] = None) -> None:
        """Results of task ``t``: all of them, or those of its files ``positions``."""
        nonlocal done
        where = order[t] if positions is None else [order[t][k] for k in positions]
        for i, r in zip(where, got):
            per_file[i] = r
        done += len(got)
        if progress:
            progress(done, total)

    pending = list(range(len(tasks)))
    if jobs > 1:
        sizes: Dict[int, int] = {}
        for t, (_, pairs, _, _, _) in enumerate(tasks):
            size = 0
            for real, _ in pairs:
                try:
                    size += os.stat(real).st_size
                except OSError:
                    pass
            sizes[t] = size
        split = schedule.to_split(sizes, {t: len(task[1]) for t, task in enumerate(tasks)}, jobs)
        for t in sorted(split, key=lambda t: -sizes[t]):
            _lint_split(tasks[t], jobs, functools.partial(take, t))
        pending = [t for t in pending if t not in split]
        # Largest directories first, so no worker is left with a big one at the end.
        pending.sort(key=lambda t: -sizes[t])
    if jobs > 1 and len(pending) > 1:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init)
        try:
            futures = {pool.submit(_lint_package, tasks[t]): t for t in pending}
            for fut in as_completed(futures):
                take(futures[fut], fut.result())
        except KeyboardInterrupt:
            _abandon(pool)
            raise
        pool.shutdown(wait=True)
    else:
        for t in pending:
            take(t, _lint_package(tasks[t]))
    results: List[FileResult] = [r for r in per_file if r is not None]
    findings = [f for r in results for f in r.findings]
    notices = [n for r in results for n in r.notices]
    findings.sort(key=Finding.sort_key)
    notices.sort(key=Notice.sort_key)
    linted = sum(1 for r in results if r.linted)
    timings = None
    if profile:
        timings = {}
        for r in results:
            for k, v in (r.timings or {}).items():
                timings[k] = timings.get(k, 0.0) + v
    reasons: Dict[str, int] = {}
    for r in results:
        if not r.linted:
            why = r.skipped or "other"
            reasons[why] = reasons.get(why, 0) + 1
    return RunResult(findings, notices, linted, len(results) - linted, cached=sum(1 for r in results if r.cached),
                     timings=timings, skip_reasons=reasons)


def summary_counts(findings: Sequence[Finding]) -> Dict[str, int]:
    counts = {"error": 0, "warning": 0, "note": 0}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts
