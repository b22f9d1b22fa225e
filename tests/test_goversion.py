"""Stage 2: effective Go language version of a file (spec section C, "Version gating")."""

from __future__ import annotations

import base64
import json
import os
import pathlib
import random
import re
import shutil
import subprocess

import pytest
from hypothesis import given, settings, strategies as st

from goexplint.core import goversion
from goexplint.core.goversion import build_constraint_version, gomod_go_line, parse_lang, resolve

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "goversion"
GO = shutil.which("go")
needs_go = pytest.mark.skipif(GO is None, reason="the go command is not installed")
GO_ENV = dict(os.environ, GOFLAGS="", GOTOOLCHAIN="local", GOWORK="off", GOPROXY="off")
GO_ENV.pop("GOEXPERIMENT", None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    goversion.clear_cache()
    yield
    goversion.clear_cache()


def write(path: pathlib.Path, text: str) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def module(root: pathlib.Path, go_line: str = None, extra: str = "") -> pathlib.Path:
    text = "module example.com/m\n"
    if go_line is not None:
        text += "\ngo %s\n" % go_line
    write(root / "go.mod", text + extra)
    return root


def go_file(tag: str = None, body: str = "") -> bytes:
    head = "//go:build %s\n\n" % tag if tag is not None else ""
    return (head + "package p\n" + body).encode()


def resolve_in(directory: pathlib.Path, source: bytes, **kw):
    return resolve(str(directory / "a.go"), source, environ=kw.pop("environ", {}), **kw)


def no_gomod_above(path: pathlib.Path) -> bool:
    return all(not (p / "go.mod").exists() for p in [path, *path.parents])


# ---------------------------------------------------------------------------
# parse_lang
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, lang", [
    ("1.22", (1, 22)), ("1.22.0", (1, 22)), ("1.22.3", (1, 22)), ("1.22rc1", (1, 22)), ("1.21beta2", (1, 21)),
    ("go1.22", (1, 22)), ("1.9", (1, 9)), ("1.0", (1, 0)), (" 1.23 ", (1, 23)), ("go1.21.13", (1, 21)),
])
def test_parse_lang_valid(text, lang):
    assert parse_lang(text) == lang


@pytest.mark.parametrize("text", [
    "abc", "", "1", "1.", "2.0", "1.x", "1.22.", "1.22.3rc1", "1.22alpha1", "v1.22", "go 1.22", "1.022", "1.22-pre",
    "1..22", "1.22.0.1", "１.22",
])
def test_parse_lang_invalid(text):
    with pytest.raises(ValueError) as e:
        parse_lang(text)
    assert str(e.value) == "invalid Go version %r: expected e.g. 1.22 (or 1.22.3, 1.22rc1, go1.22)" % text


def test_parse_lang_rejects_non_strings():
    with pytest.raises(ValueError, match="invalid Go version"):
        parse_lang(None)


def test_versions_compare_numerically():
    assert "1.9" > "1.22"  # the trap
    assert parse_lang("1.9") < parse_lang("1.22") < parse_lang("1.100")
    assert gomod_go_line("go 1.9\n") < gomod_go_line("go 1.22\n")


def test_go_1_9_module_is_legacy(tmp_path):
    v = resolve_in(module(tmp_path, "1.9"), go_file())
    assert v.lang == (1, 9) and not v.per_iteration_loops and not v.at_least((1, 22))


# ---------------------------------------------------------------------------
# gomod_go_line
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, lang", [
    ("module m\n\ngo 1.22\n", (1, 22)),
    ("module m\ngo 1.22.0\n", (1, 22)),
    ("module m\ngo 1.22rc1\n", (1, 22)),
    ("module m\ngo 1.21\n", (1, 21)),
    ("module m\ngo 1.21.13\n", (1, 21)),
    ("module m\ngo 1.9\n", (1, 9)),
    ("go 1.22", (1, 22)),  # no trailing newline
    ("module m\r\ngo 1.22\r\n", (1, 22)),
    ("module m\n  \tgo   1.20   \n", (1, 20)),
    ("module m\ngo 1.21 // the minimum\n", (1, 21)),
    ("module m\ngo 1.21// glued comment\n", (1, 21)),
    ("// go 1.99\nmodule m // go 1.98\ngo 1.20\n", (1, 20)),
    ("module m\n\ntoolchain go1.23.0\n\ngo 1.21\n", (1, 21)),
    ("module m\ngo 1.20\ngo 1.22\n", (1, 20)),  # cmd/go rejects a repeated go statement; the first one counts
    ("module m\nrequire (\n\tgo 1.99\n\texample.com/x v1.0.0\n)\ngo 1.19\n", (1, 19)),
    ("module m\nrequire ( // deps\n\texample.com/x v1.0.0\n)\n\ngodebug (\n\tdefault=go1.21\n)\ngo 1.18\n", (1, 18)),
    ("module m\nreplace example.com/x => \"./x // (\"\ngo 1.17\n", (1, 17)),
    ("module m\ngo 1.21.x\n", (1, 21)),  # modfile's lax form, accepted for dependencies
])
def test_gomod_go_line(text, lang):
    assert gomod_go_line(text) == lang


