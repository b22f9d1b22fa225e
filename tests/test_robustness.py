"""Property tests: the linter never raises, and findings move with the code they are about."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import FIXTURES
from goexplint.core.engine import Options, lint_source
from goexplint.core.registry import select_rules

ALL = Options(rule_ids=tuple(r.id for r in select_rules(["all"], None)), report_unused=True)
LEGACY_FILES = sorted((FIXTURES / "loopvar" / "legacy").glob("gxl10*.go"))
SOURCES = {p: p.read_bytes() for p in LEGACY_FILES}
COMMON = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def lint(path: Path, source: bytes):
    return lint_source(str(path), source, ALL, real_path=str(path))


@COMMON
@given(st.binary(max_size=2000))
def test_never_raises_on_arbitrary_bytes(data):
    result = lint(FIXTURES / "loopvar" / "legacy" / "x.go", data)
    assert isinstance(result.findings, list)


@COMMON
@given(st.sampled_from(LEGACY_FILES), st.data())
def test_never_raises_on_mutated_fixtures(path, data):
    src = bytearray(SOURCES[path])
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(src)))
        j = data.draw(st.integers(i, min(len(src), i + 40)))
        src[i:j] = data.draw(st.binary(max_size=12) | st.sampled_from([b"{", b"}", b"(", b"go func(){", b"\n",
                                                                       b"for _, v := range x {", b"&v", b"\xff"]))
    lint(path, bytes(src))


def _key(findings, shift_after=None, by=0):
    out = []
    for f in findings:
        line = f.line
        if shift_after is not None and line > shift_after:
            line -= by
        out.append((f.rule_id, line, f.col))  # messages name lines ("loop at line N"), so they shift too
    return sorted(out)


@COMMON
@given(st.sampled_from(LEGACY_FILES), st.data())
def test_blank_lines_and_comments_only_shift_findings(path, data):
    src = SOURCES[path]
    lines = src.split(b"\n")
    # insert after the package clause, at a line boundary
    first = next(i for i, line in enumerate(lines) if line.startswith(b"package ")) + 1
    at = data.draw(st.integers(first, len(lines) - 1))
    extra = data.draw(st.lists(st.sampled_from([b"", b"// an unrelated comment", b"\t", b"/* block */"]),
                               min_size=1, max_size=4))
    mutated = b"\n".join(lines[:at] + extra + lines[at:])
    before = _key(lint(path, src).findings)
    after = _key(lint(path, mutated).findings, shift_after=at, by=len(extra))
    assert before == after


GXL101_FINDINGS = [(p, f) for p in LEGACY_FILES for f in lint(p, SOURCES[p]).findings if f.rule_id == "GXL101"]


@COMMON
@given(st.sampled_from(GXL101_FINDINGS))
def test_shadow_copy_before_launch_removes_the_finding(item):
    path, finding = item
    launch = next(r for r in finding.related if r.message in ("go statement", "errgroup Go call"))
    if b"func(" not in SOURCES[path].split(b"\n")[launch.span.start.row]:
        return  # `go f()` of a closure built earlier: a copy here is too late (and rightly still reported)
    var = finding.message.split("loop variable ")[1].split(" ")[0]
    lines = SOURCES[path].split(b"\n")
    row = launch.span.start.row
    indent = lines[row][:len(lines[row]) - len(lines[row].lstrip())]
    copy = indent + ("%s := %s" % (var, var)).encode()
    mutated = b"\n".join(lines[:row] + [copy] + lines[row:])
    after = lint(path, mutated).findings
    moved = (finding.rule_id, finding.line + 1, finding.col)
    assert moved not in {(f.rule_id, f.line, f.col) for f in after}
