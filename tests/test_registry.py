"""Meta-tests: the rule set is validated like code."""

import re
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from goexplint import cli
from goexplint.core.data import FAMILIES
from goexplint.core.registry import DOC_SECTIONS, NAME_RE, all_rules, load_rule, queries_dir, select_rules

QUERY_RULES = [r for r in all_rules() if r.query_source]
BANNED_NAME = re.compile(r"^(avoid|use|prefer|consider|do-not|no)-|-used$")


def test_queries_are_grouped_by_family():
    for path in queries_dir().glob("**/*.scm"):
        assert path.parent.parent == queries_dir(), "query files live in queries/<family>/: %s" % path
        assert path.parent.name in FAMILIES.values(), path


@pytest.mark.parametrize("rule", QUERY_RULES, ids=[r.id for r in QUERY_RULES])
def test_rule_metadata_and_docs(rule):
    assert NAME_RE.match(rule.name) and not BANNED_NAME.search(rule.name), rule.name
    for section in DOC_SECTIONS:
        assert rule.sections.get(section, "").strip(), "%s: missing '## %s'" % (rule.id, section)
    if "fix" in rule.query_source.split("; ---")[0]:
        assert "Fix safety" in rule.sections, "%s has a fix but no '## Fix safety' section" % rule.id
    assert rule.short_description.endswith("."), rule.short_description
    assert rule.reports_at, "%s: say where findings are reported (reports-at)" % rule.id
    # every {placeholder} of the message is filled by the refine step: check it names at least one
    assert "{" in rule.message or rule.refine is None


@pytest.mark.parametrize("rule", QUERY_RULES, ids=[r.id for r in QUERY_RULES])
def test_query_compiles_and_captures_are_named(rule):
    query = rule.query
    names = {query.capture_name(i) for i in range(query.capture_count)}
    assert any(not n.startswith("_") for n in names), "%s: the query needs a role capture" % rule.id
    refine_path = ROOT / "goexplint" / "rules" / rule.family.replace("-", "_") / (rule.stem + ".py")
    if rule.refine is not None:
        text = refine_path.read_text()
        for name in names:
            if not name.startswith("_"):
                assert '"%s"' % name in text, "%s: capture @%s is not used by its refine step" % (rule.id, name)


def test_no_orphan_refine_modules():
    stems = {r.stem for r in all_rules()}
    modules = sorted((ROOT / "goexplint" / "rules").glob("*/*.py"))
    assert modules, "no rule modules found under goexplint/rules"
    for path in modules:
        if not path.name.startswith("_"):  # __init__ and the family's private modules (_support.py...)
            assert path.stem in stems, "refine module without a query file: %s" % path


def test_bad_header_is_reported(tmp_path):
    bad = tmp_path / "loopvar" / "gxl199_x.scm"
    bad.parent.mkdir()
    bad.write_text('; id = "GXL199"\n(go_statement) @x\n')
    with pytest.raises(Exception, match="---"):
        load_rule(bad)


def test_selectors():
    ids = lambda sel, ign=None: [r.id for r in select_rules(sel, ign)]  # noqa: E731
    assert ids(["loopvar"]) == [r.id for r in all_rules() if r.family == "loopvar"]
    assert ids(["GXL10"], ["GXL107"]) == ["GXL101", "GXL102", "GXL103", "GXL104", "GXL105", "GXL106"]
    assert ids(["loopvar-defer-capture"]) == ["GXL102"]
    assert "GXL000" not in ids(None)
    with pytest.raises(ValueError):
        select_rules(["nosuchrule"], None)


def test_generated_docs_are_current():
    """docs/rules.md and the README rule table are generated from the query headers."""
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert docs == cli.generate_docs(), "docs/rules.md is stale: run `goexplint --generate-docs -o docs/rules.md`"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert cli.rules_markdown_table() in readme, "README rule table is stale: paste `goexplint --generate-docs` table"


@pytest.mark.parametrize("rule", all_rules(), ids=[r.id for r in all_rules()])
def test_explain_renders(rule):
    proc = run_cli("--explain", rule.id)
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert out.startswith(rule.id) and "## Why is this bad?" in out
    # no paragraph (nor the short description) is printed twice
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", out) if p.strip()]
    assert len(paragraphs) == len(set(paragraphs)), [p for p in paragraphs if paragraphs.count(p) > 1]
    assert " ".join(out.split()).count(rule.short_description) == 1


def test_wheel_contains_queries(tmp_path):
    """The installed package (pre-commit installs a wheel) must carry every query file."""
    import subprocess
    import sys
    import zipfile

    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                           str(tmp_path), str(ROOT)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip("cannot build a wheel here: %s" % proc.stderr[-300:])
    wheel = next(Path(tmp_path).glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    want = {"goexplint/queries/%s/%s" % (p.parent.name, p.name) for p in (ROOT / "queries").glob("*/*.scm")}
    assert want and want <= names