@pytest.mark.parametrize("text", [
    "", "module m\n", "module m\ntoolchain go1.22.0\n", "// go 1.22\nmodule m\n", "module m\ngo\n",
    "module m\ngo 1.22 1.23\n", "module m\ngo abc\n", "module m\ngo 2.0\n", "module m\ngo (\n\t1.22\n)\n",
    "module m\ngolang 1.22\n", "module m\nrequire (\ngo 1.22\n)\n", "module m\n\"go\" 1.22\n",
    "module m\ngo \"1.22\"\n", "\x00\xff\n((((\n", "module m\ngo v1.22\n",
])
def test_gomod_go_line_none(text):
    assert gomod_go_line(text) is None


def test_gomod_go_line_accepts_bytes():
    assert gomod_go_line(b"module m\ngo 1.22\n") == (1, 22)
    assert gomod_go_line(None) is None


# ---------------------------------------------------------------------------
# build_constraint_version
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("expr, lang", [
    # the examples of the spec and of go/build/constraint vers.go
    ("linux && go1.22", (1, 22)),
    ("go1.22 || windows", None),
    ("!go1.22", None),
    ("(linux && go1.22) || (windows && go1.20)", (1, 20)),
    ("linux", None),
    ("linux || (windows && go1.22)", None),
    ("(linux && !linux && go1.20) || go1.21", (1, 20)),
    # more
    ("go1.22", (1, 22)),
    ("go1.9", (1, 9)),
    ("go1", (1, 0)),
    ("go1.0", (1, 0)),
    ("go1.21.1", None),
    ("go1.22 && go1.18", (1, 22)),
    ("go1.22 || go1.18", (1, 18)),
    ("!(!go1.22)", (1, 22)),  # polarity flips twice
    ("!(linux || !go1.22)", (1, 22)),
    ("!(go1.20 && go1.22)", None),
    ("go1.22 && !go1.30", (1, 22)),
    ("ignore", None),
    ("(((go1.22)))", (1, 22)),
    ("\tgo1.22\t&&\tlinux ", (1, 22)),
])
def test_build_constraint_version(expr, lang):
    assert build_constraint_version(go_file(expr)) == lang


@pytest.mark.parametrize("expr", [
    "", "go1.22 &&", "&& go1.22", "(go1.22", "go1.22)", "go1.22 & linux", "go1.22 | linux", "!!go1.22",
    "go1.22 linux", "go1.22 || || linux", "()", "go1.22 -x", "!",
])
def test_build_constraint_malformed_is_none(expr):
    assert build_constraint_version(go_file(expr)) is None


@pytest.mark.parametrize("source, lang", [
    (b"//go:build go1.22\n\npackage p\n", (1, 22)),
    (b"package p\n\n//go:build go1.22\n", None),  # after the package clause: ignored
    (b"// +build go1.22\n\npackage p\n", None),  # +build lines never give a version
    (b"//go:build linux\n// +build go1.22\n\npackage p\n", None),
    (b"// Copyright\n\n/* a\nblock */\n//go:build go1.22\n\n// Package p.\npackage p\n", (1, 22)),
    (b"/* //go:build go1.22 */\npackage p\n", None),
    (b"\xef\xbb\xbf//go:build go1.22\npackage p\n", (1, 22)),
    (b"//go:build go1.22\r\n\r\npackage p\r\n", (1, 22)),
    (b"  \t//go:build go1.22\npackage p\n", (1, 22)),
    (b"/* c */ //go:build go1.22\npackage p\n", (1, 22)),  # go/parser takes any top-of-file comment
    (b"//go:buildgo1.22\npackage p\n", None),
    (b"//go:build\tgo1.22\npackage p\n", (1, 22)),
    (b"//go:build go1.20\n//go:build go1.22\npackage p\n", (1, 22)),  # the last valid line wins
    (b"//go:build go1.22\n//go:build !!bad\npackage p\n", (1, 22)),  # an invalid line changes nothing
    (b"//go:build go1.22\n//go:build linux\npackage p\n", None),
    (b"//go:build go1.22", (1, 22)),
    (b"var x = 1\n//go:build go1.22\n", None),
    (b"/* unterminated //go:build go1.22\n", None),
    (b"", None),
])
def test_build_constraint_header_only(source, lang):
    assert build_constraint_version(source) == lang


