"""Safe autofixes: the generic mechanism (conflicts, repetition), --fix / --diff on copies of the
fixtures through the real command line, SARIF ``fixes``, and a hypothesis property over every
fixture file with fixable findings: fixing removes exactly the fixed findings, adds none, keeps
the file parseable and gofmt-clean, and a second pass changes nothing."""

import collections
import functools
import hashlib
import json
import shutil
import subprocess
import textwrap

import pytest
from hypothesis import given, settings, strategies as st

from conftest import FIXTURES, GO, run_cli
from test_cli import module

from goexplint.integrations import fixes
from goexplint.core.engine import Options, lint_source
from goexplint.core.data import Edit, Finding, Fix, Position, Span
from goexplint.core.parse import parse_bytes
from goexplint.core.registry import select_rules

GOFMT = shutil.which("gofmt") if GO else None
DEFAULT_IDS = tuple(r.id for r in select_rules(None, None))


def _finding(rule, start, edits, row=0):
    pos = Position(row, start, start)
    return Finding(rule, "a.go", Span(pos, pos), "m", "warning", "high",
                   fixes=(Fix("t", tuple(Edit(*e) for e in edits)),))


def test_plan_skips_conflicts_and_merges_identical_edits():
    a = _finding("GXL101", 1, [(10, 10, "x")])
    b = _finding("GXL101", 2, [(10, 10, "x")])  # the same insertion: applied once
    c = _finding("GXL102", 3, [(10, 10, "y")])  # another insertion at the same offset: skipped
    d = _finding("GXL107", 4, [(5, 12, "")])  # overlaps the insertion point: skipped
    e = _finding("GXL107", 5, [(20, 25, "z")])
    chosen, edits = fixes.plan([e, d, c, b, a])
    assert [f.span.start.col for f, _ in chosen] == [1, 2, 5]
    assert edits == [Edit(10, 10, "x"), Edit(20, 25, "z")]
    src = bytes(range(97, 123)) + b"0123"
    assert fixes.apply_edits(src, edits) == src[:10] + b"x" + src[10:20] + b"z" + src[25:]
    suppressed = _finding("GXL101", 1, [(0, 1, "")])
    suppressed.suppressed = "reason"
    assert fixes.plan([suppressed]) == ([], [])


def test_fix_source_repeats_until_nothing_is_left():
    text = b"abc"

    def lint(src):  # a pretend rule: every 'b' should become 'B', two findings at one offset
        i = src.find(b"b")
        return [] if i < 0 else [_finding("GXL101", i, [(i, i + 1, "B")]), _finding("GXL102", i, [(i, i, "_")])]

    new, n = fixes.fix_source(text, lint)
    assert new == b"a_Bc" or new == b"aB_c" or new == b"aBc"
    assert fixes.fix_source(new, lint) == (new, 0)


def _digest(d):
    return {p.relative_to(d).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("unit", ["loopvar/legacy", "loopvar/modern"])
def test_diff_writes_nothing_and_fix_applies_the_same(tmp_path, unit):
    src = FIXTURES / unit
    d = tmp_path / "work"
    shutil.copytree(src, d)
    before = _digest(d)
    diff = run_cli(".", "--diff", cwd=d)
    assert diff.returncode == 1 and _digest(d) == before  # nothing written
    patch = diff.stdout.decode()
    assert patch.startswith("--- a/") and "\n+++ b/" in patch
    other = tmp_path / "other"
    shutil.copytree(src, other)
    subprocess.run(["git", "apply", "-p1", "-"], cwd=other, input=diff.stdout, check=True, capture_output=True)
    fixed = run_cli(".", "--fix", cwd=d)
    assert fixed.returncode in (0, 1) and "applied" in fixed.stderr.decode()
    assert _digest(d) == _digest(other) != before  # --fix wrote exactly what --diff showed
    again = run_cli(".", "--fix", cwd=d)
    assert _digest(d) == _digest(other) and "applied 0 fixes" in again.stderr.decode()
    assert run_cli(".", "--diff", cwd=d).returncode == 0
    report = json.loads(run_cli(".", "--format", "json", cwd=d).stdout)
    assert not [f for f in report["findings"] if f["fixes"]]
    for p in d.rglob("*.go"):
        assert not parse_bytes(p.read_bytes()).root_node.has_error, p
    if GOFMT:  # the fixtures are gofmt-clean, and so are the fixed files
        assert subprocess.run([GOFMT, "-l", "."], cwd=src, capture_output=True, text=True).stdout == ""
        assert subprocess.run([GOFMT, "-l", "."], cwd=d, capture_output=True, text=True).stdout == ""


def test_fix_never_runs_without_the_flag_and_refuses_stdin(tmp_path):
    d = module(tmp_path)
    before = _digest(d)
    for args in ([], ["--format", "json"], ["--format", "sarif"], ["--show-source"]):
        run_cli(".", *args, cwd=d)
        assert _digest(d) == before
    proc = run_cli("--fix", "--stdin-filename", "a.go", cwd=d, stdin=b"package p\n")
    assert proc.returncode == 2
    assert run_cli(".", "--fix", "--diff", cwd=d).returncode == 2


def test_sarif_fixes_match_the_applied_fix(tmp_path):
    d = module(tmp_path)
    doc = json.loads(run_cli(".", "--format", "sarif", cwd=d).stdout)
    [res] = doc["runs"][0]["results"]
    [fix] = res["fixes"]
    [change] = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "a.go", "uriBaseId": "%SRCROOT%"}
    source = (d / "a.go").read_bytes()
    out = source
    for rep in sorted(change["replacements"], key=lambda r: -r["deletedRegion"]["byteOffset"]):
        start = rep["deletedRegion"]["byteOffset"]
        out = out[:start] + rep["insertedContent"]["text"].encode() + out[start + rep["deletedRegion"]["byteLength"]:]
    run_cli(".", "--fix", cwd=d)
    assert out == (d / "a.go").read_bytes() != source
    assert "v := v" in fix["description"]["text"]


