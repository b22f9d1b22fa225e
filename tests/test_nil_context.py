"""GXL410 names the declaration a method call was matched with (resolved through the receiver's type)."""

from conftest import FIXTURES
from test_fixtures import lint_unit

BASIC = FIXTURES / "context-timeout" / "basic"


def test_message_shows_the_matched_declaration():
    _, result = lint_unit(BASIC)
    by_line = {(f.path.rsplit("/", 1)[-1], f.line): f.message for f in result.findings if f.rule_id == "GXL410"}
    msg = by_line[("gxl410_nil_context.go", 98)]
    assert "f.Fetch (matched `(*loader).Fetch` at " in msg and "gxl410_nil_context.go:78)" in msg, msg
    assert "matched `remoteLister.List` at " in by_line[("gxl410_nil_context.go", 114)]
    assert "matched `lookup` at " in by_line[("gxl410_nil_context.go", 30)]
    assert "matched `kvStore.LoadContext` at " in by_line[("gxl410_nil_context.go", 70)]
    # the standard library's functions and methods are matched by their package, not a declaration
    assert "matched" not in by_line[("gxl410_nil_context.go", 20)]
    assert "matched" not in by_line[("gxl410_nil_context.go", 26)]
