"""Clean interrupts, with real signals on a ``-j 2`` run: one Ctrl-C (SIGINT to the process group,
as a terminal sends it, or to the main process only, as ``timeout -s INT`` does) ends the run with
exit status 130 and one line, no traceback from any process and no temporary file in the cache;
a second Ctrl-C ends it at once."""

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import shapes  # noqa: E402

from goexplint.core.cache import FACTS_LAYOUT  # noqa: E402
from goexplint.core.safe_write import TEMP_PREFIX  # noqa: E402


FILES = 240  # results appear at about 40 files a second: some 6 s between "busy" and the run's end


def _tree(tmp_path, packages):
    """Enough slow files that a -j 2 run is still busy when the signal comes, however late the test
    process (starved on a loaded machine) gets to send it: with 60 files the run once ended between the
    test's look at the cache and its signal, in one of 26 suite runs beside two others."""
    d = tmp_path / "src"
    d.mkdir()
    (d / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    for i in range(FILES):
        sub = d / ("ab"[i % packages])
        sub.mkdir(exist_ok=True)
        (sub / ("f%03d.go" % i)).write_bytes(shapes.lockpairs(60).replace(b"func f()", b"func f%d()" % i))
    return d


@pytest.fixture
def tree(tmp_path):
    """Two packages: the workers lint whole directories."""
    return _tree(tmp_path, 2)


def _default_sigint():
    """Children start with Ctrl-C's default disposition: a run launched in the background by a
    non-interactive shell inherits SIGINT ignored, and these tests are about what a Ctrl-C does."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])


@pytest.fixture
def one_package(tmp_path):
    """One package: it is split (core.schedule), its files linted by workers forked by the main process."""
    return _tree(tmp_path, 1)


def _start(tree, cache):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("GOEXPERIMENT", None)
    return subprocess.Popen([sys.executable, "-m", "goexplint", ".", "-j", "2", "--cache-dir", str(cache)],
                            cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=_default_sigint)


def _entries(cache):
    """The result entries (not the per-file facts store beside them: a split package's workers fill it
    for every file before any file is linted)."""
    return [p for p in cache.rglob("*") if p.is_file() and not p.name.startswith(TEMP_PREFIX)
            and p.name != "CACHEDIR.TAG" and FACTS_LAYOUT not in p.relative_to(cache).parts]


def _wait_until_busy(proc, cache, deadline=120):
    """Until both workers have written results (the run is past start-up)."""
    end = time.monotonic() + deadline
    while len(_entries(cache)) < 3:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < end
        time.sleep(0.05)


def _check_clean(proc, cache, out, err):
    assert proc.returncode == 130, (proc.returncode, err)
    assert err == b"goexplint: interrupted\n"  # one line: no traceback, no worker noise
    assert out == b""
    assert not [p for p in cache.rglob("*") if p.name.startswith(TEMP_PREFIX)]
    assert len(_entries(cache)) < FILES  # it really was interrupted


@pytest.mark.parametrize("target", ["group", "main"])
def test_one_ctrl_c_ends_the_run_quietly(tree, tmp_path, target):
    cache = tmp_path / "cache"
    proc = _start(tree, cache)
    _wait_until_busy(proc, cache)
    if target == "group":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    _check_clean(proc, cache, out, err)
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):  # no worker outlives the run
        os.killpg(proc.pid, 0)


@pytest.mark.parametrize("target", ["group", "main"])
def test_one_ctrl_c_ends_a_split_package_quietly(one_package, tmp_path, target):
    test_one_ctrl_c_ends_the_run_quietly(one_package, tmp_path, target)


def test_second_ctrl_c_exits_at_once(tree, tmp_path):
    cache = tmp_path / "cache"
    proc = _start(tree, cache)
    _wait_until_busy(proc, cache)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.01)
    try:
        os.killpg(proc.pid, signal.SIGINT)
    except ProcessLookupError:
        pass  # already gone after the first
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert b"Traceback" not in err and err in (b"goexplint: interrupted\n", b"")
    assert not [p for p in cache.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def test_the_cache_stays_valid_after_an_interrupt(tree, tmp_path):
    cache = tmp_path / "cache"
    proc = _start(tree, cache)
    _wait_until_busy(proc, cache)
    os.killpg(proc.pid, signal.SIGINT)
    proc.communicate(timeout=60)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("GOEXPERIMENT", None)
    warm = subprocess.run([sys.executable, "-m", "goexplint", ".", "-j", "2", "--cache-dir", str(cache),
                           "--format", "json"], cwd=tree, env=env, capture_output=True, timeout=600)
    cold = subprocess.run([sys.executable, "-m", "goexplint", ".", "-j", "2", "--no-cache", "--format", "json"],
                          cwd=tree, env=env, capture_output=True, timeout=600)
    assert warm.returncode == cold.returncode and warm.stdout == cold.stdout


# ---- a Ctrl-C at any moment of start-up and shut-down ------------------------------------------
#
# A Ctrl-C while the modules are still being imported used to print a KeyboardInterrupt traceback
# (the first ~0.1 s of every run).  The entry points (goexplint/__main__.py) install a quiet handler
# before any heavy import.  To hit each moment exactly, not by timing, a sitecustomize on the child's
# PYTHONPATH adds an import hook that sends SIGINT to the process when a chosen module is imported
# (or when the interpreter is about to exit).  The interpreter's own start-up, before any goexplint
# code runs (site, the console script's ``import re``), is out of goexplint's reach and not tested.

HOOK = """
import atexit, os, signal, sys
_at = os.environ.get("GXL_SIGINT_AT")
_record = os.environ.get("GXL_RECORD_IMPORTS")
class _Hook:
    def find_spec(self, name, path=None, target=None):
        if _record:
            with open(_record, "a") as fh:
                fh.write(name + "\\n")
        elif name == _at:
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, _Hook())
if _at == "@exit":
    atexit.register(lambda: os.kill(os.getpid(), signal.SIGINT))
