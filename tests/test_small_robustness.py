"""The smaller robustness items of issue 16: exit 2 when a file named on the command line could not
be linted, the right message for a symlink loop, one clear line when stdout is full, and a NUL
byte anywhere marks a file binary."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli

from goexplint.core.engine import check_source

GOOD = b"package p\n\nfunc f() {}\n"


def test_nul_anywhere_means_binary():
    late = GOOD + b"// " + b"x" * 20000 + b"\0\n"
    notice = check_source("x.go", late)
    assert notice is not None and notice.kind == "binary"
    assert check_source("x.go", GOOD) is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_named_file_exits_2(tmp_path):
    (tmp_path / "x.go").write_bytes(GOOD)
    os.chmod(tmp_path / "x.go", 0)
    proc = run_cli("x.go", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 2 and b"x.go was named on the command line but could not be linted" in proc.stderr


def test_binary_named_file_exits_2_but_not_in_a_directory(tmp_path):
    (tmp_path / "x.go").write_bytes(GOOD + b"\0")
    (tmp_path / "y.go").write_bytes(GOOD)
    named = run_cli("x.go", "y.go", "--no-cache", cwd=tmp_path)
    assert named.returncode == 2
    assert b"goexplint: error: x.go was named on the command line but could not be linted" in named.stderr
    assert b"y.go was named" not in named.stderr
    walked = run_cli(".", "--no-cache", cwd=tmp_path)  # found by the walk: a notice, not a failure
    assert walked.returncode == 0 and b"x.go: warning: binary file" in walked.stderr


def test_symlink_loop_message(tmp_path):
    os.symlink("loop.go", tmp_path / "loop.go")
    proc = run_cli("loop.go", cwd=tmp_path)
    assert proc.returncode == 2
    assert b"loop.go: symbolic link loop" in proc.stderr and b"no such file" not in proc.stderr
    os.symlink("missing.go", tmp_path / "dangling.go")
    proc = run_cli("dangling.go", cwd=tmp_path)
    assert proc.returncode == 2 and b"dangling.go: dangling symbolic link" in proc.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_stdout_gives_one_clear_line(tmp_path):
    (tmp_path / "x.go").write_bytes(b'package p\n\nimport "net/http"\n\nfunc f() { http.Get("u") }\n')
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "goexplint", "x.go", "--no-cache", "--format", "json"],
                              cwd=tmp_path, env=env, stdout=full, stderr=subprocess.PIPE, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.startswith(b"goexplint: error: cannot write the report to standard output: No space left")
    assert proc.stderr.count(b"\n") == 1 and b"Traceback" not in proc.stderr and b"Exception" not in proc.stderr
