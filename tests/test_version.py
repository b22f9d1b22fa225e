"""``goexplint --version``: the release, plus the commit when goexplint runs from a git checkout, read from the
git files without a git command, and never an error (an installed package, odd or unreadable git files)."""

import re
import shutil
import subprocess

import pytest

from conftest import ROOT, run_cli
import goexplint

SHA = "0123456789abcdef0123456789abcdef01234567"
OTHER = "fedcba9876543210fedcba9876543210fedcba98"


def head_of_this_checkout():
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout, or no git to compare with")
    return subprocess.run([git, "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_version_names_the_release_and_the_checked_out_commit():
    head = head_of_this_checkout()
    proc = run_cli("--version", env={"PATH": ""})  # no git on PATH: the commit comes from the files
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().strip() == "goexplint %s (git %s)" % (goexplint.__version__, head[:12])
    assert goexplint.checkout_commit() == head


def package_in(tmp_path, monkeypatch, layout):
    """goexplint/__init__.py as if it lived in tmp_path/checkout/goexplint, with the git files ``layout``."""
    root = tmp_path / "checkout"
    for rel, text in layout.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (root / "goexplint").mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(goexplint, "__file__", str(root / "goexplint" / "__init__.py"))
    return root


@pytest.mark.parametrize("layout,commit", [
    ({}, None),  # an installed package: no .git next to it
    ({"checkout/.git/HEAD": "ref: refs/heads/main\n", "checkout/.git/refs/heads/main": SHA + "\n"}, SHA),
    ({"checkout/.git/HEAD": "ref: refs/heads/main\n",
      "checkout/.git/packed-refs": "# pack-refs with: peeled fully-peeled sorted\n%s refs/heads/other\n"
                                   "%s refs/heads/main\n^%s\n" % (OTHER, SHA, OTHER)}, SHA),
    ({"checkout/.git/HEAD": SHA + "\n"}, SHA),  # detached
    # a worktree: .git is a file naming its git directory, whose commondir holds the branches
    ({"checkout/.git": "gitdir: ../repo/.git/worktrees/wt\n",
      "repo/.git/worktrees/wt/HEAD": "ref: refs/heads/topic\n", "repo/.git/worktrees/wt/commondir": "../..\n",
      "repo/.git/refs/heads/topic": SHA + "\n"}, SHA),
    ({"checkout/.git/HEAD": "ref: refs/heads/gone\n"}, None),  # an unborn branch
    ({"checkout/.git/HEAD": "garbage\n"}, None),
    ({"checkout/.git/HEAD": "ref: refs/heads/main\n", "checkout/.git/refs/heads/main": "not a sha\n"}, None),
    ({"checkout/.git": "not a gitdir line\n"}, None),
])
def test_checkout_commit_from_git_files(tmp_path, monkeypatch, layout, commit):
    package_in(tmp_path, monkeypatch, layout)
    assert goexplint.checkout_commit() == commit
    expected = "goexplint " + goexplint.__version__ + (" (git %s)" % commit[:12] if commit else "")
    assert goexplint.version_text() == expected


def test_unreadable_git_files_are_no_error(tmp_path, monkeypatch):
    root = package_in(tmp_path, monkeypatch, {})
    (root / ".git" / "HEAD").mkdir(parents=True)  # reading it fails (IsADirectoryError)
    assert goexplint.checkout_commit() is None
    (root / ".git" / "HEAD").rmdir()
    (root / ".git" / "HEAD").write_bytes(b"\xff\xfe ref: \x00")  # not UTF-8
    assert goexplint.checkout_commit() is None


def test_no_git_command_is_run(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("version_text ran a command")
    monkeypatch.setattr(subprocess, "Popen", refuse)
    assert re.fullmatch(r"goexplint \d+\.\d+\.\d+( \(git [0-9a-f]{12}\))?", goexplint.version_text())
