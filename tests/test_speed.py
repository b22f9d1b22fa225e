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


def test_combined_query_owners_are_the_rules_own_patterns():
    """The combined query maps each pattern to its rule by where the pattern starts; that must give the
    rule-local pattern numbers each rule's own query has (for any rule order, whole-file queries last)."""
    from goexplint.core import filequeries, query, registry

    rules = registry.all_rules()
    count = filequeries.registered()
    _, file_owner = filequeries.combined_source(count)
    for chosen in (rules, rules[::-1], rules[::3], rules[:2]):
        ids = tuple(r.id for r in chosen)
        combined, owner = query.combined_query(ids, count)
        expected = [(pos, i) for pos, r in enumerate(chosen) for i in range(r.query.pattern_count)]
        expected += [(-1, n) for n in file_owner]
        assert list(owner) == expected and combined.pattern_count == len(expected)
    assert sum(r.query.pattern_count for r in rules) > len(rules)  # some rules have several patterns


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
