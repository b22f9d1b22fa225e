#!/usr/bin/env python3
"""Benchmark goexplint against a parse-only baseline and its peers (go vet, staticcheck, semgrep).

    python benchmarks/bench.py                 # the Go standard library, 3 runs per tool
    python benchmarks/bench.py DIR --runs 5    # any directory of Go code
    python benchmarks/bench.py --no-peers      # goexplint and the parse-only baseline only
    python benchmarks/bench.py --editor        # also: re-lint latency after a one-line edit
    python benchmarks/bench.py --profile       # also: seconds per rule (goexplint --profile-rules)
    python benchmarks/bench.py --compare-checkout ../before   # also time another checkout's goexplint
    python benchmarks/bench.py --package-edit DIR/file.go       # also: one file of a big package after an edit

Run it with the Python that has goexplint's dependencies (``.venv/bin/python``). Every tool is run
``--runs`` times, round robin (run 1 of every tool, then run 2, ...); the table shows min and median
wall time, the median CPU time (user+sys of the process and all the children it waited for) and the
largest peak RSS of any single process of the tree (``ru_maxrss`` from ``wait4``; worker processes
are not summed). Each checkout's goexplint runs from bytecode compiled before timing (into a
temporary PYTHONPYCACHEPREFIX), as an installed copy does; PYTHONDONTWRITEBYTECODE is ignored for
the timed runs. "CPU x parse" is the median CPU time over the parse-only baseline's: on a busy
machine CPU time is the fairer comparison.
``--compare-checkout DIR`` adds DIR's goexplint (run with ``PYTHONPATH=DIR``) as extra rows, so an
older commit (``git worktree add``) is timed side by side in the same run.  files/s and MB/s
are computed from goexplint's file set (``.go`` files minus vendor/ and testdata/) and the
median wall time, for every tool, so they compare the same corpus.

The row "parse + combined query" reads, parses and runs the rules' one combined query over every file
with no refine step: the floor under goexplint's own "CPU x parse", whatever the rules do.

Peers: ``go vet`` with the analyzers that match goexplint's families (``-loopclosure -copylocks
-lostcancel -unsafeptr -atomic -waitgroup``; ``std`` for GOROOT/src, ``./...`` for a module),
staticcheck (``go install honnef.co/go/tools/cmd/staticcheck@latest`` into the tool cache when
it is not on PATH) and semgrep (installed from PyPI into a venv in the tool cache) with the
comparable rules of benchmarks/semgrep_go.yaml.  go vet and staticcheck cache their results,
so each is timed twice: "cold" with fresh caches in every run (includes compiling the
dependencies for type information -- their real first-run cost) and "warm" (cached).  A peer
that cannot be found or installed is shown as "n/a (reason)"; the script never fails for it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VET_FLAGS = ["-loopclosure", "-copylocks", "-lostcancel", "-unsafeptr", "-atomic", "-waitgroup"]


# ------------------------------------------------------------------------------------------ helpers
_PYCACHE = {}


def _pycache(root):
    """A bytecode folder for ``root``'s goexplint, filled before anything is timed.

    An installed goexplint has bytecode (pip compiles it), so every timed run must have it too:
    with PYTHONDONTWRITEBYTECODE set, or a checkout never run before, each start would compile
    ~100 modules from source (0.3 s here), which times the size of the source, not the linter.
    The folder is outside the checkout (PYTHONPYCACHEPREFIX), so no checkout is written to."""
    root = Path(root).resolve()
    if root not in _PYCACHE:
        prefix = tempfile.mkdtemp(prefix="goexplint-bench-pyc-")
        env = dict(os.environ, PYTHONPYCACHEPREFIX=prefix)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "goexplint"), str(HERE)],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        _PYCACHE[root] = prefix
    return _PYCACHE[root]


def _env(root=ROOT, **extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("GOTOOLCHAIN", "local")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _pycache(root)
    env.update(extra)
    return env


def timed(cmd, cwd=None, env=None, timeout=3600):
    """Run ``cmd``; (wall seconds, CPU seconds of the tree, peak RSS MiB, exit code, stderr tail)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-400:].decode("utf-8", "replace").strip().splitlines()
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, proc.returncode, (tail[-1] if tail else "")


