"""Baselines (--write-baseline / --baseline) and diff mode (--new-from-rev) on temporary git
repositories, through the real command line."""

import json
import os
import subprocess
import textwrap

import pytest

from conftest import run_cli
from test_cli import LEGACY, module

GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_NOSYSTEM="1")

SECOND = textwrap.dedent("""\
    package p

    func g(xs []int) {
    \tfor _, w := range xs {
    \t\tgo func() {
    \t\t\tuse(w)
    \t\t}()
    \t}
    }
    """)


def git(d, *args):
    return subprocess.run(["git", *args], cwd=d, env=GIT_ENV, check=True, capture_output=True).stdout.decode()


def repo(tmp_path, files=None):
    d = module(tmp_path, files=files)
    git(d, "init", "-q", "-b", "main")
    git(d, "add", "-A")
    git(d, "commit", "-q", "-m", "initial")
    return d


def lines(proc):
    return [line.split(" ")[0] + " " + line.split(" ")[1] for line in proc.stdout.decode().splitlines()]


def test_baseline_round_trip_and_line_shifts(tmp_path):
    d = module(tmp_path, files={"a.go": LEGACY, "b.go": SECOND})
    w = run_cli(".", "--write-baseline", "base.json", cwd=d)
    assert w.returncode == 0 and w.stdout == b"" and "wrote 2 findings" in w.stderr.decode()
    doc = json.loads((d / "base.json").read_text())
    assert doc["version"] == 1 and sorted(x["path"] for x in doc["findings"]) == ["a.go", "b.go"]
    same = run_cli(".", "--baseline", "base.json", cwd=d)
    assert same.returncode == 0 and same.stdout == b"" and "2 not new (baseline)" in same.stderr.decode()
    # lines inserted above both findings: they move, but stay known
    (d / "a.go").write_text(LEGACY.replace("package p\n", "package p\n\n// moved\nvar x = 1\n\n"))
    (d / "b.go").write_text(SECOND.replace("\tfor _, w", "\t_ = 0\n\t_ = 1\n\tfor _, w"))
    assert run_cli(".", "--baseline", "base.json", cwd=d).returncode == 0
    # a new hazard, and a second copy of a baselined line, are reported
    (d / "b.go").write_text(SECOND.replace("\t\t\tuse(w)\n", "\t\t\tuse(w)\n\t\t\tuse(w)\n"))
    (d / "c.go").write_text(SECOND.replace("func g", "func h"))
    new = run_cli(".", "--baseline", "base.json", cwd=d)
    assert new.returncode == 1
    assert lines(new) == ["b.go:7:8: GXL101", "c.go:6:8: GXL101"]
    # the same baseline from another directory (paths are relative to the baseline file)
    from_parent = run_cli("m", "--baseline", "m/base.json", cwd=tmp_path)
    assert lines(from_parent) == ["m/b.go:7:8: GXL101", "m/c.go:6:8: GXL101"]
    sarif = json.loads(run_cli(".", "--baseline", "base.json", "--format", "sarif", cwd=d).stdout)
    assert len(sarif["runs"][0]["results"]) == 2


@pytest.mark.parametrize("content, why", [
    (None, "cannot read baseline"),
    ("{not json", "is not valid JSON"),
    ('{"version": 1, "findings": [{"rule": "GXL101"}]}', "is not a goexplint baseline"),
    ('[1, 2]', "is not a goexplint baseline"),
])
def test_bad_baseline_is_a_one_line_error(tmp_path, content, why):
    d = module(tmp_path)
    if content is not None:
        (d / "base.json").write_text(content)
    proc = run_cli(".", "--baseline", "base.json", cwd=d)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b""
    assert err.count("\n") == 1 and err.startswith("goexplint: error: ") and why in err


def test_new_from_rev_reports_only_changed_lines(tmp_path):
    d = repo(tmp_path, files={"a.go": LEGACY, "b.go": SECOND})
    assert run_cli(".", "--new-from-rev", "HEAD", cwd=d).returncode == 0  # nothing changed
    # modify b.go: two lines above, the capture line replaced; add an untracked file
    (d / "b.go").write_text(SECOND.replace("\t\t\tuse(w)\n", "\t\t\tuse(1)\n\t\t\tuse(w + 1)\n").replace(
        "package p\n", "package p\n\n// header\n"))
    (d / "new.go").write_text(SECOND.replace("func g", "func h"))
    (d / "a.go").write_text(LEGACY.replace("package p\n", "package p\n\n// moved down, not changed\n"))
    proc = run_cli(".", "--new-from-rev", "HEAD", cwd=d)
    assert proc.returncode == 1
    assert lines(proc) == ["b.go:9:8: GXL101", "new.go:6:8: GXL101"]
    assert "not new (unchanged lines)" in proc.stderr.decode()
    # everything is reported against a revision before the files existed
    git(d, "add", "-A")
    git(d, "commit", "-q", "-m", "second")
    assert lines(run_cli(".", "--new-from-rev", "HEAD~1", cwd=d)) == ["b.go:9:8: GXL101", "new.go:6:8: GXL101"]
    assert run_cli(".", "--new-from-rev", "HEAD", cwd=d).returncode == 0
    # from a sub-directory of the repository
    sub = d / "sub"
    sub.mkdir()
    (sub / "s.go").write_text(SECOND)
    assert lines(run_cli(".", "--new-from-rev", "HEAD", cwd=sub)) == ["s.go:6:8: GXL101"]


def test_new_from_rev_errors(tmp_path):
    d = repo(tmp_path)
    proc = run_cli(".", "--new-from-rev", "no-such-rev", cwd=d)
    assert proc.returncode == 2 and proc.stderr.decode() == (
        "goexplint: error: --new-from-rev no-such-rev: git knows no branch, tag or commit 'no-such-rev' in the "
        "repository at %s\n" % os.path.realpath(d))
    proc = run_cli(".", "--new-from-rev", "HEAD^{tree}", cwd=d)
    assert proc.returncode == 2 and proc.stderr.decode().endswith(": names a tree, not a commit\n")
    proc = run_cli(".", "--new-from-rev=--output=x", cwd=d)
    assert proc.returncode == 2 and "not a revision name" in proc.stderr.decode()
    plain = module(tmp_path / "nogit")
    proc = run_cli(".", "--new-from-rev", "HEAD", cwd=plain, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1
    assert err.startswith("goexplint: error: --new-from-rev HEAD: ") and "is not in a git repository" in err
    subprocess.run(["git", "init", "-q", str(plain)], check=True)
    proc = run_cli(".", "--new-from-rev", "HEAD", cwd=plain, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert proc.returncode == 2 and "has no commits yet" in proc.stderr.decode()
    assert run_cli(".", "--write-baseline", "x", "--baseline", "x", cwd=d).returncode == 2