def test_build_constraint_size_limit():
    # go/build/constraint allows at most 1000 operands.
    assert build_constraint_version(go_file(" && ".join(["go1.22"] * 1000))) == (1, 22)
    assert build_constraint_version(go_file(" && ".join(["go1.22"] * 1001))) is None
    assert build_constraint_version(go_file("(" * 1000 + "go1.22" + ")" * 1000)) is None


def test_build_constraint_deep_nesting():
    assert build_constraint_version(go_file("(" * 300 + "go1.22" + ")" * 300)) == (1, 22)
    assert build_constraint_version(go_file("!(" * 401 + "go1.22" + ")" * 401)) is None
    assert build_constraint_version(go_file("!(" * 400 + "go1.22" + ")" * 400)) == (1, 22)
    assert build_constraint_version(go_file("(" * 100000)) is None


def test_build_constraint_no_clamp():
    assert build_constraint_version(go_file("go1.18")) == (1, 18)


# Random expressions checked against a direct transcription of go/build/constraint minVersion.

def _min_version(tree, sign):
    kind = tree[0]
    if kind == "tag":
        if sign < 0:
            return -1
        m = re.fullmatch(r"go1(?:\.([0-9]+))?", tree[1])
        return -1 if m is None else int(m.group(1) or 0)
    if kind == "not":
        return _min_version(tree[1], -sign)
    x, y = _min_version(tree[1], sign), _min_version(tree[2], sign)
    return max(x, y) if (kind == "and") == (sign > 0) else min(x, y)


def _render(tree, top=True):
    kind = tree[0]
    if kind == "tag":
        return tree[1]
    if kind == "not":
        inner = tree[1]
        return "!" + (inner[1] if inner[0] == "tag" else "(" + _render(inner, False) + ")")
    text = "%s %s %s" % (_render(tree[1], False), "&&" if kind == "and" else "||", _render(tree[2], False))
    return text if top else "(" + text + ")"


_trees = st.recursive(
    st.tuples(st.just("tag"), st.sampled_from(["linux", "go1", "go1.18", "go1.20", "go1.21", "go1.22", "go1.23",
                                               "cgo", "go1.x", "ignore"])),
    lambda children: st.one_of(
        st.tuples(st.just("not"), children),
        st.tuples(st.sampled_from(["and", "or"]), children, children)),
    max_leaves=12)


@given(_trees)
@settings(max_examples=300, deadline=None)
def test_build_constraint_matches_reference_semantics(tree):
    expected = _min_version(tree, +1)
    assert build_constraint_version(go_file(_render(tree))) == (None if expected < 0 else (1, expected))


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_build_constraint_never_raises_on_bytes(data):
    build_constraint_version(data)
    build_constraint_version(b"//go:build " + data)


@given(st.text(alphabet="()!&| \tgo1.2linux_\u00e9\u0663\n\r\x00", max_size=80))
@settings(max_examples=500, deadline=None)
def test_build_constraint_never_raises_on_expression_soup(text):
    result = build_constraint_version(("//go:build " + text + "\npackage p\n").encode())
    assert result is None or (result[0] == 1 and result[1] >= 0)


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_gomod_go_line_never_raises(text):
    result = gomod_go_line(text)
    assert result is None or result[0] == 1
    gomod_go_line("module m\n" + text)
    gomod_go_line("go " + text)


@given(st.text(alphabet="go1.2 \t\n()/\"`r\\m", max_size=60))
@settings(max_examples=300, deadline=None)
def test_gomod_go_line_never_raises_on_gomod_soup(text):
    gomod_go_line(text)


# ---------------------------------------------------------------------------
# resolve: the x/tools internal/versions/types_test.go matrix and friends
# ---------------------------------------------------------------------------

MATRIX = [
    # (module go line, file tag) -> effective
    ("1.22", None, (1, 22)), ("1.22", "go1.19", (1, 21)), ("1.22", "go1.20", (1, 21)),
    ("1.22", "go1.21", (1, 21)), ("1.22", "go1.22", (1, 22)),
    ("1.20", None, (1, 20)), ("1.20", "go1.19", (1, 21)), ("1.20", "go1.20", (1, 21)),
    ("1.20", "go1.21", (1, 21)), ("1.20", "go1.22", (1, 22)),
    # No go.mod: the go command's own version (TOOLCHAIN_LANG), which a //go:build line may downgrade.
    (None, None, goversion.TOOLCHAIN_LANG), (None, "go1.19", (1, 21)), (None, "go1.20", (1, 21)),
    (None, "go1.21", (1, 21)), (None, "go1.22", (1, 22)),
]


