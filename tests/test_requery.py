"""core.requery: after an edit, re-querying only the touched top-level declarations gives exactly the
matches of a full query (same patterns, same nodes, same order, per rule) and the same whole-file
facts -- over chains of random edits of real files, as an editor makes them (the memo is carried from
edit to edit, the tree is edited and re-parsed incrementally).  Most edits must take the partial path,
or the test would prove nothing."""

import random
from pathlib import Path

import pytest
from conftest import goroot_files

from goexplint.core import engine, filequeries
from goexplint.core.parse import FileContext, parse_bytes
from goexplint.core.query import rule_matches
from goexplint.core.registry import rules_by_id, select_rules
from goexplint.core.requery import QueryMemo, _edit_span, _point

ROOT = Path(__file__).resolve().parent.parent
STDLIB = ("cmd/compile/internal/ssa/prove.go", "net/http/server.go", "sync/pool.go")
SNIPPETS = (b" // edit", b"x := 1\n", b"}", b"{", b"/*", b"*/", b'"', b"`", b"go f()\n", b"\n\n",
            b"for i := range xs { go func() { _ = i }() }\n", b"defer mu.Unlock()\n", b"func g() {}\n",
            b"type T struct{ mu sync.Mutex }\n", b"ctx := context.Background()\n", b"", b"(", b")")


def _paths():
    largest = sorted((ROOT / "fixtures").rglob("*.go"), key=lambda p: (-p.stat().st_size, str(p)))[:5]
    return largest + goroot_files(*STDLIB)


def _rules():
    return [r for r in rules_by_id().values() if r.query_source]


def _shapes(per_rule):
    return [[(p, {k: [(n.start_byte, n.end_byte, n.type) for n in v] for k, v in caps.items()})
             for p, caps in matches] for matches in per_rule]


def _facts(ctx):
    return [{k: [(n.start_byte, n.end_byte) for n in v] for k, v in filequeries.file_captures(ctx, q).items()}
            for q in filequeries.queries()]


def _edit(rng, source):
    """A random edit: insert a snippet, delete a few bytes, or replace a few bytes by a snippet."""
    at = rng.randrange(len(source))
    kind = rng.random()
    cut = 0 if kind < 0.6 else rng.randint(1, 12)
    text = b"" if 0.6 <= kind < 0.8 else rng.choice(SNIPPETS)
    return at, min(len(source), at + cut), text


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.name)
def test_requery_gives_the_full_query_matches(path):
    rules = _rules()
    rng = random.Random(path.name)
    source = path.read_bytes()
    tree = parse_bytes(source)
    memo = QueryMemo()
    rule_matches(rules, FileContext(str(path), source, tree, None), memo)
    edits = 30
    for _ in range(edits):
        start, end, text = _edit(rng, source)
        new = source[:start] + text + source[end:]
        tree.edit(start_byte=start, old_end_byte=end, new_end_byte=start + len(text),
                  start_point=_point(source, start), old_end_point=_point(source, end),
                  new_end_point=_point(new, start + len(text)))
        tree = parse_bytes(new, tree)
        source = new
        inc_ctx = FileContext(str(path), source, tree, None)
        got = rule_matches(rules, inc_ctx, memo)
        full_ctx = FileContext(str(path), source, parse_bytes(source), None)
        want = rule_matches(rules, full_ctx)
        assert _shapes(got) == _shapes(want), (path.name, start, end, text)
        assert _facts(inc_ctx) == _facts(full_ctx), (path.name, start, end, text)
    assert memo.requeried >= edits // 2, memo.requeried  # most edits took the partial path


def test_edit_span():
    assert _edit_span(b"abcdef", b"abXYef") == (2, 4, 4)
    assert _edit_span(b"abc", b"abc") == (3, 3, 3)
    assert _edit_span(b"aaaa", b"aaaaa") == (4, 4, 5)  # the suffix does not overlap the prefix
    assert _edit_span(b"abc", b"") == (0, 3, 0)


def test_lint_source_with_memo_same_findings():
    # through the engine, as the language server calls it: findings equal a lint without the memo
    path = ROOT / "fixtures" / "shared-counter"
    files = sorted(path.rglob("*.go"))[:6]
    options = engine.Options(rule_ids=tuple(r.id for r in select_rules(None, None)))
    for f in files:
        source = f.read_bytes()
        memo = QueryMemo()
        engine.lint_source(str(f), source, options, real_path=str(f), memo=memo)
        body = source.rfind(b"}")
        new = source[:body] + b"\t_ = 1\n" + source[body:]
        with_memo = engine.lint_source(str(f), new, options, real_path=str(f), memo=memo)
        without = engine.lint_source(str(f), new, options, real_path=str(f))
        assert [x.sort_key() for x in with_memo.findings] == [x.sort_key() for x in without.findings], str(f)
