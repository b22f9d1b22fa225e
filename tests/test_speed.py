"""The speed machinery changes nothing observable: the combined query equals one query per rule,
and the progress line appears only on a terminal."""

import os
import pty
import subprocess
import sys

from conftest import FIXTURES, ROOT, run_cli


def test_combined_query_equals_separate_queries():
    args = (".", "--format", "json", "--no-cache", "--select", "all", "--report-unused-suppressions", "-j", "2")
    combined = run_cli(*args, cwd=FIXTURES)
    separate = run_cli(*args, cwd=FIXTURES, env={"GOEXPLINT_SEPARATE_QUERIES": "1"})
    assert combined.returncode == separate.returncode == 1
    assert combined.stdout == separate.stdout and combined.stderr == separate.stderr
    assert combined.stdout.count(b'"rule": "GXL') > 100


def test_progress_only_on_a_terminal(tmp_path):
    target = str(FIXTURES / "loopvar")
    plain = run_cli(target, "--no-cache", cwd=tmp_path)
    assert b"files (" not in plain.stderr
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("GOEXPERIMENT", None)
    proc = subprocess.Popen([sys.executable, "-m", "goexplint", target, "--no-cache"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    out = proc.stdout.read()
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=300)
    os.close(master)
    tty_err = b"".join(chunks)
    assert out == plain.stdout  # stdout unchanged
    n = plain.stderr.decode().count("\n")
    assert b"files (" in tty_err and b"files/s)" in tty_err
    assert tty_err.replace(b"\r\n", b"\n").count(b"\n") == n  # the progress line is cleared, not left behind
