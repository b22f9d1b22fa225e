"""Go 1.26 ``new(expr)``: tree-sitter-go 0.25 wants a type there; core/parse.py respells the callee with an
identifier of the same length where a statement fails to parse, so the file lints fully and every
position is the source's."""

from goexplint.core.engine import Options, lint_source
from goexplint.core.parse import _PARSER, NEW_SPELLING, parse_bytes

SOURCE = b"""package p

import "sync"

var mu sync.Mutex

// new(1+ in a comment is left alone
const s = "new(1+"

func f(id int) *int {
\tp := new(int(-id))
\tmu.Lock(); if id > 0 { q := new(id * 2); return q }
\tmu.Unlock()
\treturn p
}
"""


def test_new_expr_parses_without_errors_and_keeps_every_byte_offset():
    assert _PARSER.parse(SOURCE).root_node.has_error  # the grammar alone rejects new(expr)
    tree = parse_bytes(SOURCE)
    assert not tree.root_node.has_error
    respelled = tree.root_node.text
    assert len(respelled) == len(SOURCE)
    diffs = [i for i, (a, b) in enumerate(zip(SOURCE, respelled)) if a != b]
    starts = [SOURCE.index(b"new(int(-id))"), SOURCE.index(b"new(id * 2)")]
    assert diffs == [i for at in starts for i in range(at, at + 3) if SOURCE[i] != NEW_SPELLING[i - at]]
    assert SOURCE.index(b"new(1+ in a comment") not in diffs and SOURCE.index(b'new(1+"') not in diffs


def test_new_type_is_untouched():
    src = b"package p\n\nimport \"sync\"\n\nfunc f() *sync.WaitGroup { return new(sync.WaitGroup) }\n"
    assert parse_bytes(src).root_node.text == src


def test_findings_after_new_expr_have_true_positions():
    result = lint_source("p.go", SOURCE, Options(rule_ids=("GXL209",), go_version="1.26"))
    assert not [n for n in result.notices if n.kind == "parse-error"]
    line = SOURCE.split(b"\n").index(b"\tmu.Lock(); if id > 0 { q := new(id * 2); return q }")
    [finding] = result.findings
    assert finding.span.start.row == line
    assert finding.span.start.col == SOURCE.split(b"\n")[line].index(b"return q")


def test_a_real_syntax_error_is_still_reported():
    src = SOURCE.replace(b"mu.Unlock()", b"mu.Unlock(")
    result = lint_source("p.go", src, Options(rule_ids=("GXL209",), go_version="1.26"))
    assert [n for n in result.notices if n.kind == "parse-error"]