@pytest.mark.parametrize("mod_version, tag, expected", MATRIX)
def test_xtools_matrix(tmp_path, mod_version, tag, expected):
    if mod_version is None:
        if not no_gomod_above(tmp_path):
            pytest.skip("a go.mod exists above %s" % tmp_path)
    else:
        module(tmp_path, mod_version)
    v = resolve_in(tmp_path, go_file(tag))
    assert v.lang == expected
    assert v.per_iteration_loops == (expected is not None and expected >= (1, 22))
    if tag is None:
        assert v.source == ("go.mod" if mod_version else "toolchain")
    elif expected != (goversion.TOOLCHAIN_LANG if mod_version is None else parse_lang(mod_version)):
        assert v.source == "build-tag"


def test_source_and_detail_go_mod(tmp_path):
    module(tmp_path, "1.21")
    v = resolve_in(tmp_path, go_file())
    assert (v.lang, v.source) == ((1, 21), "go.mod")
    assert re.fullmatch(r"go\.mod:3 \(go 1\.21\) at .*go\.mod", v.detail), v.detail


def test_upgrade_detail(tmp_path):
    module(tmp_path, "1.20")
    v = resolve_in(tmp_path, go_file("go1.22"))
    assert (v.lang, v.source, v.detail) == ((1, 22), "build-tag", "//go:build go1.22 upgrades go.mod's 1.20")


def test_downgrade_and_clamp(tmp_path):
    module(tmp_path, "1.22")
    v = resolve_in(tmp_path, go_file("go1.21"))
    assert (v.lang, v.source, v.detail) == ((1, 21), "build-tag", "//go:build go1.21 downgrades go.mod's 1.22")
    v = resolve_in(tmp_path, go_file("go1.18"))
    assert (v.lang, v.source) == ((1, 21), "build-tag")  # clamped to 1.21: still legacy loops
    assert "go1.18 raised to go1.21" in v.detail
    assert not v.per_iteration_loops


def test_tag_equal_to_module_keeps_module_source(tmp_path):
    module(tmp_path, "1.22")
    v = resolve_in(tmp_path, go_file("linux && go1.22"))
    assert (v.lang, v.source) == ((1, 22), "go.mod")
    assert "agrees" in v.detail


def test_tag_without_version_keeps_module(tmp_path):
    module(tmp_path, "1.20")
    for tag in ("linux", "go1.22 || windows", "!go1.22", "go1.22 &&"):
        v = resolve_in(tmp_path, go_file(tag))
        assert (v.lang, v.source) == ((1, 20), "go.mod"), tag


def test_go_build_after_package_ignored(tmp_path):
    module(tmp_path, "1.20")
    v = resolve_in(tmp_path, b"package p\n\n//go:build go1.22\n")
    assert (v.lang, v.source) == ((1, 20), "go.mod")


def test_plus_build_ignored(tmp_path):
    module(tmp_path, "1.20")
    v = resolve_in(tmp_path, b"// +build go1.22\n\npackage p\n")
    assert (v.lang, v.source) == ((1, 20), "go.mod")


def test_no_go_line_is_1_16(tmp_path):
    module(tmp_path, None)
    v = resolve_in(tmp_path, go_file())
    assert (v.lang, v.source) == ((1, 16), "default")
    assert v.detail.startswith("go.mod has no go line: 1.16")
    v = resolve_in(tmp_path, go_file("go1.22"))
    assert (v.lang, v.source) == ((1, 22), "build-tag")


def test_toolchain_line_ignored(tmp_path):
    module(tmp_path, "1.21", "\ntoolchain go1.23.4\n")
    assert resolve_in(tmp_path, go_file()).lang == (1, 21)
    write(tmp_path / "only" / "go.mod", "module example.com/only\n\ntoolchain go1.23.4\n")
    v = resolve_in(tmp_path / "only", go_file())
    assert (v.lang, v.source) == ((1, 16), "default")


def test_invalid_go_line_is_unknown(tmp_path):
    module(tmp_path, "banana")
    v = resolve_in(tmp_path, go_file())
    assert (v.lang, v.source) == (None, "unknown")
    assert "invalid go version 'banana'" in v.detail


def test_nearest_go_mod_wins(tmp_path):
    module(tmp_path, "1.20")
    module(tmp_path / "inner", "1.22")
    (tmp_path / "inner" / "deep" / "er").mkdir(parents=True)
    assert resolve_in(tmp_path / "inner" / "deep" / "er", go_file()).lang == (1, 22)
    (tmp_path / "sibling").mkdir()
    assert resolve_in(tmp_path / "sibling", go_file()).lang == (1, 20)


def test_go_mod_directory_is_skipped(tmp_path):
    module(tmp_path, "1.20")
    (tmp_path / "sub" / "go.mod").mkdir(parents=True)  # a directory named go.mod is not a module root
    assert resolve_in(tmp_path / "sub", go_file()).lang == (1, 20)


