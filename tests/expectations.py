"""Inline fixture expectations.

Markers go at the end of the line where a finding must (or must not) be reported::

    send(v) // want GXL101            exactly one GXL101 here (repeat the id for several)
    send(v) // ok GXL101 reason       a deliberate near miss: no GXL101 here
    x // todo-want GXL104 reason      a known false negative: NOT reported today (test fails once fixed)
    x // todo-ok GXL105 reason        a known false positive: reported today (test fails once fixed)

Every line without a marker asserts that no rule reports anything there.
"""

from __future__ import annotations

import collections
import dataclasses
import re
from pathlib import Path
from typing import Counter, Dict, List, Tuple

MARKER = re.compile(r"//\s*(want|ok|todo-want|todo-ok)\b((?:\s+GXL\d{3})+)")
ID = re.compile(r"GXL\d{3}")


@dataclasses.dataclass
class Expectations:
    want: Counter  # (path, line, rule) -> count
    ok: Counter
    todo_want: Counter
    todo_ok: Counter


def parse_file(path: Path, shown: str) -> Expectations:
    exp = Expectations(collections.Counter(), collections.Counter(), collections.Counter(), collections.Counter())
    text = path.read_text(encoding="utf-8", errors="replace")
    for lineno, line in enumerate(text.splitlines(), 1):
        for m in MARKER.finditer(line):
            kind = m.group(1).replace("-", "_")
            for rule in ID.findall(m.group(2)):
                getattr(exp, kind)[(shown, lineno, rule)] += 1
    return exp


def merge(items: List[Expectations]) -> Expectations:
    out = Expectations(collections.Counter(), collections.Counter(), collections.Counter(), collections.Counter())
    for e in items:
        out.want.update(e.want)
        out.ok.update(e.ok)
        out.todo_want.update(e.todo_want)
        out.todo_ok.update(e.todo_ok)
    return out


def compare(exp: Expectations, got: Counter) -> List[str]:
    """Problems as readable lines (empty = all expectations met)."""
    problems = []
    expected = exp.want + exp.todo_ok
    for key in sorted(set(expected) | set(got)):
        want_n, got_n = expected.get(key, 0), got.get(key, 0)
        if want_n != got_n:
            path, line, rule = key
            if got_n < want_n:
                problems.append("%s:%d: expected %d x %s, got %d" % (path, line, want_n, rule, got_n))
            else:
                note = " (line is marked ok)" if key in exp.ok else ""
                note += " (todo-want: a known gap got fixed? promote the marker to want)" \
                    if key in exp.todo_want else ""
                problems.append("%s:%d: unexpected %s (%d reported, %d expected)%s" % (
                    path, line, rule, got_n, want_n, note))
    return problems


def counts_per_rule(exp: Expectations) -> Dict[str, Tuple[int, int]]:
    out: Dict[str, List[int]] = collections.defaultdict(lambda: [0, 0])
    for (_, _, rule), n in exp.want.items():
        out[rule][0] += n
    for (_, _, rule), n in exp.ok.items():
        out[rule][1] += n
    return {k: (v[0], v[1]) for k, v in out.items()}
