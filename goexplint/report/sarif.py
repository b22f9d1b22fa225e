"""SARIF 2.1.0 reporter for GitHub code scanning and other SARIF consumers.

One run per invocation; every enabled rule in ``tool.driver.rules`` (stable order);
URIs relative to ``%SRCROOT%`` (the git top level, else the current directory);
columns in UTF-16 code units (``columnKind``); ``partialFingerprints`` that do not
depend on line numbers; input problems as ``toolExecutionNotifications``.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from pathlib import Path

from goexplint import __version__
from goexplint.core.data import family_of
from goexplint.report.common import detail, fingerprints, summary

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/goexplint/goexplint"
NOTICE_IDS = {"parse-error": "GXL-PARSE", "unreadable": "GXL-READ", "not-utf8": "GXL-ENCODING",
              "binary": "GXL-BINARY", "empty": "GXL-EMPTY", "suppression": "GXL-SUPPRESSION",
              "internal": "GXL-INTERNAL", "config": "GXL-CONFIG"}


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def unwrap_markdown(md: str) -> str:
    """Join soft-wrapped lines: GitHub renders single newlines in help.markdown as hard breaks."""
    out, para, in_code = [], [], False
    for line in md.splitlines():
        if line.startswith("```"):
            if para:
                out.append(" ".join(para))
                para = []
            out.append(line)
            in_code = not in_code
        elif in_code:
            out.append(line)
        elif not line.strip() or line.startswith("#"):
            if para:
                out.append(" ".join(para))
                para = []
            out.append(line)
        else:
            para.append(line.strip())
    if para:
        out.append(" ".join(para))
    return "\n".join(out).strip() + "\n"


def rule_descriptor(rule) -> dict:
    tags = [family_of(rule.id)]
    tags += [t for t in rule.tags if t not in tags]
    props = {"tags": tags, "precision": rule.confidence,
             "problem.severity": {"note": "recommendation"}.get(rule.severity, rule.severity)}
    if rule.security_severity:
        props["security-severity"] = str(rule.security_severity)
        if "security" not in tags:
            tags.append("security")
    del tags[MAX_TAGS:]
    if rule.go:
        props["goVersionGate"] = rule.go
    md = unwrap_markdown(rule.doc)
    text = re.sub(r"```\w*\n?", "", md)
    return {"id": rule.id, "name": _pascal(rule.name),
            "shortDescription": {"text": rule.short_description},
            "fullDescription": {"text": rule.full_description},
            "help": {"text": text, "markdown": md}, "helpUri": rule.help_uri,
            "defaultConfiguration": {"level": rule.severity, "enabled": bool(rule.default)},
            "properties": props}


def _uri(path: str, cwd: str, root: str) -> str:
    absolute = os.path.normpath(os.path.join(cwd, path))
    rel = os.path.relpath(absolute, root)
    if rel.startswith(".."):
        return Path(absolute).as_uri()
    return urllib.parse.quote(Path(rel).as_posix(), safe="/")


def _region(span) -> dict:
    return {"startLine": span.start.row + 1, "startColumn": span.start.utf16_col + 1,
            "endLine": span.end.row + 1, "endColumn": span.end.utf16_col + 1}


def _location(uri: str, span, is_rel: bool) -> dict:
    art = {"uri": uri}
    if is_rel:
        art["uriBaseId"] = "%SRCROOT%"
    return {"physicalLocation": {"artifactLocation": art, "region": _region(span)}}


def srcroot_for(cwd: str) -> str:
    """The git top level containing ``cwd`` (found by walking up for ``.git``), else ``cwd``."""
    d = Path(cwd).resolve()
    for candidate in [d, *d.parents]:
        if (candidate / ".git").exists():
            return str(candidate)
    return str(d)


SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}
MAX_RESULTS = 25000  # GitHub: results per run (hard limit: the file is rejected above it)
STORED_RESULTS = 5000  # GitHub: only this many results per run are stored and shown
MAX_TAGS = 20  # GitHub: tags per rule (hard limit)
MAX_RELATED = 1000  # GitHub: locations per result (hard limit)


def capped(findings, limit: int):
    """At most ``limit`` findings, the most severe first (GitHub keeps the top results by severity);
    the kept ones stay in their usual (path, line) order."""
    if len(findings) <= limit:
        return list(findings)
    ranked = sorted(range(len(findings)), key=lambda i: (SEVERITY_ORDER.get(findings[i].severity, 3), i))
    keep = sorted(ranked[:limit])
    return [findings[i] for i in keep]


def _linked_message(f) -> str:
    """The short first line, then the whole message (SARIF viewers show the first line or sentence
    where space is short); GitHub shows related locations only when the message links them:
    ``[text](id)``."""
    text = f.message if not detail(f.message) else "%s\n\n%s" % (summary(f.message), f.message)
    if not f.related:
        return text
    links = ", ".join("[%s](%d)" % (r.message.replace("[", "(").replace("]", ")"), i + 1)
                      for i, r in enumerate(f.related[:MAX_RELATED]))
    return "%s (see %s)" % (text, links)


def fix_object(fix, art: dict) -> dict:
    """A SARIF ``fix``: byte-offset regions (exact whatever the run's columnKind says about columns)."""
    return {"description": {"text": fix.title},
            "artifactChanges": [{"artifactLocation": dict(art), "replacements": [
                {"deletedRegion": {"byteOffset": e.start, "byteLength": e.end - e.start},
                 "insertedContent": {"text": e.text}} for e in fix.edits]}]}


def render(result, rules, opts) -> str:
    cwd = opts.cwd or os.getcwd()
    root = opts.srcroot or srcroot_for(cwd)
    descriptors = [rule_descriptor(r) for r in rules]
    index = {r.id: i for i, r in enumerate(rules)}
    shown = [f for f in result.findings if f.suppressed is None]
    limit = min(opts.sarif_max_results or MAX_RESULTS, MAX_RESULTS)
    kept = capped(shown, limit)
    uris = [_uri(f.path, cwd, root) for f in kept]
    results = []
    for f, uri, fp in zip(kept, uris, fingerprints(kept, uris)):
        rel = not uri.startswith("file:")
        res = {"ruleId": f.rule_id, "level": f.severity, "message": {"text": _linked_message(f)},
               "locations": [_location(uri, f.span, rel)],
               "partialFingerprints": {"goexplint/v1": fp},
               "properties": {"effectiveGoVersion": f.go_version, "goVersionSource": f.go_version_source,
                              "confidence": f.confidence}}
        if f.rule_id in index:
            res["ruleIndex"] = index[f.rule_id]
        if f.evidence:
            res["properties"]["evidence"] = f.evidence
        if f.related:
            res["relatedLocations"] = [dict(_location(uri, r.span, rel), id=i + 1, message={"text": r.message})
                                       for i, r in enumerate(f.related[:MAX_RELATED])]
        if f.fixes:
            art = res["locations"][0]["physicalLocation"]["artifactLocation"]
            res["fixes"] = [fix_object(x, art) for x in f.fixes if x.safe]
            if not res["fixes"]:
                del res["fixes"]
        results.append(res)
    notifications = []
    for n in result.notices:
        note = {"level": n.level if n.level in ("note", "warning", "error") else "warning",
                "message": {"text": "%s: %s" % (n.path, n.message) if n.path else n.message},
                "descriptor": {"id": NOTICE_IDS.get(n.kind, "GXL-" + n.kind.upper())}}
        if n.path and n.path != "<config>":
            uri = _uri(n.path, cwd, root)
            loc = {"artifactLocation": {"uri": uri}}
            if not uri.startswith("file:"):
                loc["artifactLocation"]["uriBaseId"] = "%SRCROOT%"
            if n.row is not None:
                loc["region"] = {"startLine": n.row + 1}  # notices carry byte columns; the line is exact
            note["locations"] = [{"physicalLocation": loc}]
        notifications.append(note)
    if len(kept) < len(shown):
        if limit >= MAX_RESULTS:
            why = "more than the %d a SARIF run may carry for GitHub code scanning" % MAX_RESULTS
        else:
            why = "more than the %d asked for with --sarif-max-results" % limit
        notifications.append({"level": "warning", "descriptor": {"id": "GXL-LIMIT"}, "message": {"text": (
            "%d results, %s: kept the %d most severe, dropped %d"
            % (len(shown), why, len(kept), len(shown) - len(kept)))}})
    elif len(kept) > STORED_RESULTS:
        notifications.append({"level": "note", "descriptor": {"id": "GXL-LIMIT"}, "message": {"text": (
            "%d results: GitHub code scanning stores only the %d most severe of a run"
            % (len(kept), STORED_RESULTS))}})
    crashed = any(n.kind == "internal" for n in result.notices)
    run = {"tool": {"driver": {"name": "goexplint", "version": __version__, "semanticVersion": __version__,
                               "informationUri": INFO_URI, "rules": descriptors}},
           "columnKind": "utf16CodeUnits",
           "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(root).as_uri().rstrip("/") + "/"}},
           "invocations": [{"executionSuccessful": opts.execution_successful and not crashed,
                            "exitCode": opts.exit_code, "toolExecutionNotifications": notifications}],
           "results": results}
    if opts.sarif_category:
        run["automationDetails"] = {"id": opts.sarif_category.rstrip("/") + "/"}
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