def test_unreadable_go_mod_is_unknown(tmp_path):
    module(tmp_path, "1.20")
    (tmp_path / "sub").mkdir()
    os.mkfifo(str(tmp_path / "sub" / "go.mod"))
    v = resolve_in(tmp_path / "sub", go_file())  # a FIFO must not hang the run
    assert (v.lang, v.source) == (None, "unknown")
    assert "cannot read" in v.detail


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_go_mod_permissions(tmp_path):
    module(tmp_path, "1.22")
    (tmp_path / "go.mod").chmod(0)
    try:
        v = resolve_in(tmp_path, go_file())
    finally:
        (tmp_path / "go.mod").chmod(0o644)
    assert (v.lang, v.source) == (None, "unknown")


def test_no_go_mod_is_the_toolchain_version(tmp_path):
    """Outside any module the go command compiles at its own language version (see test_no_go_mod_like_go_run)."""
    if not no_gomod_above(tmp_path):
        pytest.skip("a go.mod exists above %s" % tmp_path)
    v = resolve_in(tmp_path, go_file())
    assert (v.lang, v.source, v.text) == (goversion.TOOLCHAIN_LANG, "toolchain", "go1.%d" % goversion.TOOLCHAIN_LANG[1])
    assert v.detail.startswith("no go.mod at or above") and "own language version" in v.detail
    assert v.per_iteration_loops
    down = resolve_in(tmp_path, go_file("go1.21"))
    assert (down.lang, down.source, down.per_iteration_loops) == ((1, 21), "build-tag", False)
    assert down.detail == "//go:build go1.21 downgrades the toolchain's (no go.mod) %d.%d" % goversion.TOOLCHAIN_LANG


PER_ITERATION_PROBE = """package main

import "fmt"

func main() {
\tvar fs []func() int
\tfor i := 0; i < 3; i++ {
\t\tfs = append(fs, func() int { return i })
\t}
\tfor _, f := range fs {
\t\tfmt.Print(f())
\t}
\tfmt.Println()
}
"""


@needs_go
@pytest.mark.parametrize("tag", [None, "go1.21"])
def test_no_go_mod_like_go_run(tmp_path, tag):
    """The go command itself: `go run x.go` with no go.mod above prints 012 under per-iteration loop
    variables and 333 under one variable per loop; goexplint's version must agree for the file."""
    if not no_gomod_above(tmp_path):
        pytest.skip("a go.mod exists above %s" % tmp_path)
    source = ("//go:build %s\n\n" % tag if tag else "") + PER_ITERATION_PROBE
    write(tmp_path / "main.go", source)
    env = dict(GO_ENV)
    env.pop("GO111MODULE", None)
    proc = subprocess.run([GO, "run", "main.go"], cwd=str(tmp_path), env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() in ("012", "333")
    version = resolve(str(tmp_path / "main.go"), source.encode(), environ={})
    assert version.per_iteration_loops == (proc.stdout.strip() == "012"), (proc.stdout, version.detail)


def test_relative_path_and_odd_paths(tmp_path, monkeypatch):
    module(tmp_path, "1.22")
    (tmp_path / "pkg").mkdir()
    monkeypatch.chdir(tmp_path / "pkg")
    v = resolve("a.go", go_file(), environ={})
    assert v.lang == (1, 22)
    assert v.detail == "go.mod:3 (go 1.22) at %s" % (tmp_path / "go.mod")  # outside the cwd: absolute
    assert resolve(pathlib.Path("a.go"), go_file(), environ={}).lang == (1, 22)
    assert resolve(b"a.go", go_file(), environ={}).lang == (1, 22)
    assert resolve("a\x00b.go", go_file(), environ={}).source in ("go.mod", "unknown")


@given(st.binary(max_size=200))
@settings(max_examples=100, deadline=None)
def test_resolve_never_raises(data):
    v = resolve(str(FIXTURES / "mod120" / "x.go"), data, environ={})
    assert v.lang is not None and v.lang >= (1, 20)


def test_resolve_accepts_str_source(tmp_path):
    module(tmp_path, "1.20")
    assert resolve_in(tmp_path, "//go:build go1.22\npackage p\n").lang == (1, 22)
    assert resolve_in(tmp_path, None).lang == (1, 20)


# ---------------------------------------------------------------------------
# vendor/modules.txt
# ---------------------------------------------------------------------------

MODULES_TXT = """\
# example.com/a v1.0.0
## explicit; go 1.20
example.com/a
example.com/a/sub
# example.com/a/b v1.2.0
## explicit; go 1.22
example.com/a/b
# example.com/old v0.1.0
## explicit
example.com/old
# example.com/rc v0.0.0-20240101000000-abcdef123456
## explicit; go 1.21rc2
example.com/rc/x
# example.com/repl v1.0.0 => ../repl
## explicit; go 1.19
example.com/repl
# example.com/weird => ../weird
"""


@pytest.fixture
def vendored(tmp_path):
    module(tmp_path, "1.22", "\nrequire example.com/a v1.0.0\n")
    write(tmp_path / "vendor" / "modules.txt", MODULES_TXT)
    return tmp_path


@pytest.mark.parametrize("pkg, lang, source", [
    ("example.com/a", (1, 20), "vendor"),
    ("example.com/a/sub", (1, 20), "vendor"),
    ("example.com/a/b", (1, 22), "vendor"),  # the longer module path owns it
    ("example.com/a/b/unlisted", (1, 22), "vendor"),  # not listed: longest module prefix
    ("example.com/a/unlisted", (1, 20), "vendor"),
    ("example.com/rc/x", (1, 21), "vendor"),
    ("example.com/repl", (1, 19), "vendor"),
    ("example.com/old", None, "unknown"),  # no "## ... go" line
    ("example.com/zzz", None, "unknown"),  # no owning module
    ("example.com/ab", None, "unknown"),  # prefix only on a path-segment boundary
])
def test_vendor_modules_txt(vendored, pkg, lang, source):
    v = resolve_in(vendored / "vendor" / pkg, go_file())
    assert (v.lang, v.source) == (lang, source), v.detail


def test_vendor_detail(vendored):
    v = resolve_in(vendored / "vendor" / "example.com" / "a", go_file())
    assert v.detail.startswith("vendor/modules.txt:2 (example.com/a: go 1.20) at ")


def test_vendor_build_tag_still_applies(vendored):
    v = resolve_in(vendored / "vendor" / "example.com" / "a", go_file("go1.22"))
    assert (v.lang, v.source) == ((1, 22), "build-tag")
    assert "upgrades vendor/modules.txt's 1.20" in v.detail


def test_vendor_without_modules_txt_is_unknown(tmp_path):
    module(tmp_path, "1.22")
    (tmp_path / "vendor" / "example.com" / "a").mkdir(parents=True)
    v = resolve_in(tmp_path / "vendor" / "example.com" / "a", go_file())
    assert (v.lang, v.source) == (None, "unknown")
    # files of the vendor directory itself belong to no package
    write(tmp_path / "vendor" / "modules.txt", MODULES_TXT)
    goversion.clear_cache()
    assert resolve_in(tmp_path / "vendor", go_file()).source == "unknown"


def test_vendor_crlf_modules_txt(tmp_path):
    module(tmp_path, "1.22")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "modules.txt").write_bytes(MODULES_TXT.replace("\n", "\r\n").encode())
    assert resolve_in(tmp_path / "vendor" / "example.com" / "a", go_file()).lang == (1, 20)


