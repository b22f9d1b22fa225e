"""--format github|gitlab|junit|checkstyle, each read back the way its consumer reads it.

* github: the Actions runner's workflow-command syntax (``::name k=v,k=v::data``), parsed by the
  runner's rules (ActionCommand v2: split at the first ``::`` after the name, properties at ``,``
  and the first ``=``, then unescape ``%0D %0A %3A %2C %25``).  No runner runs offline, so the
  parser below follows its rules; and GitHub's own toolkit (@actions/core, from npm when node is
  there) writes the same annotations byte for byte.
* gitlab: the Code Quality fields GitLab documents (docs.gitlab.com/ci/testing/code_quality,
  "Code Quality report format"), as a JSON schema, plus unique fingerprints.
* junit: junitparser (a JUnit XML reader, as CI systems read the report) and xml.etree.  No JUnit
  XSD ships in a registry package, so the structure is checked by hand.
* checkstyle: xml.etree against the structure golangci-lint's checkstyle printer writes.
"""

import json
import os
import shutil
import subprocess
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from conftest import run_cli
from goexplint.core.data import Finding, Position, Span
from goexplint.core.engine import RunResult
from goexplint.core.registry import all_rules
from goexplint.report import ReportOptions, reporters
from test_cli import LEGACY, module

TWO = textwrap.dedent("""\
    package p

    func use(int) {}

    func f(xs []int) {
    \tfor _, v := range xs {
    \t\tgo func() {
    \t\t\tuse(v)
    \t\t}()
    \t\tdefer func() { use(v) }()
    \t}
    }
    """)


def repo(tmp_path, files):
    d = module(tmp_path, files=files)
    subprocess.run(["git", "init", "-q", str(d)], check=True)
    return d


# ---- GitHub -----------------------------------------------------------------------------------

def _unescape(text, prop):
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else []) + [("%25", "%")]
    for esc, raw in pairs:
        text = text.replace(esc, raw)
    return text


def parse_workflow_command(line):
    """The runner's v2 parser: ``::command k=v,k=v::data``; None for a line that is not a command."""
    if not line.startswith("::"):
        return None
    end = line.find("::", 2)
    if end < 0:
        return None
    head, data = line[2:end], line[end + 2:]
    name, _, rest = head.partition(" ")
    props = {}
    for pair in filter(None, rest.split(",")):
        key, eq, value = pair.partition("=")
        assert eq and key, "malformed property %r" % pair
        props[key] = _unescape(value, prop=True)
    return name, props, _unescape(data, prop=False)


def test_github_annotations_parse_as_workflow_commands(tmp_path):
    d = repo(tmp_path, {"sub/a.go": TWO})
    proc = run_cli(".", "--format", "github", cwd=d / "sub")
    assert proc.returncode == 1
    cmds = [parse_workflow_command(line) for line in proc.stdout.decode().splitlines()]
    assert all(cmds) and len(cmds) == 2
    (n1, p1, m1), (n2, p2, m2) = cmds
    assert (n1, n2) == ("error", "warning")
    # paths relative to the repository (the git top level), not to the current directory
    assert p1 == {"file": "sub/a.go", "line": "8", "endLine": "8", "col": "8", "endColumn": "9", "title": "GXL101"}
    assert p2["title"] == "GXL102" and p2["line"] == "10"
    assert m1.startswith("goroutine captures loop variable v")


def test_github_escaping_round_trips():
    pos = Position(2, 4, 20)
    f = Finding("GXL101", "dir,x/a:b%.go", Span(pos, Position(2, 5, 21)), "50% of\nlines: a, b\r\n::x", "note", "high")
    out = reporters()["github"](RunResult([f], [], 1, 0), all_rules(), ReportOptions(cwd="/nonexistent/repo",
                                                                                     srcroot="/nonexistent/repo"))
    assert out.count("\n") == 1  # one command per finding, whatever the message holds
    name, props, data = parse_workflow_command(out.rstrip("\n"))
    # the short first line (one line), then the whole message byte for byte
    assert name == "notice" and props["file"] == "dir,x/a:b%.go" and data == "50% of lines: a, b ::x\n\n" + f.message


TOOLKIT_SCRIPT = """
import * as core from '@actions/core';
for (const it of JSON.parse(process.argv[2])) {
  const props = {title: it.title, file: it.file, startLine: it.line, endLine: it.endLine};
  if (it.col !== undefined) { props.startColumn = it.col; props.endColumn = it.endColumn; }
  ({error: core.error, warning: core.warning, notice: core.notice})[it.level](it.message, props);
}
"""


