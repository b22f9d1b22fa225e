"""Reporters for CI systems: GitHub workflow-command annotations, GitLab Code Quality JSON,
JUnit XML and Checkstyle XML.  Each ``render(result, rules, opts) -> str`` like the others.

* github -- one workflow command per finding (``::error title=GXL101,file=...,line=...,endLine=...,
  col=...,endColumn=...::message``; ``warning`` and ``notice`` for the other severities),
  escaped as the Actions runner unescapes them (data: ``%``, CR, LF; properties also ``:`` and
  ``,``).  Paths are relative to the git top level (what GitHub resolves them against), columns are
  UTF-16 code units (as in the SARIF output).
* gitlab -- GitLab Code Quality (a subset of the Code Climate issue format): a JSON array of
  ``{"description", "check_name", "fingerprint", "severity", "location": {"path", "lines":
  {"begin", "end"}}}`` plus Code Climate's ``type`` and ``categories``; paths relative to the git
  top level; ``fingerprint`` unique per finding and independent of line numbers; severity error ->
  major, warning -> minor, note -> info.
* junit -- ``<testsuites>`` with one ``<testsuite>`` per file with findings and one ``<testcase>``
  per finding, carrying ``<properties>`` rule, severity and confidence.  A finding that fails the
  run (``--fail-on``, default warning: errors and warnings) is a failing case (``<failure
  message="path:line:col: GXL101 short first line" type=severity>`` with the whole message, the
  source line and the related locations as its text); a note is a *passing* case with the same text
  as ``<system-out>`` -- notes never fail a run, so they must not turn a CI test report red (Jenkins,
  GitLab and the GitHub test-report actions count failures, show system-out).  A clean run is one
  passing test case, so CI systems that refuse an empty report still show the run.
* checkstyle -- ``<checkstyle version="5.0"><file name=...><error line= column= severity=
  message= source=GXL101/></file></checkstyle>`` as golangci-lint writes it (severity ``info`` for
  notes, byte columns as in the text output).
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from typing import Dict, List

from goexplint.report.common import detail, fails, fingerprints, first_line_and_body, summary
from goexplint.report.sarif import srcroot_for

GITHUB_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}
GITLAB_SEVERITY = {"error": "major", "warning": "minor", "note": "info"}
CHECKSTYLE_SEVERITY = {"error": "error", "warning": "warning", "note": "info"}

_XML_BAD = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _shown(result):
    return [f for f in result.findings if f.suppressed is None]


def _root_relative(path: str, opts) -> str:
    cwd = opts.cwd or os.getcwd()
    root = opts.srcroot or srcroot_for(cwd)
    absolute = os.path.normpath(os.path.join(cwd, path))
    rel = os.path.relpath(absolute, root)
    return (absolute if rel.startswith("..") else rel).replace(os.sep, "/")


# ---- GitHub Actions workflow commands ---------------------------------------------------------

def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result, rules, opts) -> str:
    lines = []
    for f in _shown(result):
        # the order @actions/core (the Actions toolkit) writes them in; the runner accepts any order
        props = [("title", f.rule_id), ("file", _root_relative(f.path, opts)), ("line", f.span.start.row + 1),
                 ("endLine", f.span.end.row + 1), ("col", f.span.start.utf16_col + 1),
                 ("endColumn", f.span.end.utf16_col + 1)]
        if f.span.end.row != f.span.start.row:  # GitHub: columns only for single-line annotations
            props = [p for p in props if p[0] not in ("col", "endColumn")]
        lines.append("::%s %s::%s" % (GITHUB_LEVEL.get(f.severity, "warning"),
                                      ",".join("%s=%s" % (k, _gh_property(str(v))) for k, v in props),
                                      _gh_data(first_line_and_body(f.message))))
    return "\n".join(lines) + ("\n" if lines else "")


# ---- GitLab Code Quality ----------------------------------------------------------------------

def render_gitlab(result, rules, opts) -> str:
    by_id = {r.id: r for r in rules}
    shown = _shown(result)
    paths = [_root_relative(f.path, opts) for f in shown]
    issues = []
    for f, path, fp in zip(shown, paths, fingerprints(shown, paths)):
        rule = by_id.get(f.rule_id)
        security = rule is not None and (rule.security_severity or "security" in rule.tags)
        issues.append({
            "type": "issue",
            "description": "%s %s" % (f.rule_id, summary(f.message)),
            "check_name": f.rule_id,
            "fingerprint": fp,
            "severity": GITLAB_SEVERITY.get(f.severity, "minor"),
            "categories": ["Security" if security else "Bug Risk"],
            "location": {"path": path, "lines": {"begin": f.span.start.row + 1, "end": f.span.end.row + 1}},
        })
        if detail(f.message):  # Code Climate's markdown body: the whole message
            issues[-1]["content"] = {"body": f.message}
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


# ---- XML --------------------------------------------------------------------------------------

def _x(text: str) -> str:
    """XML 1.0 cannot carry most control characters, even escaped."""
    return _XML_BAD.sub("\ufffd", text)


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_junit(result, rules, opts) -> str:
    shown = _shown(result)
    by_file: Dict[str, List] = {}
    for f in shown:
        by_file.setdefault(f.path, []).append(f)
    failing = sum(1 for f in shown if fails(f, opts.fail_on))
    suites = ET.Element("testsuites", name="goexplint", tests=str(len(shown) or 1), failures=str(failing),
                        errors="0", skipped="0", time="0")
    if not shown:
        suite = ET.SubElement(suites, "testsuite", name="goexplint", tests="1", failures="0", errors="0",
                              skipped="0", time="0")
        ET.SubElement(suite, "testcase", name="goexplint", classname="goexplint", time="0")
        ET.SubElement(suite, "system-out").text = "no findings in %d file%s" % (
            result.files, "" if result.files == 1 else "s")
    for path, group in by_file.items():
        suite = ET.SubElement(suites, "testsuite", name=_x(path), tests=str(len(group)),
                              failures=str(sum(1 for f in group if fails(f, opts.fail_on))),
                              errors="0", skipped="0", time="0")
        for f in group:
            where = "%s:%d:%d" % (f.path, f.line, f.col)
            case = ET.SubElement(suite, "testcase", name=_x("%s %s" % (f.rule_id, where)),
                                 classname=_x(f.path), time="0")
            props = ET.SubElement(case, "properties")
            for name, value in (("rule", f.rule_id), ("severity", f.severity), ("confidence", f.confidence)):
                ET.SubElement(props, "property", name=name, value=value)
            body = ["%s: %s %s" % (where, f.rule_id, f.message)]
            if f.line_text:
                body.append("    " + f.line_text)
            body += ["%s:%d:%d: %s" % (f.path, r.span.start.row + 1, r.span.start.col + 1, r.message)
                     for r in f.related]
            if fails(f, opts.fail_on):
                first = "%s: %s %s" % (where, f.rule_id, summary(f.message))
                failure = ET.SubElement(case, "failure", message=_x(first), type=f.severity)
                failure.text = _x("\n".join(body))
            else:  # a note (below --fail-on): a passing case that still carries the finding
                ET.SubElement(case, "system-out").text = _x("\n".join(body))
    return _xml(suites)


def render_checkstyle(result, rules, opts) -> str:
    root = ET.Element("checkstyle", version="5.0")
    files: Dict[str, ET.Element] = {}
    for f in _shown(result):
        node = files.get(f.path)
        if node is None:
            node = files[f.path] = ET.SubElement(root, "file", name=_x(f.path))
        ET.SubElement(node, "error", line=str(f.line), column=str(f.col),
                      severity=CHECKSTYLE_SEVERITY.get(f.severity, "warning"), message=_x(f.message),
                      source=f.rule_id)
    return _xml(root)
