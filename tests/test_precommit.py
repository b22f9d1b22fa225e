"""The pre-commit hooks, run by the real ``pre-commit`` (``pre-commit try-repo``).

pre-commit builds a virtualenv and pip-installs goexplint from a snapshot git repository of this
checkout (the working tree as it is, untracked files included, so the test checks what is about to
be committed), then runs the hooks in temporary consumer repositories.  The Go toolchain is taken
off ``PATH``: the hook must not need it.  The test is skipped only when pre-commit cannot build its
environment for a reason outside the project (no route to a package index).
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT

pytest.importorskip("pre_commit")
GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

CAPTURE = textwrap.dedent("""\
    package main

    func use(int) {}

    func main() {
    \tfor _, v := range []int{1, 2} {
    \t\tgo func() { use(v) }()
    \t}
    }
    """)
CLEAN = textwrap.dedent("""\
    package main

    func use(int) {}

    func main() {
    \tfor _, v := range []int{1, 2} {
    \t\tgo func(v int) { use(v) }(v)
    \t}
    }
    """)
NETWORK_TROUBLE = ("Failed to establish a new connection", "Temporary failure in name resolution",
                   "Network is unreachable", "ConnectTimeoutError", "ProxyError", "ReadTimeoutError")


def _git_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_NOSYSTEM="1", HOME=str(home))
    return env


def _git(cwd, *args, env):
    subprocess.run([GIT, *args], cwd=cwd, env=env, check=True, capture_output=True)


def _commit_all(repo, env):
    _git(repo, "init", "-q", "-b", "main", env=env)
    _git(repo, "add", "-A", env=env)
    _git(repo, "commit", "-q", "-m", "snapshot", env=env)


def _checkout_files():
    """The files of this checkout as they are now (tracked and untracked, minus ignored)."""
    if (ROOT / ".git").exists():
        out = subprocess.run([GIT, "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                             capture_output=True, check=True).stdout
        return [p for p in out.decode().split("\0") if p and (ROOT / p).is_file()]
    wanted = ("goexplint", "queries")
    files = [str(p.relative_to(ROOT)) for w in wanted for p in (ROOT / w).rglob("*") if p.is_file()
             and "__pycache__" not in p.parts]
    return files + ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml"]


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory):
    """A snapshot git repo of this checkout, a shared PRE_COMMIT_HOME and an environment without Go."""
    base = tmp_path_factory.mktemp("precommit")
    home = base / "home"
    home.mkdir()
    env = _git_env(home)
    snap = base / "goexplint-snapshot"
    for rel in _checkout_files():
        if rel.startswith(("fixtures/", "tests/", "docs/")):
            continue  # not needed to build the package; keeps the copy small
        dst = snap / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dst)
    _commit_all(snap, env)
    go_dirs = {str(Path(p).parent) for p in (shutil.which("go"), shutil.which("gofmt")) if p}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p not in go_dirs)
    env["PRE_COMMIT_HOME"] = str(base / "cache")
    env["NO_COLOR"] = "1"
    return snap, env


def _consumer(tmp_path, files, env):
    repo = tmp_path / "consumer"
    for rel, text in files.items():
        p = repo / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    _commit_all(repo, env)
    return repo


def try_repo(hook_env, repo, hook, *extra):
    snap, env = hook_env
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(snap), hook, "--color", "never",
                           *extra], cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    out = proc.stdout + proc.stderr
    if proc.returncode == 3 and any(s in out for s in NETWORK_TROUBLE):
        pytest.skip("pre-commit could not install the hook environment (no package index reachable)")
    assert proc.returncode in (0, 1), out
    return proc.returncode, out


MODULES = {
    "legacy/go.mod": "module example.com/legacy\n\ngo 1.21\n",
    "legacy/main.go": CAPTURE,
    "legacy/vendor/example.com/dep/dep.go": CAPTURE.replace("package main", "package dep"),
    "modern/go.mod": "module example.com/modern\n\ngo 1.22\n",
    "modern/main.go": CAPTURE,
    "README.md": "not Go\n",
}


def test_manifest_is_valid():
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                           str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hook_reports_hazard_per_module_go_version(hook_env, tmp_path):
    repo = _consumer(tmp_path, MODULES, hook_env[1])
    code, out = try_repo(hook_env, repo, "goexplint", "--all-files")
    assert code == 1 and "goexplint" in out and "Failed" in out
    assert "legacy/main.go:7:19: GXL101 " in out  # go 1.21: the capture is a hazard
    assert "modern/main.go" not in out  # go 1.22: the same code is correct
    assert "vendor/" not in out  # named explicitly by pre-commit, dropped by --force-exclude ...
    assert "1 skipped: 1 vendored (--include-vendor lints them)" in out  # ... and counted
    assert "README" not in out


def test_hook_passes_on_clean_code(hook_env, tmp_path):
    files = dict(MODULES, **{"legacy/main.go": CLEAN})
    del files["legacy/vendor/example.com/dep/dep.go"]
    repo = _consumer(tmp_path, files, hook_env[1])
    code, out = try_repo(hook_env, repo, "goexplint", "--all-files")
    assert code == 0 and "Passed" in out, out
    assert "GXL" not in out


NOTE_ONLY = "package main\n\nfunc use(int) {}\n\nfunc main() {\n\tfor _, v := range []int{1} {\n\t\tv := v\n" \
    "\t\tuse(v)\n\t}\n}\n"


def test_hook_follows_fail_on(hook_env, tmp_path):
    files = {"modern/go.mod": "module example.com/modern\n\ngo 1.22\n", "modern/main.go": NOTE_ONLY}
    repo = _consumer(tmp_path, files, hook_env[1])
    code, out = try_repo(hook_env, repo, "goexplint", "--all-files")
    assert code == 0 and "Passed" in out, out  # a note is shown only with --verbose, and never fails
    (repo / ".goexplint.toml").write_text('fail-on = "note"\n')
    _commit_all(repo, hook_env[1])
    code, out = try_repo(hook_env, repo, "goexplint", "--all-files")
    assert code == 1 and "modern/main.go:7:3: GXL107 " in out and "[note]" in out, out


def test_full_repository_hook(hook_env, tmp_path):
    repo = _consumer(tmp_path, MODULES, hook_env[1])
    code, out = try_repo(hook_env, repo, "goexplint-full", "--all-files")
    assert code == 1 and "legacy/main.go:7:19: GXL101 " in out
    assert "modern/main.go" not in out and "vendor/" not in out  # the directory walk skips vendor/ ...
    assert "1 skipped: 1 vendored (--include-vendor lints them)" in out  # ... and counts its files


def test_fix_hook_applies_safe_fixes_once(hook_env, tmp_path):
    files = {k: v for k, v in MODULES.items() if "vendor" not in k}
    files["legacy/main.go"] = CAPTURE.replace("go func() { use(v) }()", "go func() {\n\t\t\tuse(v)\n\t\t}()")
    repo = _consumer(tmp_path, files, hook_env[1])
    code, out = try_repo(hook_env, repo, "goexplint-fix", "--all-files")
    assert code == 1 and "files were modified by this hook" in out
    fixed = (repo / "legacy/main.go").read_text()
    assert "\tfor _, v := range []int{1, 2} {\n\t\tv := v\n\t\tgo func() {" in fixed
    assert (repo / "modern/main.go").read_text() == CAPTURE  # go 1.22: nothing to fix
    code, out = try_repo(hook_env, repo, "goexplint-fix", "--all-files")
    assert code == 0 and "Passed" in out and (repo / "legacy/main.go").read_text() == fixed
