#!/usr/bin/env python3
"""Precision measurement on real repositories, the way ``shared/spec/triage.md`` asks for it.

    python benchmarks/triage.py run OUT REPO_DIR...          # lint each repository as a user would
    python benchmarks/triage.py sample OUT SHEET [--reuse OLD_SHEET...]
    python benchmarks/triage.py table OUT SHEET [--write-precision goexplint/core/precision.toml
                                                 --date YYYY-MM-DD --repo OWNER/NAME@COMMIT ...]

``run`` lints each repository at its root (``goexplint . --format json --no-cache --exit-zero``,
default rules) and writes ``OUT/<repo>.json``.  ``sample`` picks, per rule, every finding if there
are at most eight, else eight spread across repositories and files (round-robin over the
repositories, evenly spaced within each), and writes a tab-separated worksheet with an empty
``verdict`` column; ``--reuse`` copies the verdicts of findings (same repository, path, line, rule
and message) already judged in earlier worksheets.  A person fills in ``verdict`` (TRUE, deliberate
or FALSE) and ``why``.  ``table`` prints the per-rule table of triage.md and the FALSE shares: per
severity and overall, each rule's FALSE share weighted by its number of findings;
``--write-precision`` also writes the counts as the data behind ``--list-rules``' PREC. column.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

PER_RULE = 8
COLUMNS = ("rule", "severity", "repo", "path", "line", "verdict", "why", "message")
VERDICTS = ("TRUE", "deliberate", "FALSE")


def run(out: Path, repos: Sequence[Path], goexplint: Sequence[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for repo in repos:
        target = out / (repo.name + ".json")
        proc = subprocess.run(list(goexplint) + [".", "--format", "json", "--no-cache", "--exit-zero",
                                                 "--output", str(target.resolve())],
                              cwd=repo, capture_output=True, text=True)
        summary = (proc.stderr.strip().splitlines() or [""])[-1]
        print("%-12s exit %d  %s" % (repo.name, proc.returncode, summary))


def load(out: Path) -> Dict[str, List[dict]]:
    """Findings per repository (file stem), in a stable order."""
    found = {}
    for path in sorted(out.glob("*.json")):
        doc = json.loads(path.read_text())
        found[path.stem] = sorted(doc["findings"], key=lambda f: (f["path"], f["line"], f["column"], f["rule"]))
    return found


def spread(n: int, k: int) -> List[int]:
    """k indices evenly spaced over range(n) (k <= n), each the middle of its stretch."""
    return [int((i + 0.5) * n / k) for i in range(k)]


def sample_rule(per_repo: Dict[str, List[dict]], limit: int = PER_RULE) -> List[Tuple[str, dict]]:
    """All findings if there are at most ``limit``, else ``limit`` of them: slots are dealt to the
    repositories round-robin (a repository with no findings left is passed over), and each
    repository's slots are evenly spaced over its findings."""
    total = sum(len(v) for v in per_repo.values())
    repos = [r for r in sorted(per_repo) if per_repo[r]]
    if total <= limit:
        return [(r, f) for r in repos for f in per_repo[r]]
    slots = collections.Counter()
    while sum(slots.values()) < limit:
        for r in repos:
            if sum(slots.values()) < limit and slots[r] < len(per_repo[r]):
                slots[r] += 1
    return [(r, per_repo[r][i]) for r in repos for i in spread(len(per_repo[r]), slots[r])]


def key(row: dict) -> Tuple[str, str, str, str, str]:
    return (row["repo"], row["path"], str(row["line"]), row["rule"], row["message"])