"""
ENTRY = "import sys; from goexplint.__main__ import main; sys.exit(main())"  # what the console script runs


@pytest.fixture(scope="module")
def hooked(tmp_path_factory):
    base = tmp_path_factory.mktemp("sigint")
    (base / "hook").mkdir()
    (base / "hook" / "sitecustomize.py").write_text(HOOK)
    src = base / "src"
    src.mkdir()
    (src / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    (src / "a.go").write_text("package m\n\nfunc use(int) {}\n\nfunc f(xs []int) {\n\tfor _, v := range xs {\n"
                              "\t\tgo func() { use(v) }()\n\t}\n}\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(base / "hook"), str(ROOT)]))
    env.pop("GOEXPERIMENT", None)
    return base, src, env


def _run(hooked, args, **extra):
    base, src, env = hooked
    return subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=src, env=dict(env, **extra),
                          preexec_fn=_default_sigint,
                          capture_output=True, timeout=120)


def _moments(hooked, args):
    """The modules a run imports once goexplint's own code runs (from goexplint.cli or .lsp on)."""
    base, _, _ = hooked
    record = base / ("imports-%d.txt" % len(args))
    record.unlink(missing_ok=True)
    _run(hooked, args, GXL_RECORD_IMPORTS=str(record))
    names = record.read_text().split()
    first = next(i for i, n in enumerate(names) if n in ("goexplint.cli", "goexplint.integrations.lsp"))
    return list(dict.fromkeys(names[first:]))


def test_ctrl_c_while_importing_is_one_line_and_130(hooked):
    args = [".", "--no-cache", "-j", "1"]
    moments = _moments(hooked, args)
    for key in ("goexplint.cli", "argparse", "tree_sitter", "goexplint.core.engine", "goexplint.report.text"):
        assert key in moments, key  # the hook sees the heavy imports (else this test tests nothing)
    ours = [n for n in moments if n.startswith(("goexplint", "tree_sitter"))]
    for name in ours[::max(1, len(ours) // 12)] + ["tree_sitter", "tree_sitter_go", "goexplint.report.text"]:
        proc = _run(hooked, args, GXL_SIGINT_AT=name)
        assert (proc.returncode, proc.stderr) == (130, b"goexplint: interrupted\n"), (name, proc.stderr[-400:])
    # any other module: never a traceback (an interrupt that lands in C code importing a module, as
    # _elementtree does with pyexpat, may be swallowed by Python itself: then the run simply completes)
    for name in [n for n in moments if n not in ours][::max(1, len(moments) // 10)]:
        proc = _run(hooked, args, GXL_SIGINT_AT=name)
        assert b"Traceback" not in proc.stderr and proc.returncode in (1, 130), (name, proc.stderr[-400:])
        if proc.returncode == 130:
            assert proc.stderr == b"goexplint: interrupted\n", (name, proc.stderr[-400:])


def test_ctrl_c_while_the_language_server_imports(hooked):
    moments = _moments(hooked, ["lsp"])
    assert "pygls" in moments
    for name in ("goexplint.integrations.lsp", "pygls", "lsprotocol.types"):
        proc = subprocess.run([sys.executable, "-c", "import sys; from goexplint.__main__ import lsp_main; "
                               "sys.exit(lsp_main())"], cwd=hooked[1], env=dict(hooked[2], GXL_SIGINT_AT=name),
                              capture_output=True, timeout=120, input=b"", preexec_fn=_default_sigint)
        assert (proc.returncode, proc.stderr) == (130, b"goexplint: interrupted\n"), (name, proc.stderr[-400:])


def test_ctrl_c_at_exit_prints_no_traceback(hooked):
    proc = _run(hooked, [".", "--no-cache", "-j", "1"], GXL_SIGINT_AT="@exit")
    assert b"Traceback" not in proc.stderr and proc.returncode in (1, 130), proc.stderr[-400:]
    assert b"GXL101" in proc.stdout  # the report was written before


def test_console_scripts_use_the_light_entry_points():
    """pyproject's commands go through goexplint/__main__.py, which imports nothing heavy."""
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"goexplint": "goexplint.__main__:main", "goexplint-lsp": "goexplint.__main__:lsp_main"}
    probe = "import sys, goexplint.__main__; print(sorted(m for m in sys.modules if m.startswith(('goexplint', " \
            "'tree_sitter', 'pygls', 'argparse', 'enum'))))"
    out = subprocess.run([sys.executable, "-S", "-c", probe], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                         capture_output=True, text=True, timeout=60).stdout.strip()
    assert out == "['goexplint', 'goexplint.__main__']"