def go_bin():
    return shutil.which("go")


def corpus_files(corpus: Path):
    sys.path.insert(0, str(ROOT))
    from goexplint.core.discover import DiscoverOptions, discover

    files = discover(["."], DiscoverOptions(), corpus)
    size = sum(p.stat().st_size for p, _ in files)
    return files, size


# ------------------------------------------------------------------------------------- parse only
def _parsed_trees(corpus: str):
    """Every file of goexplint's file set of ``corpus``, read and parsed with tree-sitter, one at a time."""
    sys.path.insert(0, str(ROOT))
    from goexplint.core.discover import DiscoverOptions, discover
    from goexplint.core.parse import parse_bytes

    for path, _ in discover(["."], DiscoverOptions(), Path(corpus)):
        with open(path, "rb") as fh:
            yield parse_bytes(fh.read())


def parse_only(corpus: str) -> int:
    """The baseline: one process reads and parses every file with tree-sitter, nothing else."""
    n = sum(tree.root_node.child_count >= 0 for tree in _parsed_trees(corpus))
    return 0 if n >= 0 else 1


def query_floor(corpus: str) -> int:
    """What every design that finds candidates with one tree-sitter query per file pays before any rule
    refines anything: read, parse and run the rules' combined query (with the shared whole-file facts)
    over every file, matches built and dropped.  Its CPU time over parse only is the floor of
    goexplint's "CPU x parse"."""
    sys.path.insert(0, str(ROOT))
    import tree_sitter

    from goexplint.core import filequeries
    from goexplint.core.query import combined_query
    from goexplint.core.registry import select_rules

    ids = tuple(r.id for r in select_rules(None, None) if r.query_source)
    query, _ = combined_query(ids, filequeries.registered())
    n = sum(len(tree_sitter.QueryCursor(query).matches(tree.root_node)) for tree in _parsed_trees(corpus))
    return 0 if n >= 0 else 1


# ------------------------------------------------------------------------------------------ peers
class Tool:
    def __init__(self, name, cmd=None, cwd=None, env=None, reason="", fresh=None, note=""):
        self.name, self.cmd, self.cwd, self.env, self.reason = name, cmd, cwd, env, reason
        self.fresh = fresh  # callable(tmpdir) -> env overrides for a cold run
        self.note = note
        self.runs = []


def go_target(corpus: Path):
    go = go_bin()
    if not go:
        return None, None, "go not on PATH"
    goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True).stdout.strip()
    if goroot and corpus.resolve() == (Path(goroot) / "src").resolve():
        return ["std"], str(corpus), ""
    if (corpus / "go.mod").exists():
        return ["./..."], str(corpus), ""
    return None, None, "no go.mod in the corpus directory"


def vet_tools(corpus: Path):
    target, cwd, why = go_target(corpus)
    names = ("go vet (cold caches)", "go vet (warm cache)")
    if target is None:
        return [Tool(n, reason=why) for n in names]
    cmd = [go_bin(), "vet"] + VET_FLAGS + target
    return [Tool(names[0], cmd, cwd, _env(), fresh=lambda d: {"GOCACHE": d}),
            Tool(names[1], cmd, cwd, _env(), note="results cached by the go build cache")]


def find_staticcheck(cache: Path, install: bool):
    found = shutil.which("staticcheck")
    if found:
        return found, ""
    go = go_bin()
    if not go:
        return None, "staticcheck not on PATH and no go to install it"
    gopath = subprocess.run([go, "env", "GOPATH"], capture_output=True, text=True).stdout.strip()
    for cand in ([Path(p) / "bin" / "staticcheck" for p in gopath.split(os.pathsep) if p]
                 + [cache / "bin" / "staticcheck"]):
        if cand.exists():
            return str(cand), ""
    if not install:
        return None, "not installed (--no-install)"
    sys.stderr.write("bench: installing staticcheck (go install honnef.co/go/tools/cmd/staticcheck@latest)...\n")
    try:
        proc = subprocess.run([go, "install", "honnef.co/go/tools/cmd/staticcheck@latest"], capture_output=True,
                              text=True, timeout=900, env=dict(os.environ, GOBIN=str(cache / "bin")))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, "go install failed: %s" % exc
    if proc.returncode != 0:
        return None, "go install failed: %s" % (proc.stderr.strip().splitlines() or ["?"])[-1][:80]
    return str(cache / "bin" / "staticcheck"), ""