def read_sheet(path: Path) -> List[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def sample(out: Path, sheet: Path, reuse: Sequence[Path]) -> None:
    known = {}
    for old in reuse:
        for row in read_sheet(old):
            if row.get("verdict"):
                known[key(row)] = row
    by_rule = collections.defaultdict(lambda: collections.defaultdict(list))
    for repo, findings in load(out).items():
        for f in findings:
            by_rule[f["rule"]][repo].append(f)
    rows = []
    for rule in sorted(by_rule):
        for repo, f in sample_rule(by_rule[rule]):
            row = {"rule": rule, "severity": f["severity"], "repo": repo, "path": f["path"],
                   "line": str(f["line"]), "verdict": "", "why": "", "message": f["message"]}
            old = known.get(key(row))
            if old:
                row["verdict"], row["why"] = old["verdict"], old["why"]
            rows.append(row)
    with open(sheet, "w", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print("%d rows, %d judged already" % (len(rows), sum(1 for r in rows if r["verdict"])))


def judge(out: Path, sheet: Path):
    """Findings per rule, their severities, the verdict counts per rule and the FALSE examples."""
    totals = collections.Counter()
    severity = {}
    for findings in load(out).values():
        for f in findings:
            totals[f["rule"]] += 1
            severity[f["rule"]] = f["severity"]
    judged = collections.defaultdict(collections.Counter)
    examples = collections.defaultdict(list)
    for row in read_sheet(sheet):
        v = row["verdict"]
        if v not in VERDICTS:
            raise SystemExit("%s: %s:%s %s has no verdict (%r)" % (sheet, row["path"], row["line"], row["rule"], v))
        judged[row["rule"]][v] += 1
        if row["severity"] in ("error", "warning"):  # reported at a severity that fails a run by default
            judged[row["rule"]]["failing " + v] += 1
        if v == "FALSE":
            examples[row["rule"]].append("%s/%s:%s" % (row["repo"], row["path"], row["line"]))
    return totals, severity, judged, examples


def table(out: Path, sheet: Path) -> str:
    totals, severity, judged, examples = judge(out, sheet)
    lines = ["| rule | severity | findings (total) | sampled | TRUE | deliberate | FALSE | FALSE share "
             "| FALSE examples |", "|---|---|---|---|---|---|---|---|---|"]
    weighted = collections.defaultdict(lambda: [0.0, 0])
    for rule in sorted(totals):
        c = judged[rule]
        n = sum(c[v] for v in VERDICTS)
        share = c["FALSE"] / n if n else 0.0
        for group in (severity[rule], "all"):
            weighted[group][0] += share * totals[rule]
            weighted[group][1] += totals[rule]
        lines.append("| %s | %s | %d | %d | %d | %d | %d | %.0f%% | %s |" % (
            rule, severity[rule], totals[rule], n, c["TRUE"], c["deliberate"], c["FALSE"], 100 * share,
            ", ".join(examples[rule]) or "–"))
    lines.append("")
    for group in ("error", "warning", "note", "all"):
        if weighted[group][1]:
            lines.append("FALSE share, %s (weighted by findings): %.1f%% of %d findings" % (
                group, 100 * weighted[group][0] / weighted[group][1], weighted[group][1]))
    return "\n".join(lines) + "\n"


def precision_toml(out: Path, sheet: Path, date: str, repos: Sequence[str]) -> str:
    totals, _, judged, _ = judge(out, sheet)
    parts = ["# Written by benchmarks/triage.py from a triage worksheet; see docs/precision.md.\n",
             "[measurement]\ndate = %s\nrepositories = [%s]\n" % (
                 json.dumps(date), ", ".join(json.dumps(r) for r in repos))]
    for rule in sorted(totals):
        c = judged[rule]
        parts.append("\n[rules.%s]\ntotal = %d\nsampled = %d\ntrue = %d\ndeliberate = %d\nfalse = %d\n"
                     "sampled-failing = %d\nfalse-failing = %d\n" % (
                         rule, totals[rule], sum(c[v] for v in VERDICTS), c["TRUE"], c["deliberate"], c["FALSE"],
                         sum(c["failing " + v] for v in VERDICTS), c["failing FALSE"]))
    return "".join(parts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("out", type=Path)
    r.add_argument("repos", type=Path, nargs="+")
    r.add_argument("--goexplint", default=sys.executable + " -m goexplint",
                   help="the command to run (default: this interpreter's goexplint)")
    s = sub.add_parser("sample")
    s.add_argument("out", type=Path)
    s.add_argument("sheet", type=Path)
    s.add_argument("--reuse", type=Path, nargs="*", default=[])
    t = sub.add_parser("table")
    t.add_argument("out", type=Path)
    t.add_argument("sheet", type=Path)
    t.add_argument("--write-precision", type=Path)
    t.add_argument("--date", default="")
    t.add_argument("--repo", action="append", default=[], help="OWNER/NAME@COMMIT of a measuring repository")
    args = ap.parse_args(argv)
    if args.cmd == "run":
        run(args.out, args.repos, args.goexplint.split())
    elif args.cmd == "sample":
        sample(args.out, args.sheet, args.reuse)
    else:
        sys.stdout.write(table(args.out, args.sheet))
        if args.write_precision:
            args.write_precision.write_text(precision_toml(args.out, args.sheet, args.date, args.repo))
    return 0


if __name__ == "__main__":
    sys.exit(main())
