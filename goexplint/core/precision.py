"""Measured precision: each rule's FALSE share on repositories it was never tuned on.

The numbers come from ``precision.toml`` beside this module, written from a triage worksheet
(``benchmarks/triage.py``) as ``shared/spec/triage.md`` describes; ``docs/precision.md`` names the
repositories and commits.  ``--list-rules`` shows the share in its PREC. column and each rule's
documentation states it; a rule with no finding on the measuring repositories shows ``-``.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from pathlib import Path
from typing import Dict, Optional, Tuple

DATA = Path(__file__).with_name("precision.toml")


@dataclasses.dataclass(frozen=True)
class Measured:
    rule: str
    total: int  # findings on the measuring repositories
    sampled: int
    true: int
    deliberate: int
    false: int
    # of the sampled findings, those reported as an error or a warning (a _test.go file's context-timeout
    # findings are notes by default, --test-files): the ones a severity's bar is about
    sampled_failing: int = 0
    false_failing: int = 0

    @property
    def false_share(self) -> float:
        return self.false / self.sampled if self.sampled else 0.0

    @property
    def failing_false_share(self) -> float:
        return self.false_failing / self.sampled_failing if self.sampled_failing else 0.0

    def column(self) -> str:
        """``12%/8``: the FALSE share of the sampled findings, and how many were sampled."""
        return "%d%%/%d" % (round(100 * self.false_share), self.sampled)

    def sentence(self, measurement: "Measurement") -> str:
        return ("Measured on %s (repositories it was never tuned on, %s): %d findings, %d sampled: "
                "%d TRUE, %d deliberate, %d FALSE (%d%% FALSE)." % (
                    ", ".join(measurement.repositories), measurement.date, self.total, self.sampled,
                    self.true, self.deliberate, self.false, round(100 * self.false_share)))


@dataclasses.dataclass(frozen=True)
class Measurement:
    date: str
    repositories: Tuple[str, ...]
    rules: Dict[str, Measured]

    def of(self, rule_id: str) -> Optional[Measured]:
        return self.rules.get(rule_id)


@functools.lru_cache(maxsize=1)
def measurement() -> Measurement:
    doc = tomllib.loads(DATA.read_text(encoding="utf-8"))
    head = doc["measurement"]
    rules = {rid: Measured(rid, **{k.replace("-", "_"): int(v) for k, v in row.items()})
             for rid, row in doc.get("rules", {}).items()}
    return Measurement(head["date"], tuple(head["repositories"]), rules)


def column(rule_id: str) -> str:
    m = measurement().of(rule_id)
    return m.column() if m else "-"


def sentence(rule_id: str) -> str:
    m = measurement().of(rule_id)
    if m is None:
        return ("Not measured: no finding on the measuring repositories (%s)." % ", ".join(measurement().repositories))
    return m.sentence(measurement())
