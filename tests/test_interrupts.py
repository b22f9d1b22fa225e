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

from goexplint.core.safe_write import TEMP_PREFIX  # noqa: E402


@pytest.fixture
def tree(tmp_path):
    """Enough slow files that a -j 2 run is still busy when the signal comes."""
    d = tmp_path / "src"
    d.mkdir()
    (d / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    # Two packages: linting is scheduled by package, so one directory would run in the main process
    # alone and the workers would never be exercised.
    for i in range(60):
        sub = d / ("a" if i % 2 else "b")
        sub.mkdir(exist_ok=True)
        (sub / ("f%03d.go" % i)).write_bytes(shapes.lockpairs(60).replace(b"func f()", b"func f%d()" % i))
    return d


def _start(tree, cache):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("GOEXPERIMENT", None)
    return subprocess.Popen([sys.executable, "-m", "goexplint", ".", "-j", "2", "--cache-dir", str(cache)],
                            cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def _entries(cache):
    return [p for p in cache.rglob("*") if p.is_file() and not p.name.startswith(TEMP_PREFIX)
            and p.name != "CACHEDIR.TAG"]


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
    assert len(_entries(cache)) < 60  # it really was interrupted


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
