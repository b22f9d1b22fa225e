"""A rule's ``applies(ctx)`` lets the engine drop the rule's matches in a file unrefined: it must be exact.

For every rule with the hook, every fixture file (plus a few standard-library packages when Go is
installed) is linted with the hook recording its verdict but never skipping the rule; where the
hook said False, the rule must have found nothing.  The test also checks it is not vacuous: each
hook says False somewhere and some file it said True for has findings of the rule.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import goroot

from goexplint.core import engine
from goexplint.core.registry import rules_by_id

ROOT = Path(__file__).resolve().parent.parent
GATED = sorted(r.id for r in rules_by_id().values() if r.applies is not None)


def _files():
    files = sorted(str(p) for p in (ROOT / "fixtures").rglob("*.go"))
    root = goroot()
    for pkg in ("sync", "context", "net/http/httputil") if root is not None else ():
        files += sorted(str(p) for p in (root / "src" / pkg).glob("*.go"))
    return files


FILES = _files()


def test_some_rules_have_the_hook():
    assert len(GATED) >= 5, GATED


@pytest.mark.parametrize("rule_id", GATED)
def test_applies_false_means_no_findings(rule_id, monkeypatch):
    rule = rules_by_id()[rule_id]
    hook = rule.applies
    said = []
    monkeypatch.setattr(rule, "applies", lambda ctx: said.append(hook(ctx)) or True)
    options = engine.Options(rule_ids=(rule_id,), go_version=None)
    false_files, true_with_findings = 0, 0
    wrong = []
    for path in FILES:
        said.clear()
        source = Path(path).read_bytes()
        result = engine.lint_source(os.path.relpath(path, ROOT), source, options, real_path=path)
        found = [f for f in result.findings if f.rule_id == rule_id]
        if said and said[0] is False:
            false_files += 1
            if found:
                wrong.append((path, [f.span.start.row + 1 for f in found]))
        elif found:
            true_with_findings += 1
    assert not wrong, "%s.applies said False but the rule finds: %s" % (rule_id, wrong)
    assert false_files > 0, "%s.applies never said False on %d files" % (rule_id, len(FILES))
    assert true_with_findings > 0, "%s found nothing on any file" % rule_id
