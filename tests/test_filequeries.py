"""Whole-file facts (``core.filequeries``): what a helper reads with ``file_captures`` is exactly what its query
run on its own over the file returns (``parse.captures``): the same nodes per capture name, in document
order (py-tree-sitter's own ``captures()`` order differs from one process to the next; ``parse.captures``
sorts) --
whether the facts came out of the engine's combined rule query or out of the registered queries run
together on a file the engine has not queried."""

from pathlib import Path

import pytest
from conftest import goroot_files

from goexplint.core import filequeries
from goexplint.core.parse import FileContext, captures, parse_bytes
from goexplint.core.query import rule_matches
from goexplint.core.registry import rules_by_id

ROOT = Path(__file__).resolve().parent.parent
STDLIB_FILES = ("net/http/server.go", "runtime/proc.go", "go/types/expr.go", "sync/pool.go",
                "cmd/go/internal/work/exec.go", "database/sql/sql.go", "context/context.go")


def _files():
    return sorted((ROOT / "fixtures").rglob("*.go")) + goroot_files(*STDLIB_FILES)


def _ctx(path: Path) -> FileContext:
    source = path.read_bytes()
    return FileContext(str(path), source, parse_bytes(source), None)


def _shape(caps):
    return {name: [(n.start_byte, n.end_byte, n.type) for n in nodes] for name, nodes in caps.items() if nodes}


def _queries():
    rules_by_id()  # every rule module is imported: its facts are registered
    return filequeries.queries()


def test_facts_are_registered():
    # the shared machinery registers its whole-file queries at import (the loop pre-filter among them)
    sources = [q.source for q in _queries()]
    assert "(for_statement) @loop" in sources
    assert len(sources) == len(set(sources)) >= 6


@pytest.mark.parametrize("how", ["engine", "alone"])
def test_file_captures_equal_captures(how):
    queries = _queries()
    rules = [r for r in rules_by_id().values() if r.query_source]
    checked = 0
    for path in _files():
        ctx = _ctx(path)
        if how == "engine":
            rule_matches(rules, ctx)
            assert ctx.cache.get(filequeries._KEY) is not None, "the rules' traversal did not collect the facts"
        for q in queries:
            want = _shape(captures(q.source, ctx.root))
            got = _shape(filequeries.file_captures(ctx, q))
            assert got == want, (str(path), q.source)
            for shapes in got.values():
                assert shapes == sorted(shapes, key=lambda s: (s[0], -s[1], s[2])), (str(path), q.source)
            checked += bool(want)
    assert checked > 50


def test_captures_in_document_order():
    # py-tree-sitter 0.26 yields the loops of this file in an order of its own; parse.captures sorts them
    source = (ROOT / "fixtures/busy-spin/spin/spin.go").read_bytes()
    loops = captures("(for_statement) @loop", parse_bytes(source).root_node)["loop"]
    starts = [n.start_byte for n in loops]
    assert len(starts) > 5 and starts == sorted(starts)


def test_renaming_leaves_strings_alone():
    source, owner = filequeries.combined_source(filequeries.registered())
    # predicates' string arguments are not capture names: "Go" and "AfterFunc" stay as written
    assert '"Go"' in source and '"AfterFunc"' in source
    assert len(owner) == sum(filequeries.compile_query(q.source).pattern_count for q in filequeries.queries())


def test_launch_words_prefilter_hides_no_launch():
    # goroutine_bodies skips the traversal for a file without the go keyword, a ``.Go`` or AfterFunc:
    # wherever the words are missing the launch query finds nothing (and the filter does skip files)
    from goexplint.analysis.goroutines import LAUNCHES as _LAUNCHES, LAUNCH_WORDS as _LAUNCH_WORDS
    skipped = 0
    for path in _files():
        source = path.read_bytes()
        if not _LAUNCH_WORDS.search(source):
            skipped += 1
            assert not any(captures(_LAUNCHES.source, parse_bytes(source).root_node).values()), str(path)
    assert skipped > 10