@pytest.fixture(scope="module")
def actions_toolkit():
    """GitHub's own Actions toolkit (@actions/core from npm) in a cache directory; skip without node/npm
    or without a reachable npm registry."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        pytest.skip("node and npm are needed for @actions/core")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "goexplint-test-npm"
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "node_modules" / "@actions" / "core" / "package.json").exists():
        proc = subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(cache),
                               "@actions/core@3.0.1"], capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            pytest.skip("npm could not install @actions/core: %s" % proc.stderr.strip()[-200:])
    script = cache / "annotate.mjs"
    script.write_text(TOOLKIT_SCRIPT)
    return node, script


def test_github_annotations_equal_the_actions_toolkit(actions_toolkit, tmp_path):
    """The same annotations written by @actions/core (core.error/warning/notice with the same
    properties) are byte-for-byte what --format github prints."""
    node, script = actions_toolkit
    pos = Position(2, 4, 20)
    odd = Finding("GXL101", "dir,x/a:b%.go", Span(pos, Position(2, 5, 21)), "50% of\nlines: a, b\r\n::x", "note",
                  "high")
    multi = Finding("GXL102", "a.go", Span(pos, Position(4, 1, 40)), "spans lines", "warning", "high")
    d = repo(tmp_path, {"sub/a.go": TWO})
    real = run_cli(".", "--format", "github", cwd=d / "sub").stdout.decode()
    ours = reporters()["github"](RunResult([odd, multi], [], 1, 0), all_rules(),
                                 ReportOptions(cwd="/nonexistent/repo", srcroot="/nonexistent/repo")) + real
    items = []
    for line in ours.splitlines():
        name, props, message = parse_workflow_command(line)
        item = {"level": name, "title": props["title"], "file": props["file"], "line": int(props["line"]),
                "endLine": int(props["endLine"]), "message": message}
        if "col" in props:
            item.update(col=int(props["col"]), endColumn=int(props["endColumn"]))
        items.append(item)
    assert len(items) == 4
    proc = subprocess.run([node, str(script), json.dumps(items)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ours


def test_github_clean_run_prints_nothing(tmp_path):
    d = module(tmp_path, go="1.22")
    proc = run_cli(".", "--format", "github", cwd=d)
    assert proc.returncode == 0 and proc.stdout == b""


# ---- GitLab Code Quality ----------------------------------------------------------------------

# The fields docs.gitlab.com/ci/testing/code_quality documents as required, with their types.
CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path"],
                "properties": {
                    "path": {"type": "string", "pattern": "^[^/]"},  # relative to the repository root
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1},
                                             "end": {"type": "integer", "minimum": 1}}},
                },
                "anyOf": [{"required": ["lines"]}, {"required": ["positions"]}],
            },
        },
    },
}


def test_gitlab_code_quality(tmp_path):
    d = repo(tmp_path, {"a.go": TWO, "sub/b.go": TWO})
    proc = run_cli(".", "--format", "gitlab", cwd=d / "sub")
    issues = json.loads(proc.stdout)
    jsonschema.validate(issues, CODE_QUALITY)
    assert [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"])
            for i in issues] == [("GXL101", "major", "sub/b.go", 8), ("GXL102", "minor", "sub/b.go", 10)]
    everything = json.loads(run_cli(".", "--format", "gitlab", cwd=d).stdout)
    jsonschema.validate(everything, CODE_QUALITY)
    prints = [i["fingerprint"] for i in everything]
    assert len(everything) == 4 and len(set(prints)) == 4  # GitLab shows only the first of equal fingerprints
    # the fingerprint ignores line numbers (an edit above a finding keeps it the same issue in the MR widget)
    # and does not depend on the directory goexplint ran from
    assert {i["fingerprint"] for i in issues} <= set(prints)
    (d / "a.go").write_text(TWO.replace("package p\n", "package p\n\n// a comment\n"))
    shifted = json.loads(run_cli(".", "--format", "gitlab", cwd=d).stdout)
    assert [i["fingerprint"] for i in shifted] == prints
    assert shifted[0]["location"]["lines"]["begin"] == 10


def test_gitlab_clean_run_is_an_empty_array(tmp_path):
    proc = run_cli(".", "--format", "gitlab", cwd=module(tmp_path, go="1.22"))
    assert proc.returncode == 0 and json.loads(proc.stdout) == []


# ---- JUnit ------------------------------------------------------------------------------------

def test_junit_read_by_junitparser(tmp_path):
    junitparser = pytest.importorskip("junitparser")
    d = module(tmp_path, files={"a.go": TWO, "b.go": LEGACY})
    out = tmp_path / "report.xml"
    proc = run_cli(".", "--format", "junit", "--output", str(out), cwd=d)
    assert proc.returncode == 1
    xml = junitparser.JUnitXml.fromfile(str(out))
    suites = list(xml)
    assert [s.name for s in suites] == ["a.go", "b.go"]
    assert [(s.tests, s.failures, s.errors) for s in suites] == [(2, 2, 0), (1, 1, 0)]
    cases = [c for s in suites for c in s]
    assert [c.name for c in cases] == ["GXL101 a.go:8:8", "GXL102 a.go:10:22", "GXL101 b.go:8:8"]
    assert all(not c.is_passed and len(c.result) == 1 for c in cases)
    first = cases[0].result[0]
    assert first.type == "error" and first.message.startswith("a.go:8:8: GXL101 goroutine captures")
    assert "use(v)" in first.text
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "3"


NOTE_AND_ERROR = LEGACY.replace("func use(int) {}", "func use(int) {} //goexplint:ignore GXL101 matches nothing")


@pytest.mark.parametrize("fail_on", [None, "note"])
def test_junit_notes_are_passing_cases(tmp_path, fail_on):
    """A note never fails a run, so it is a passing test case that still carries the finding (system-out
    and properties); errors and warnings stay failures.  With --fail-on note, notes fail like the run."""
    junitparser = pytest.importorskip("junitparser")
    d = module(tmp_path, files={"a.go": NOTE_AND_ERROR})
    out = tmp_path / "report.xml"
    args = [".", "--format", "junit", "--output", str(out), "--report-unused-suppressions"]
    proc = run_cli(*args, *(["--fail-on", fail_on] if fail_on else []), cwd=d)
    assert proc.returncode == 1
    [suite] = list(junitparser.JUnitXml.fromfile(str(out)))
    cases = {c.name.split()[0]: c for c in suite}
    assert set(cases) == {"GXL000", "GXL101"}
    assert not cases["GXL101"].is_passed and cases["GXL101"].result[0].type == "error"
    note = cases["GXL000"]
    if fail_on == "note":
        assert not note.is_passed and note.result[0].type == "note"
        assert (suite.tests, suite.failures) == (2, 2)
        return
    assert note.is_passed and not note.result
    assert "GXL000 suppression" in note.system_out and "matched no finding" in note.system_out
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (2, 1, 0, 0)
    root = ET.parse(out).getroot()
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    props = {p.get("name"): p.get("value") for p in root.find(".//testcase[@name='%s']/properties" % note.name)}
    assert props == {"rule": "GXL000", "severity": "note", "confidence": "high"}


def test_junit_clean_run_is_one_passing_case(tmp_path):
    junitparser = pytest.importorskip("junitparser")
    out = tmp_path / "report.xml"
    proc = run_cli(".", "--format", "junit", "--output", str(out), cwd=module(tmp_path, go="1.22"))
    assert proc.returncode == 0
    [suite] = list(junitparser.JUnitXml.fromfile(str(out)))
    [case] = list(suite)
    assert suite.tests == 1 and suite.failures == 0 and case.is_passed


def test_xml_survives_control_characters():
    f = Finding("GXL101", "a.go", Span(Position(0, 0, 0), Position(0, 1, 1)), "bad \x01 byte & <tag>", "error", "high",
                line_text="x\x02")
    result = RunResult([f], [], 1, 0)
    for fmt in ("junit", "checkstyle"):
        root = ET.fromstring(reporters()[fmt](result, all_rules(), ReportOptions()).encode("utf-8"))
        assert "bad \ufffd byte & <tag>" in ET.tostring(root, encoding="unicode").replace("&amp;", "&").replace(
            "&lt;", "<").replace("&gt;", ">")


# ---- Checkstyle -------------------------------------------------------------------------------

def test_checkstyle_structure(tmp_path):
    d = module(tmp_path, files={"a.go": TWO, "b.go": LEGACY})
    proc = run_cli(".", "--format", "checkstyle", cwd=d)
    text = proc.stdout.decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(proc.stdout)
    assert root.tag == "checkstyle" and root.get("version") == "5.0"
    assert [f.tag for f in root] == ["file", "file"] and [f.get("name") for f in root] == ["a.go", "b.go"]
    errors = [(f.get("name"), e.attrib) for f in root for e in f]
    assert all(e.tag == "error" for f in root for e in f)
    assert [(n, a["line"], a["column"], a["severity"], a["source"]) for n, a in errors] == [
        ("a.go", "8", "8", "error", "GXL101"), ("a.go", "10", "22", "warning", "GXL102"),
        ("b.go", "8", "8", "error", "GXL101")]
    assert all(a["message"] and set(a) == {"line", "column", "severity", "message", "source"} for _, a in errors)


def test_checkstyle_clean_run(tmp_path):
    proc = run_cli(".", "--format", "checkstyle", cwd=module(tmp_path, go="1.22"))
    root = ET.fromstring(proc.stdout)
    assert proc.returncode == 0 and root.tag == "checkstyle" and len(root) == 0


def test_every_format_writes_output_file(tmp_path):
    d = module(tmp_path)
    for fmt in ("github", "gitlab", "junit", "checkstyle"):
        out = tmp_path / ("r." + fmt)
        proc = run_cli(".", "--format", fmt, "--output", str(out), cwd=d)
        assert proc.returncode == 1 and proc.stdout == b"" and out.read_text().strip(), fmt


def test_git_top_level_is_the_root_for_github_and_gitlab(tmp_path):
    """In a git repository the paths are relative to its top level, also from a sub-directory."""
    repo = tmp_path / "repo"
    d = module(repo, files={"a.go": LEGACY}, name="svc")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    gh = run_cli(".", "--format", "github", cwd=d).stdout.decode()
    assert parse_workflow_command(gh.strip())[1]["file"] == "svc/a.go"
    gl = json.loads(run_cli(".", "--format", "gitlab", cwd=d).stdout)
    assert gl[0]["location"]["path"] == "svc/a.go"
