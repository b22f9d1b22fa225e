"""GXL701 says `err != nil` only when the result slot is an ``error``."""

from conftest import FIXTURES
from test_fixtures import lint_unit


def test_err_check_only_for_error_results():
    _, result = lint_unit(FIXTURES / "typed-nil" / "tn")
    found = {f.line_text.strip().split(" //")[0]: f.message for f in result.findings if f.rule_id == "GXL701"}
    assert "`err != nil`" in found["return e"] and "when there is no error" in found["return e"]
    for line in ("return s", "return p"):  # Shape and any results
        assert "err != nil" not in found[line] and "no error" not in found[line], found[line]
        assert "`!= nil` check of the result" in found[line]