# ---- property over the fixtures ----------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def fixable_files():
    options = Options(rule_ids=DEFAULT_IDS)
    out = []
    for p in sorted(FIXTURES.rglob("*.go")):
        if "stubs" in p.parts:
            continue
        found = lint_source(str(p), p.read_bytes(), options, real_path=str(p)).findings
        ids = sorted({f.rule_id for f in found if f.suppressed is None and any(x.safe for x in f.fixes)})
        if ids:
            out.append((p, tuple(ids)))
    return out


def _key(f):
    return (f.rule_id, " ".join(f.line_text.split()), f.context)


def test_there_are_fixable_fixtures_for_each_fixing_rule():
    ids = {i for _, ids in fixable_files() for i in ids}
    assert {"GXL101", "GXL102", "GXL107"} <= ids


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_fixing_fixtures_is_clean_and_idempotent(data):
    path, fixable_ids = data.draw(st.sampled_from(fixable_files()))
    fix_ids = data.draw(st.sets(st.sampled_from(fixable_ids), min_size=1))
    others = data.draw(st.sets(st.sampled_from([i for i in DEFAULT_IDS if i not in fixable_ids])))
    options = Options(rule_ids=tuple(sorted(fix_ids | others)))
    source = path.read_bytes()

    def lint(b):
        return lint_source(str(path), b, options, real_path=str(path)).findings

    before = [f for f in lint(source) if f.suppressed is None]
    new, applied = fixes.fix_source(source, lint)
    assert applied >= 1 and new != source
    assert not parse_bytes(new).root_node.has_error
    after = [f for f in lint(new) if f.suppressed is None]
    assert not [f for f in after if any(x.safe for x in f.fixes)]  # the fixed findings are gone
    unfixable = collections.Counter(_key(f) for f in before if not any(x.safe for x in f.fixes))
    assert not collections.Counter(_key(f) for f in after) - unfixable  # and nothing new appeared
    assert fixes.fix_source(new, lint) == (new, 0)  # idempotent
    if GOFMT:
        fmt = [subprocess.run([GOFMT, "-l"], input=b, capture_output=True).stdout for b in (source, new)]
        if not fmt[0]:
            assert not fmt[1], "gofmt would change the fixed file"


LOOPS = textwrap.dedent("""\
    package p

    func use(int) {}

    func f(xs []int, n int) {
    \tfor i := 0; i < n; i++ {
    \t\tgo func() { use(i) }()
    \t\ti++
    \t}
    \tfor i := 0; i < n; i++ {
    \t\tgo func() { use(i) }()
    \t}
    \tfor _, v := range xs { go func() { use(v) }() }
    \tfor _, v := range xs {
    \t\tv = v * 2
    \t\tgo func() { use(v) }()
    \t}
    }
    """)


def test_copy_fix_is_offered_only_where_it_is_safe(tmp_path):
    d = module(tmp_path, files={"a.go": LOOPS})
    report = json.loads(run_cli(".", "--format", "json", cwd=d).stdout)
    got = [(f["rule"], f["line"], [x["edits"][0]["text"] for x in f["fixes"]]) for f in report["findings"]]
    assert got == [
        ("GXL101", 7, []),  # the body writes i: a copy would stop steering the loop
        ("GXL101", 11, ["\t\ti := i\n"]),
        ("GXL101", 13, []),  # one-line body
        ("GXL101", 16, ["\t\tv := v\n"]),  # a range loop re-assigns v anyway
    ]


NIL_CTX = textwrap.dedent("""\
    package p

    import (
    \tstdctx "context"
    \t"time"
    )

    func a() {
    \t_, cancel := stdctx.WithTimeout(nil, time.Second)
    \tdefer cancel()
    }

    func b(ctx stdctx.Context) {
    \t_, cancel := stdctx.WithTimeout(nil, time.Second)
    \tdefer cancel()
    }
    """)


def test_nil_context_fix_uses_the_import_name_and_stays_out_when_a_ctx_is_in_scope(tmp_path):
    d = module(tmp_path, go="1.22", files={"a.go": NIL_CTX})
    proc = run_cli("--fix", "--select", "GXL410", ".", cwd=d)
    text = (d / "a.go").read_text()
    assert "stdctx.WithTimeout(stdctx.TODO(), time.Second)" in text
    assert text.count("WithTimeout(nil,") == 1  # b has a ctx parameter: passing it is the author's call
    assert proc.returncode == 1 and "a.go:14" in proc.stdout.decode()  # the unfixed one is still reported
    again = run_cli("--fix", "--select", "GXL410", ".", cwd=d)
    assert (d / "a.go").read_text() == text and again.returncode == 1