def staticcheck_tools(corpus: Path, cache: Path, install: bool):
    names = ("staticcheck (cold caches)", "staticcheck (warm cache)")
    target, cwd, why = go_target(corpus)
    if target is None:
        return [Tool(n, reason=why) for n in names]
    exe, why = find_staticcheck(cache, install)
    if exe is None:
        return [Tool(n, reason=why) for n in names]
    cmd = [exe, "-checks", "inherit", "-fail", "none"] + target
    return [Tool(names[0], cmd, cwd, _env(), fresh=lambda d: {"GOCACHE": d + "/go", "STATICCHECK_CACHE": d + "/sc"}),
            Tool(names[1], cmd, cwd, _env(), note="default checks; results cached")]


def semgrep_tool(corpus: Path, cache: Path, install: bool, jobs: int):
    name = "semgrep (%d rules)" % 5
    exe = shutil.which("semgrep")
    venv_dir = cache / "semgrep-venv"
    if not exe and (venv_dir / "bin" / "semgrep").exists():
        exe = str(venv_dir / "bin" / "semgrep")
    if not exe:
        if not install:
            return Tool(name, reason="not installed (--no-install)")
        sys.stderr.write("bench: installing semgrep from PyPI into %s...\n" % venv_dir)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv_dir)], check=True, capture_output=True, timeout=300)
            proc = subprocess.run([str(venv_dir / "bin" / "pip"), "install", "-q", "semgrep"], capture_output=True,
                                  text=True, timeout=1200)
        except (OSError, subprocess.SubprocessError) as exc:
            return Tool(name, reason="pip install semgrep failed: %s" % str(exc)[:80])
        if proc.returncode != 0:
            return Tool(name, reason="pip install semgrep failed: %s"
                        % (proc.stderr.strip().splitlines() or ["?"])[-1][:80])
        exe = str(venv_dir / "bin" / "semgrep")
    cmd = [exe, "scan", "--config", str(HERE / "semgrep_go.yaml"), "--metrics", "off", "--disable-version-check",
           "--quiet", "--json", "--no-git-ignore", "-j", str(jobs), "--exclude", "testdata", "--exclude", "vendor",
           "--max-target-bytes", "0", "."]
    return Tool(name, cmd, str(corpus), _env(SEMGREP_SEND_METRICS="off"), note="benchmarks/semgrep_go.yaml only")


# ----------------------------------------------------------------------------------------- editor
def editor_in(root: Path, corpus: Path, iterations: int):
    """``editor_latency`` run in a subprocess with ``root``'s goexplint (for --compare-checkout)."""
    import json

    proc = subprocess.run([sys.executable, str(HERE / "bench.py"), "--editor-worker", str(corpus),
                           "--editor-iterations", str(iterations)], env=_env(root), capture_output=True, text=True,
                          cwd=str(root))
    if proc.returncode != 0:
        return None
    path, n, inc, full = json.loads(proc.stdout)
    return Path(path), n, inc, full