def test_not_vendor_outside_module_root(tmp_path):
    module(tmp_path, "1.22")
    write(tmp_path / "vendor" / "modules.txt", MODULES_TXT)
    # only <modroot>/vendor counts; a nested directory named vendor is an ordinary package
    assert resolve_in(tmp_path / "internal" / "vendor" / "example.com" / "a", go_file()).source == "go.mod"
    assert resolve_in(tmp_path / "vendorx" / "example.com" / "a", go_file()).source == "go.mod"


# ---------------------------------------------------------------------------
# GOEXPERIMENT and the --go-version override
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, on", [
    ("loopvar", True), ("fieldtrack,loopvar", True), (" loopvar ", True), ("noloopvar", False),
    ("loopvar,noloopvar", False), ("noloopvar,loopvar", True), ("loopvar,none", False), ("", False),
    ("loopvars", False), ("rangefunc", False),
])
def test_goexperiment_loopvar(tmp_path, value, on):
    module(tmp_path, "1.20")
    v = resolve_in(tmp_path, go_file(), environ={"GOEXPERIMENT": value})
    assert (v.lang, v.source) == ((1, 20), "go.mod")
    assert v.loopvar_experiment is on
    assert v.per_iteration_loops is on


def test_goexperiment_reads_os_environ_by_default(tmp_path, monkeypatch):
    module(tmp_path, "1.21")
    monkeypatch.setenv("GOEXPERIMENT", "loopvar")
    v = resolve(str(tmp_path / "a.go"), go_file())
    assert v.loopvar_experiment and v.lang == (1, 21) and "GOEXPERIMENT=loopvar" in v.detail
    monkeypatch.delenv("GOEXPERIMENT")
    assert not resolve(str(tmp_path / "a.go"), go_file()).loopvar_experiment


def test_override_wins(tmp_path):
    module(tmp_path, "1.22")
    v = resolve_in(tmp_path, go_file("go1.21"), override="1.20")
    assert (v.lang, v.source) == ((1, 20), "flag")
    assert "--go-version 1.20" in v.detail
    v = resolve_in(tmp_path / "nowhere", go_file(), override="go1.23rc1", environ={"GOEXPERIMENT": "loopvar"})
    assert (v.lang, v.source, v.loopvar_experiment) == ((1, 23), "flag", True)


