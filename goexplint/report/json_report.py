"""JSON reporter.  Schema (version 1), documented in README "Output formats":

{"version": 1,
 "tool": {"name": "goexplint", "version": str},
 "findings": [{"rule": "GXL101", "name": str, "family": str, "severity": "error|warning|note",
               "confidence": "high|medium|low", "message": str, "summary": str, "path": str,
               "line": int, "column": int, "end_line": int, "end_column": int,   # 1-based, byte columns
               "go_version": "go1.21"|"unknown", "go_version_source": str, "evidence": str,
               "fingerprint": str, "help_uri": str,
               "related": [{"message": str, "line": int, "column": int, "end_line": int, "end_column": int}],
               "fixes": [{"title": str, "safe": bool, "edits": [{"start": int, "end": int, "text": str}]}]}],
 "notices": [{"path": str, "kind": str, "level": str, "message": str, "line": int|null, "column": int|null}],
 "summary": {"files": int, "skipped": int, "findings": int, "suppressed": int,
             "by_severity": {"error": int, "warning": int, "note": int}, "by_rule": {"GXL101": int, ...}}}

``message`` is the rule's whole message; ``summary`` its short first line (at most 100 characters,
what the text format prints).
"""

from __future__ import annotations

import json

from goexplint import __version__
from goexplint.core.data import family_of
from goexplint.report.common import fingerprints, summary


def _pos(span):
    return {"line": span.start.row + 1, "column": span.start.col + 1,
            "end_line": span.end.row + 1, "end_column": span.end.col + 1}


def render(result, rules, opts) -> str:
    by_id = {r.id: r for r in rules}
    shown = [f for f in result.findings if f.suppressed is None]
    prints = fingerprints(shown)
    findings = []
    by_rule = {}
    by_sev = {"error": 0, "warning": 0, "note": 0}
    for f, fp in zip(shown, prints):
        rule = by_id.get(f.rule_id)
        by_rule[f.rule_id] = by_rule.get(f.rule_id, 0) + 1
        by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
        item = {"rule": f.rule_id, "name": rule.name if rule else "", "family": family_of(f.rule_id),
                "severity": f.severity, "confidence": f.confidence, "message": f.message,
                "summary": summary(f.message), "path": f.path}
        item.update(_pos(f.span))
        item.update({"go_version": f.go_version, "go_version_source": f.go_version_source, "evidence": f.evidence,
                     "fingerprint": fp, "help_uri": rule.help_uri if rule else "",
                     "related": [dict(message=r.message, **_pos(r.span)) for r in f.related],
                     "fixes": [{"title": x.title, "safe": x.safe,
                                "edits": [{"start": e.start, "end": e.end, "text": e.text} for e in x.edits]}
                               for x in f.fixes]})
        findings.append(item)
    notices = [{"path": n.path, "kind": n.kind, "level": n.level, "message": n.message,
                "line": None if n.row is None else n.row + 1, "column": None if n.col is None else n.col + 1}
               for n in result.notices]
    doc = {"version": 1, "tool": {"name": "goexplint", "version": __version__}, "findings": findings,
           "notices": notices,
           "summary": {"files": result.files, "skipped": result.skipped, "findings": len(shown),
                       "suppressed": len(result.findings) - len(shown), "by_severity": by_sev,
                       "by_rule": dict(sorted(by_rule.items()))}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