def editor_latency(corpus: Path, iterations: int, lines: int = 3000):
    """Re-lint latency of a ~3000-line file after a one-line edit, as the language server does it:
    tree.edit + incremental parse + engine.lint_source(tree=..., memo=...) with the buffer's query
    memo (``core.requery``).  Each edit is then undone the same way, untimed, so every edit starts
    from the file as it is on disk with a memo of it.  Returns (path, n lines, stats)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from goexplint.core import engine
    from goexplint.core.parse import parse_bytes
    from goexplint.core.registry import select_rules
    try:
        from goexplint.core.requery import QueryMemo  # an older checkout (--compare-checkout) has none
        with_memo = {"memo": QueryMemo()}
    except ImportError:
        with_memo = {}

    files, _ = corpus_files(corpus)
    best = None
    for path, shown in files:
        if shown.endswith("_test.go"):
            continue
        n = path.read_bytes().count(b"\n")
        if best is None or abs(n - lines) < abs(best[1] - lines):
            best = (path, n)
    if best is None:
        return None
    path, n = best
    source = path.read_bytes()
    options = engine.Options(rule_ids=tuple(r.id for r in select_rules(None, None)))
    tree = parse_bytes(source)
    engine.lint_source(str(path), source, options, real_path=str(path), tree=tree, **with_memo)  # warm up
    starts = [0] + [i + 1 for i, b in enumerate(source) if b == 0x0A]
    lines_of = [source[starts[r]:starts[r + 1]] for r in range(len(starts) - 1)]
    candidates = [r for r, ln in enumerate(lines_of) if ln.rstrip().endswith(b")") and ln.startswith(b"\t")]
    rng = random.Random(7)
    full, incremental = [], []
    for i in range(iterations):
        row = rng.choice(candidates)
        end = starts[row + 1] - 1  # before the newline
        insert = b" // edit %d" % i
        new = source[:end] + insert + source[end:]
        col = end - starts[row]
        t0 = time.perf_counter()
        tree.edit(start_byte=end, old_end_byte=end, new_end_byte=end + len(insert),
                  start_point=(row, col), old_end_point=(row, col), new_end_point=(row, col + len(insert)))
        new_tree = parse_bytes(new, tree)
        engine.lint_source(str(path), new, options, real_path=str(path), tree=new_tree, **with_memo)
        incremental.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        engine.lint_source(str(path), new, options, real_path=str(path))
        full.append(time.perf_counter() - t0)
        # undo the edit as an editor would (untimed): the memo follows the buffer back to the file on disk
        new_tree.edit(start_byte=end, old_end_byte=end + len(insert), new_end_byte=end,
                      start_point=(row, col), old_end_point=(row, col + len(insert)), new_end_point=(row, col))
        tree = parse_bytes(source, new_tree)
        engine.lint_source(str(path), source, options, real_path=str(path), tree=tree, **with_memo)

    def stats(xs):
        xs = sorted(xs)
        return {"p50": xs[len(xs) // 2] * 1000, "p95": xs[min(len(xs) - 1, int(len(xs) * 0.95))] * 1000,
                "max": xs[-1] * 1000}
    inc = stats(incremental)
    inc["requeried"] = with_memo["memo"].requeried if with_memo else -1
    return path, n, inc, stats(full)


# ---------------------------------------------------------------------------------- one big package
def _copy_package(file: Path, into: Path) -> Path:
    """Copy the ``.go`` files of ``file``'s directory and the go.mod that decides their Go version into
    ``into`` (so the benchmark edits a copy, never the user's files); the copy of ``file``."""
    src_dir = file.parent.resolve()
    mod = next((d for d in [src_dir] + list(src_dir.parents) if (d / "go.mod").exists()), None)
    rel = src_dir.relative_to(mod) if mod is not None else Path(src_dir.name)
    dest = into / "m" / rel
    dest.mkdir(parents=True)
    if mod is not None:
        shutil.copy2(mod / "go.mod", into / "m" / "go.mod")
    for f in src_dir.glob("*.go"):
        if f.is_file():
            shutil.copy2(f, dest / f.name)
    return dest / file.name


def _findings(root: Path, cmd, cwd, env):
    import json

    out = tempfile.mktemp(suffix=".json")
    subprocess.run(cmd + ["--format", "json", "-o", out], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    try:
        with open(out) as fh:
            found = json.load(fh)["findings"]
        return sorted((f["path"], f["line"], f["column"], f["rule"], f["message"]) for f in found)
    except (OSError, ValueError):
        return None
    finally:
        if os.path.exists(out):
            os.unlink(out)


def package_edit(file: Path, runs: int, jobs: int, roots):
    """Lint one file of a big package after a one-line edit of it, with the result cache as pre-commit
    uses it (the cache was filled by a lint of the unedited file), against a lint without the cache;
    then the whole package with -j1 and -jN.  Every checkout gets its own copy of the package and cache,
    and the runs are round robin (run 1 of every checkout, then run 2...), so drift of the machine falls on
    all of them alike.  Returns rows for the table and whether every cached lint gave the findings of the
    uncached one."""
    same = True
    setups = []
    try:
        for label, root in roots:
            tmp = Path(tempfile.mkdtemp(prefix="goexplint-bench-pkg-"))
            copy = _copy_package(file, tmp)
            setups.append((label, root, tmp, copy, _env(root), str(tmp / "cache")))
        base = [sys.executable, "-m", "goexplint", "--exit-zero"]
        tools = {}
        for label, root, tmp, copy, env, cache in setups:
            timed(base + ["--cache-dir", cache, "-j", "1", copy.name], str(copy.parent), env)  # fill the cache, untimed
            tools[label] = (Tool(label + "one file after a one-line edit (cache)"), Tool(label + "one file, no cache"),
                            Tool(label + "whole package -j1 (no cache)"),
                            Tool(label + "whole package -j%d (no cache)" % jobs))
        original = file.read_bytes()
        lines = original.split(b"\n")
        candidates = [i for i, ln in enumerate(lines) if ln.rstrip().endswith(b")") and ln.startswith(b"\t")]
        rng = random.Random(11)
        for n in range(runs):
            row = rng.choice(candidates) if candidates else len(lines) - 1
            new = list(lines)
            new[row] = new[row] + b" // bench edit %d" % n
            for label, root, tmp, copy, env, cache in setups:
                edited, cold, j1, jn = tools[label]
                cwd, rel = str(copy.parent), copy.name
                copy.write_bytes(b"\n".join(new))
                edited.runs.append(timed(base + ["--cache-dir", cache, "-j", "1", rel], cwd, env))
                cold.runs.append(timed(base + ["--no-cache", "-j", "1", rel], cwd, env))
                if _findings(root, base + ["--cache-dir", cache, "-j", "1", rel], cwd, env) != \
                        _findings(root, base + ["--no-cache", "-j", "1", rel], cwd, env):
                    same = False
                copy.write_bytes(original)
        for _ in range(runs):
            for label, root, tmp, copy, env, cache in setups:
                _, _, j1, jn = tools[label]
                j1.runs.append(timed(base + ["--no-cache", "-j", "1", "."], str(copy.parent), env))
                jn.runs.append(timed(base + ["--no-cache", "-j", str(jobs), "."], str(copy.parent), env))
        rows = [t for label, *_ in setups for t in tools[label]]
    finally:
        for _, _, tmp, _, _, _ in setups:
            shutil.rmtree(tmp, ignore_errors=True)
    return rows, same


# ------------------------------------------------------------------------------------------- main
def fmt_row(cols, widths):
    return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cols, widths)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", help="directory of Go code (default: $(go env GOROOT)/src)")
    ap.add_argument("--runs", type=int, default=3, help="runs per tool (default 3)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="goexplint/semgrep processes")
    ap.add_argument("--no-peers", action="store_true", help="skip go vet, staticcheck and semgrep")
    ap.add_argument("--peers", default="vet,staticcheck,semgrep", help="comma list of peers to run")
    ap.add_argument("--no-install", action="store_true", help="do not install missing peers")
    ap.add_argument("--tool-cache", default=os.path.join(os.environ.get("XDG_CACHE_HOME") or
                                                         os.path.expanduser("~/.cache"), "goexplint-bench"),
                    help="where installed peers live (default ~/.cache/goexplint-bench)")
    ap.add_argument("--editor", action="store_true", help="measure re-lint after a one-line edit (3000-line file)")
    ap.add_argument("--editor-iterations", type=int, default=40)
    ap.add_argument("--profile", action="store_true", help="print seconds per rule (goexplint --profile-rules)")
    ap.add_argument("--package-edit", metavar="FILE",
                    help="also: lint FILE after a one-line edit with the result cache (as pre-commit does) and "
                         "without, and FILE's whole package with -j1 and -jN (on a copy; FILE is not changed)")
    ap.add_argument("--compare-checkout", metavar="DIR", action="append", default=[],
                    help="also time the goexplint of another checkout (e.g. a worktree of an older commit), "
                         "side by side in the same run; repeatable")
    ap.add_argument("--parse-only-worker", metavar="DIR", help=argparse.SUPPRESS)
    ap.add_argument("--query-floor-worker", metavar="DIR", help=argparse.SUPPRESS)
    ap.add_argument("--editor-worker", metavar="DIR", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.parse_only_worker:
        return parse_only(args.parse_only_worker)
    if args.query_floor_worker:
        return query_floor(args.query_floor_worker)
    if args.editor_worker:
        import json

        got = editor_latency(Path(args.editor_worker), args.editor_iterations)
        if got is None:
            return 1
        print(json.dumps([str(got[0]), got[1], got[2], got[3]]))
        return 0
    checkouts = []
    for d in args.compare_checkout:
        root = Path(d).resolve()
        probe = subprocess.run([sys.executable, "-c", "import goexplint; print(goexplint.__file__)"],
                               env=_env(root), cwd=str(root), capture_output=True, text=True)
        if probe.returncode != 0 or not probe.stdout.strip().startswith(str(root)):
            ap.error("--compare-checkout %s: cannot import its goexplint (%s)" % (d, probe.stderr.strip()[-200:]))
        checkouts.append(root)

    if args.corpus:
        corpus = Path(args.corpus).resolve()
    else:
        go = go_bin()
        if not go:
            ap.error("go is not on PATH: give a corpus directory")
        corpus = Path(subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True).stdout.strip()) / "src"
    if not corpus.is_dir():
        ap.error("%s is not a directory" % corpus)
    if args.package_edit and not Path(args.package_edit).is_file():
        ap.error("--package-edit %s: no such file (a path from the current directory)" % args.package_edit)
    files, size = corpus_files(corpus)
    cache = Path(args.tool_cache)
    cache.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    print("corpus: %s (%d files, %.1f MB); %d runs per tool; %d CPUs; load average before: %s"
          % (corpus, len(files), size / 1e6, args.runs, os.cpu_count() or 0,
             " ".join("%.2f" % x for x in load) if load != ("?",) else "?"))

    py = [sys.executable]
    # The report goes to a file of ours, not to os.devnull: an older checkout (--compare-checkout) may
    # replace its -o target atomically, which as root puts a plain file where /dev/null was.
    warm_cache = tempfile.mkdtemp(prefix="goexplint-bench-cache-")
    report = os.path.join(warm_cache, "report.json")
    gx = py + ["-m", "goexplint", ".", "--exit-zero", "--format", "json", "-o", report]
    tools = [
        Tool("parse only (1 process)", py + [str(HERE / "bench.py"), "--parse-only-worker", str(corpus)],
             str(corpus), _env()),
        Tool("parse + combined query (1 process)", py + [str(HERE / "bench.py"), "--query-floor-worker",
                                                         str(corpus)], str(corpus), _env(),
             note="no rule refines anything: the floor of goexplint -j1's CPU x parse"),
        Tool("goexplint -j1 (no cache)", gx + ["--no-cache", "-j", "1"], str(corpus), _env()),
        Tool("goexplint -j%d (no cache)" % args.jobs, gx + ["--no-cache", "-j", str(args.jobs)], str(corpus), _env()),
        Tool("goexplint -j%d (warm cache)" % args.jobs, gx + ["--cache-dir", warm_cache, "-j", str(args.jobs)],
             str(corpus), _env(), note="after one untimed run filled the cache"),
    ]
    for n, root in enumerate(checkouts):
        label = "[%s] " % (root.name if len(checkouts) == 1 else "%d:%s" % (n + 1, root.name))
        other_cache = tempfile.mkdtemp(prefix="goexplint-bench-cache-")
        tools += [
            Tool(label + "goexplint -j1 (no cache)", gx + ["--no-cache", "-j", "1"], str(corpus), _env(root),
                 note=str(root)),
            Tool(label + "goexplint -j%d (no cache)" % args.jobs, gx + ["--no-cache", "-j", str(args.jobs)],
                 str(corpus), _env(root)),
            Tool(label + "goexplint -j%d (warm cache)" % args.jobs,
                 gx + ["--cache-dir", other_cache, "-j", str(args.jobs)], str(corpus), _env(root),
                 note="after one untimed run filled the cache"),
        ]
    if not args.no_peers:
        wanted = {p.strip() for p in args.peers.split(",") if p.strip()}
        if "vet" in wanted:
            tools += vet_tools(corpus)
        if "staticcheck" in wanted:
            tools += staticcheck_tools(corpus, cache, not args.no_install)
        if "semgrep" in wanted:
            tools.append(semgrep_tool(corpus, cache, not args.no_install, args.jobs))

    for tool in tools:
        if tool.cmd is not None and (tool.name.endswith("(warm cache)")
                                     or tool.name.startswith(("go vet (warm", "staticcheck (warm"))):
            timed(tool.cmd, tool.cwd, tool.env)  # fill the cache, untimed
    # Round robin: run 1 of every tool, then run 2, ...: a machine whose speed drifts during the bench
    # (other guests of a VM, thermal limits) then slows every tool alike instead of the last ones.
    for _ in range(args.runs):
        for tool in tools:
            if tool.cmd is None or tool.reason:
                continue
            env = tool.env
            tmp = None
            if tool.fresh:
                tmp = tempfile.mkdtemp(prefix="bench-fresh-")
                env = dict(env, **tool.fresh(tmp))
            sys.stderr.write("bench: %s ...\n" % tool.name)
            try:
                tool.runs.append(timed(tool.cmd, tool.cwd, env))
                w, c, m, rc, _ = tool.runs[-1]
                sys.stderr.write("bench: %s: %.2f s wall, %.2f s CPU, %.0f MiB, exit %d\n" % (tool.name, w, c, m, rc))
            except OSError as exc:
                tool.reason = str(exc)
            finally:
                if tmp:
                    shutil.rmtree(tmp, ignore_errors=True)
    for tool in tools:
        bad = [r for r in tool.runs if r[3] not in (0, 1)]
        if bad:
            tool.note = ("exit %d: %s" % (bad[0][3], bad[0][4]))[:90]
    shutil.rmtree(warm_cache, ignore_errors=True)
    for tool in tools:
        if tool.name.startswith("[") and tool.name.endswith("(warm cache)") and tool.cmd:
            shutil.rmtree(tool.cmd[tool.cmd.index("--cache-dir") + 1], ignore_errors=True)

    widths = [40, 9, 9, 9, 9, 9, 8, 8, 10]
    head = ["tool", "min s", "median s", "CPU s", "RSS MiB", "files/s", "MB/s", "x parse", "CPU x parse"]
    print()
    print(fmt_row(head, widths) + "  note")
    print(fmt_row(["-" * w for w in widths], widths))
    medians = {}
    parse_med = parse_cpu = None
    for tool in tools:
        if not tool.runs:
            print(fmt_row([tool.name, "n/a (%s)" % (tool.reason or "not run")], [40, 0]))
            continue
        walls = [r[0] for r in tool.runs]
        med = statistics.median(walls)
        medians[tool.name] = med
        cpu = statistics.median(r[1] for r in tool.runs)
        if parse_med is None and tool.name.startswith("parse only"):
            parse_med, parse_cpu = med, cpu
        rss = max(r[2] for r in tool.runs)
        ratio = "%.1f" % (med / parse_med) if parse_med else "-"
        cpu_ratio = "%.2f" % (cpu / parse_cpu) if parse_cpu else "-"
        print(fmt_row([tool.name, "%.2f" % min(walls), "%.2f" % med, "%.2f" % cpu, "%.0f" % rss,
                       "%.0f" % (len(files) / med), "%.2f" % (size / 1e6 / med), ratio, cpu_ratio], widths)
              + "  " + tool.note)
    print()
    gx_cold = medians.get("goexplint -j%d (no cache)" % args.jobs)
    if gx_cold:
        print("ratios (median wall time, goexplint -j%d without cache = 1):" % args.jobs)
        for name, med in medians.items():
            if not name.startswith("goexplint -j%d (no" % args.jobs):
                print("  %-40s %6.2fx  (%s)" % (name, med / gx_cold,
                                                "slower than goexplint" if med > gx_cold else "faster than goexplint"))
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load:
        print("load average after: %s" % " ".join("%.2f" % x for x in load))

    if args.profile:
        print("\nper-rule time (goexplint --profile-rules -j%d --no-cache):" % args.jobs)
        proc = subprocess.run(gx + ["--profile-rules", "-j", str(args.jobs)], cwd=str(corpus), env=_env(),
                              capture_output=True, text=True)
        lines = proc.stderr.splitlines()
        start = next((i for i, ln in enumerate(lines) if ln.startswith("goexplint: time per")), None)
        print("\n".join(lines[start:] if start is not None else lines[-60:]))

    if args.package_edit:
        target = Path(args.package_edit).resolve()
        rows, same = package_edit(target, args.runs, args.jobs,
                                  [("", ROOT)] + [("[%s] " % r.name, r) for r in checkouts])
        n_files = len(list(target.parent.glob("*.go")))
        print("\none big package: %s (%d .go files), %d runs each" % (target.parent, n_files, args.runs))
        widths2 = [52, 9, 9, 9, 9]
        print(fmt_row(["case", "min s", "median s", "CPU s", "RSS MiB"], widths2))
        for t in rows:
            walls = [r[0] for r in t.runs]
            print(fmt_row([t.name, "%.2f" % min(walls), "%.2f" % statistics.median(walls),
                           "%.2f" % statistics.median(r[1] for r in t.runs), "%.0f" % max(r[2] for r in t.runs)],
                          widths2))
        by = {t.name: statistics.median(r[0] for r in t.runs) for t in rows}
        for label, _ in [("", ROOT)] + [("[%s] " % r.name, r) for r in checkouts]:
            a = by.get(label + "whole package -j1 (no cache)")
            b = by.get(label + "whole package -j%d (no cache)" % args.jobs)
            if a and b:
                print("  %s-j%d / -j1 wall: %.2f" % (label, args.jobs, b / a))
        print("  findings after each edit, cached vs uncached: %s" % ("identical" if same else "DIFFERENT"))

    if args.editor:
        for label, root in [("", ROOT)] + [("[%s] " % r.name, r) for r in checkouts]:
            got = editor_in(root, corpus, args.editor_iterations)
            if got is None:
                print("\n%seditor path: n/a (no non-test file in the corpus, or it failed)" % label)
                continue
            path, n, inc, full = got
            print("\n%seditor path: %s (%d lines), %d one-line edits, all default rules"
                  % (label, path, n, args.editor_iterations))
            print("  incremental parse + lint: p50 %.1f ms, p95 %.1f ms, max %.1f ms (target p95 <= 30 ms: %s)"
                  % (inc["p50"], inc["p95"], inc["max"], "met" if inc["p95"] <= 30 else "NOT met"))
            print("  full parse + lint:        p50 %.1f ms, p95 %.1f ms, max %.1f ms"
                  % (full["p50"], full["p95"], full["max"]))
            if inc.get("requeried", -1) >= 0:
                print("  %d of %d re-lints (edits and their undos) re-queried only the changed declarations"
                      % (inc["requeried"], 2 * args.editor_iterations))
    return 0


if __name__ == "__main__":
    sys.exit(main())
