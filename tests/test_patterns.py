"""Go package patterns (./..., dir/...), standard input as -, and what a newcomer types first:
named non-Go files, directories without Go files, --help."""

import os
import subprocess
from pathlib import Path

import pytest

from conftest import GO, GO_ENV, requires_go, run_cli
from goexplint.core.discover import DiscoverOptions, DiscoveryError, discover
from test_cli import LEGACY, module

TREE = ("a.go", "x/a.go", "x/y/a.go", "x/y/z/a.go", "xyz/a.go", "other/y/a.go", "vendor/v/a.go", "testdata/t/a.go",
        "x/testdata/a.go", "_skip/a.go", ".hidden/a.go", "x/_skip/a.go", "empty/README.md", "x/y/notes.txt")


def tree(tmp_path):
    d = tmp_path / "m"
    for rel in TREE:
        p = d / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("package %s\n" % (p.parent.name.strip("._") or "m") if rel.endswith(".go") else "text\n")
    (d / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    return d


def dirs(d, pattern):
    return sorted({os.path.dirname(shown) or "." for _, shown in discover([pattern], DiscoverOptions(), d)})


@pytest.mark.parametrize("pattern, want", [
    ("./...", [".", "other/y", "x", "x/y", "x/y/z", "xyz"]),
    ("...", [".", "other/y", "x", "x/y", "x/y/z", "xyz"]),
    ("./x/...", ["x", "x/y", "x/y/z"]),  # x itself too, never xyz
    ("x/...", ["x", "x/y", "x/y/z"]),  # the import-path-like relative form means the same directory
    ("./x...", ["x", "x/y", "x/y/z", "xyz"]),  # ... matches any string, slashes included
    ("./.../y", ["other/y", "x/y"]),
    ("./x/y/z/...", ["x/y/z"]),
    ("./vendor/...", ["vendor/v"]),  # named explicitly, as go vet ./vendor/... does
])
def test_pattern_meaning(tmp_path, pattern, want):
    assert dirs(tree(tmp_path), pattern) == want


@requires_go
@pytest.mark.parametrize("pattern", ["./...", "./x/...", "./x...", "./.../y", "./x/y/z/..."])
def test_patterns_match_what_go_list_matches(tmp_path, pattern):
    """The go tool is the oracle: the directories of the packages `go list PATTERN` names."""
    d = tree(tmp_path)
    env = dict(GO_ENV, GOFLAGS="-mod=mod", GOCACHE=str(tmp_path / "gocache"), GOPATH=str(tmp_path / "gopath"))
    proc = subprocess.run([GO, "list", "-e", "-f", "{{.Dir}}", pattern], cwd=d, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    go_dirs = sorted(os.path.relpath(line, d) for line in proc.stdout.split())
    assert go_dirs and dirs(d, pattern) == go_dirs


def test_pattern_errors_and_warnings(tmp_path):
    d = tree(tmp_path)
    with pytest.raises(DiscoveryError, match="no such directory"):
        discover(["./nope/..."], DiscoverOptions(), d)
    warnings = []
    assert discover(["./empty/...", "./x/y/z/..."], DiscoverOptions(), d, warnings=warnings)
    assert warnings == ["./empty/...: matched no Go files"]
    warnings = []
    assert discover(["empty"], DiscoverOptions(), d, warnings=warnings) == []
    assert warnings == ["empty: no Go files found"]


def test_patterns_on_the_command_line(tmp_path):
    d = module(tmp_path, files={"a.go": LEGACY, "sub/b.go": LEGACY, "vendor/v/c.go": LEGACY})
    dots = run_cli("./...", cwd=d)
    assert dots.returncode == 1 and dots.stdout == run_cli(".", cwd=d).stdout
    assert sorted(line.split(":")[0] for line in dots.stdout.decode().splitlines()) == ["a.go", "sub/b.go"]
    sub = run_cli("./sub/...", cwd=d)
    assert sub.stdout.decode().startswith("sub/b.go:8:8: GXL101") and len(sub.stdout.decode().splitlines()) == 1
    assert run_cli("m/...", cwd=tmp_path).stdout.decode().count("GXL101") == 2
    missing = run_cli("./nope/...", cwd=d)
    assert missing.returncode == 2 and len(missing.stderr.decode().strip().splitlines()) == 1


def test_named_non_go_file_is_an_error(tmp_path):
    d = module(tmp_path)
    proc = run_cli("go.mod", cwd=d)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "go.mod: not a Go file" in err and len(err.strip().splitlines()) == 1
    assert proc.stdout == b""


def test_directory_without_go_files_warns(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x.md").write_text("# x\n")
    proc = run_cli("docs", cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 0 and "warning: docs: no Go files found" in err


def test_dash_reads_standard_input(tmp_path):
    d = module(tmp_path)
    proc = run_cli("--stdin-filename", "a.go", "-", cwd=d, stdin=LEGACY.encode())
    assert proc.returncode == 1 and proc.stdout.decode().startswith("a.go:8:8: GXL101")
    bare = run_cli("-", cwd=d, stdin=LEGACY.encode())  # no name: shown as -, Go version of ./go.mod
    assert bare.returncode == 1 and bare.stdout.decode().startswith("-:8:8: GXL101")
    assert run_cli("-", cwd=module(tmp_path, go="1.22", name="n"), stdin=LEGACY.encode()).returncode == 0
    mixed = run_cli("-", "a.go", cwd=d, stdin=LEGACY.encode())
    assert mixed.returncode == 2 and "cannot be combined" in mixed.stderr.decode()


def test_help_names_the_language_server():
    out = run_cli("--help").stdout.decode()
    assert "goexplint lsp" in out and "./..." in out
    for fmt in ("github", "gitlab", "junit", "checkstyle"):
        assert fmt in out


def test_discover_gives_display_paths_relative_to_cwd(tmp_path):
    d = tree(tmp_path)
    got = discover(["./y/..."], DiscoverOptions(), d / "x")
    assert [shown for _, shown in got] == ["y/a.go", "y/z/a.go"] and all(isinstance(p, Path) for p, _ in got)