def test_override_invalid_raises(tmp_path):
    with pytest.raises(ValueError, match="invalid Go version 'abc'"):
        resolve_in(tmp_path, go_file(), override="abc")


# ---------------------------------------------------------------------------
# caching
# ---------------------------------------------------------------------------

def test_cache_and_clear_cache(tmp_path):
    module(tmp_path, "1.20")
    for i in range(20):
        (tmp_path / ("d%d" % i)).mkdir()
        assert resolve_in(tmp_path / ("d%d" % i), go_file()).lang == (1, 20)
    assert goversion._read_gomod.cache_info().misses == 1  # the go.mod was read once
    module(tmp_path, "1.22")
    assert resolve_in(tmp_path, go_file()).lang == (1, 20)  # cached
    goversion.clear_cache()
    assert resolve_in(tmp_path, go_file()).lang == (1, 22)


# ---------------------------------------------------------------------------
# fixtures/goversion: real modules
# ---------------------------------------------------------------------------

FIXTURE_FILES = [
    ("mod121/a.go", (1, 21), "go.mod"),
    ("mod122/a.go", (1, 22), "go.mod"),
    ("mod122/pre.go", (1, 21), "build-tag"),
    ("mod120/a.go", (1, 20), "go.mod"),
    ("mod120/post.go", (1, 22), "build-tag"),
    ("nogoline/a.go", (1, 16), "default"),
    ("nogomod/a.go", goversion.TOOLCHAIN_LANG, "toolchain"),
    ("nogomod/pre.go", (1, 21), "build-tag"),
    ("vendored/a.go", (1, 22), "go.mod"),
    ("vendored/vendor/example.com/dep/dep.go", (1, 20), "vendor"),
]
FIXTURE_MODULES = ["mod121", "mod122", "mod120", "nogoline", "vendored"]


def test_fixture_tree_is_complete():
    found = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.go"))
    assert found == sorted(rel for rel, _, _ in FIXTURE_FILES)
    assert no_gomod_above(FIXTURES.parent), "nogomod/ needs no go.mod above fixtures/"


@pytest.mark.parametrize("rel, lang, source", FIXTURE_FILES)
def test_fixture_resolve(rel, lang, source):
    path = FIXTURES / rel
    v = resolve(str(path), path.read_bytes(), environ={})
    assert (v.lang, v.source) == (lang, source), v.detail


def _go(args, cwd, timeout=300):
    return subprocess.run([GO, *args], cwd=str(cwd), env=GO_ENV, capture_output=True, text=True, timeout=timeout)


@needs_go
@pytest.mark.parametrize("name", FIXTURE_MODULES + ["nogomod"])
def test_fixture_go_vet(name):
    # nogomod has no module, so "./..." matches nothing there; vet its file as an ad-hoc package instead.
    args = ["vet", "a.go"] if name == "nogomod" else ["vet", "./..."]
    proc = _go(args, FIXTURES / name)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@needs_go
@pytest.mark.parametrize("name", FIXTURE_MODULES + ["nogomod"])
def test_fixture_matches_compiler(name):
    """-d=loopvar=3 makes the compiler log loops it compiles per-iteration without changing legacy (< 1.22) ones.

    (cmd/compile/internal/noder/writer.go distinctVars.)  Every fixture file has one capturing loop.
    """
    # nogomod: the file as an ad-hoc package (GO111MODULE unset in GO_ENV's defaults: module mode, no module).
    target = ["a.go", "pre.go"] if name == "nogomod" else ["./..."]
    proc = _go(["build", "-gcflags=all=-d=loopvar=3", *target], FIXTURES / name)
    assert proc.returncode == 0, proc.stderr
    logged = set()
    for line in proc.stderr.splitlines():
        m = re.match(r"(?:\./)?(\S+\.go):\d+:\d+: loop variable \w+ now per-iteration", line)
        if m:
            logged.add(m.group(1))
    expected = set()
    for rel, _, _ in FIXTURE_FILES:
        if rel.startswith(name + "/"):
            path = FIXTURES / rel
            if resolve(str(path), path.read_bytes(), environ={}).per_iteration_loops:
                expected.add(rel[len(name) + 1:])
    assert logged == expected, proc.stderr


# ---------------------------------------------------------------------------
# Go itself as the oracle (go/parser File.GoVersion, go mod edit -json)
# ---------------------------------------------------------------------------

ORACLE_GO = """package main

import (
    "bufio"
    "encoding/base64"
    "fmt"
    "go/parser"
    "go/token"
    "os"
)

func main() {
    sc := bufio.NewScanner(os.Stdin)
    sc.Buffer(make([]byte, 1<<20), 1<<26)
    for sc.Scan() {
        src, err := base64.StdEncoding.DecodeString(sc.Text())
        if err != nil {
            panic(err)
        }
        f, _ := parser.ParseFile(token.NewFileSet(), "x.go", src, parser.PackageClauseOnly)
        fmt.Printf("[%s]\\n", f.GoVersion)
    }
}
"""

