"""Measured precision: the triage sampler, the table's weighting, and the data behind PREC.

The data (goexplint/core/precision.toml) is a triage of repositories no rule was tuned on; these
tests check that it is consistent, that docs/precision.md names every repository with its commit,
and that every default-on rule meets its severity's bar (errors FALSE <= 5 %, warnings <= 10 %, counted
over the sampled findings that were reported as an error or a warning): a rule whose measured share
misses its bar must be demoted, or this fails.
"""

from __future__ import annotations

import json
import re
import sys

from conftest import ROOT

from goexplint import cli
from goexplint.core import precision
from goexplint.core.registry import rules_by_id

sys.path.insert(0, str(ROOT / "benchmarks"))
import triage  # noqa: E402

BARS = {"error": 0.05, "warning": 0.10}


def _finding(rule, path, line, severity="warning"):
    return {"rule": rule, "path": path, "line": line, "column": 1, "severity": severity, "message": "m %s" % line}


def test_sample_takes_everything_up_to_the_limit():
    per_repo = {"a": [_finding("X", "a.go", i) for i in range(5)], "b": [_finding("X", "b.go", 1)]}
    got = triage.sample_rule(per_repo)
    assert [(r, f["line"]) for r, f in got] == [("a", i) for i in range(5)] + [("b", 1)]


def test_sample_deals_slots_round_robin_and_spreads_them():
    per_repo = {"a": [_finding("X", "a.go", i) for i in range(40)],
                "b": [_finding("X", "b.go", i) for i in range(2)], "c": []}
    got = triage.sample_rule(per_repo)
    assert len(got) == 8
    assert [r for r, _ in got].count("b") == 2  # b gave all it has, a the other six
    lines_a = [f["line"] for r, f in got if r == "a"]
    assert lines_a == sorted(set(lines_a)) and len(lines_a) == 6
    assert lines_a[0] < 40 / 6 and lines_a[-1] > 40 - 40 / 6  # spread over the whole range
    assert triage.sample_rule(per_repo) == got


def test_table_weights_each_rule_by_its_volume(tmp_path):
    out = tmp_path / "runs"
    out.mkdir()
    (out / "r1.json").write_text(json.dumps({"findings": [_finding("GXL1", "x.go", i) for i in range(10)]}))
    (out / "r2.json").write_text(json.dumps({"findings": [_finding("GXL2", "y.go", i, "note") for i in range(30)]}))
    sheet = tmp_path / "sheet.tsv"
    triage.sample(out, sheet, [])
    rows = triage.read_sheet(sheet)
    assert len(rows) == 16
    for i, row in enumerate(rows):
        row["verdict"] = "FALSE" if row["rule"] == "GXL1" and i % 2 == 0 else "TRUE"
    with open(sheet, "w", newline="") as fh:
        w = triage.csv.DictWriter(fh, triage.COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    text = triage.table(out, sheet)
    assert "| GXL1 | warning | 10 | 8 | 4 | 0 | 4 | 50% |" in text
    assert "all (weighted by findings): 12.5% of 40 findings" in text
    # a later sheet reuses what was judged
    again = tmp_path / "again.tsv"
    triage.sample(out, again, [sheet])
    assert [r["verdict"] for r in triage.read_sheet(again)] == [r["verdict"] for r in rows]


def test_precision_data_is_consistent():
    m = precision.measurement()
    known = rules_by_id()
    assert m.repositories and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{8,40}", r) for r in m.repositories)
    for rid, row in m.rules.items():
        assert rid in known, rid
        assert row.true + row.deliberate + row.false == row.sampled == min(row.total, triage.PER_RULE), rid
        assert row.false_failing <= row.false and row.false_failing <= row.sampled_failing <= row.sampled, rid


def test_docs_name_every_measuring_repository_and_commit():
    doc = (ROOT / "docs" / "precision.md").read_text()
    for repo in precision.measurement().repositories:
        name, commit = repo.split("@")
        assert name in doc and commit in doc, repo


def test_every_default_rule_meets_its_bar():
    missed = []
    for rid, rule in rules_by_id().items():
        row = precision.measurement().of(rid)
        bar = BARS.get(rule.severity)
        if row is not None and rule.default and bar is not None and row.failing_false_share > bar:
            missed.append("%s (%s): %d of %d FALSE" % (rid, rule.severity, row.false_failing, row.sampled_failing))
    assert not missed, "demote these rules or fix them: " + "; ".join(missed)


def test_list_rules_shows_the_measured_share():
    table = cli.list_rules_text()
    for rid in rules_by_id():
        line = next(ln for ln in table.splitlines() if ln.startswith(rid + " "))
        assert precision.column(rid) in line.split(), line
    some = next(iter(precision.measurement().rules.values()), None)
    if some is not None:
        assert re.fullmatch(r"\d+%/\d+", precision.column(some.rule))
        assert "%d FALSE" % some.false in cli.explain(some.rule)