ORACLE_EXPRS = [
    "linux && go1.22", "go1.22 || windows", "!go1.22", "(linux && go1.22) || (windows && go1.20)", "go1",
    "go1.0", "go1.21.1", "xgo1.5", "go1.022", "go1.99999999999999999999", "go1.9223372036854775807",
    "go1.9223372036854775808", "!(!go1.22)", "!!go1.22", "!(linux || !go1.22)", "go1.22 && !go1.30",
    "\u00fcn\u00efc\u00f6d\u00e9 && go1.22", "go1.\u0662\u0662", "go1.22\u00a0", "", "go1.22 &&", "(go1.22",
    "go1.22 & linux", "go1.22 || (linux && go1.18)", " && ".join(["go1.22"] * 1000),
    " && ".join(["go1.22"] * 1001), "(" * 300 + "go1.22" + ")" * 300, "go1.22\x00", "go1.22 \x1f",
]
ORACLE_SOURCES = [
    b"package p\n\n//go:build go1.22\n", b"// +build go1.22\n\npackage p\n", b"/* //go:build go1.22 */\npackage p\n",
    b"\xef\xbb\xbf//go:build go1.22\npackage p\n", b"//go:build go1.22\r\n\r\npackage p\r\n",
    b"//go:build go1.22\rlinux\npackage p\n", b"/* c */ //go:build go1.22\npackage p\n",
    b"//go:buildgo1.22\npackage p\n", b"//go:build\tgo1.22\npackage p\n", b"//go:build\x0bgo1.22\npackage p\n",
    b"//go:build go1.20\n//go:build go1.22\npackage p\n", b"//go:build go1.22\n//go:build !!bad\npackage p\n",
    b"//go:build go1.22\n//go:build linux\npackage p\n", b"//go:build go1.22 \xff\npackage p\n",
    b"// Copyright\n\n/* a\nblock */\n//go:build go1.21\n\n// Package p.\npackage p\n",
    b"\t \n//go:build go1.22 // trailing\npackage p\n",
]


def _random_exprs(n):
    rng = random.Random(1234)
    pieces = ["(", ")", "!", "&&", "||", "go1.20", "go1.22", "go1", "linux", "&", " ", " ", "\t"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(n)]


@needs_go
def test_build_constraint_matches_go_parser(tmp_path):
    sources = [("//go:build %s\n\npackage p\n" % e).encode() for e in ORACLE_EXPRS + _random_exprs(400)]
    sources += ORACLE_SOURCES
    (tmp_path / "oracle.go").write_text(ORACLE_GO)
    stdin = "".join(base64.b64encode(s).decode() + "\n" for s in sources)
    proc = subprocess.run([GO, "run", "oracle.go"], cwd=str(tmp_path), env=GO_ENV, input=stdin,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    answers = proc.stdout.splitlines()
    assert len(answers) == len(sources)
    mismatches = []
    for source, answer in zip(sources, answers):
        text = answer[1:-1]
        expected = None if text == "" else (1, int(text[4:] or 0))
        if build_constraint_version(source) != expected:
            mismatches.append((source, text))
    assert not mismatches


ORACLE_GOMODS = [
    "module example.com/m\n\ngo 1.22\n",
    "module example.com/m\n\ngo 1.22.0\n",
    "module example.com/m\n\ngo 1.23rc1\n",
    "module example.com/m\n\ngo 1.9\n",
    "module example.com/m\r\n\r\ngo 1.21 // comment\r\n",
    "// go 1.99\nmodule example.com/m // go 1.98\n\ngo 1.20\n",
    "module example.com/m\n\ngo 1.21\n\ntoolchain go1.23.0\n",
    "module example.com/m\n\ntoolchain go1.23.0\n",
    "module example.com/m\n",
    "module example.com/m\n\nrequire (\n\texample.com/x v1.0.0 // indirect\n)\n\ngo 1.19\n",
    "module example.com/m\n\ngodebug (\n\tdefault=go1.21\n)\n\ngo 1.18\n",
]


@needs_go
@pytest.mark.parametrize("text", ORACLE_GOMODS)
def test_gomod_go_line_matches_go_mod_edit(tmp_path, text):
    (tmp_path / "go.mod").write_text(text)
    proc = _go(["mod", "edit", "-json"], tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    go = json.loads(proc.stdout).get("Go")
    expected = None if not go else tuple(int(x) for x in re.match(r"(\d+)\.(\d+)", go).groups())
    assert gomod_go_line(text) == expected
