"""Differential check: every `go vet -lostcancel` finding in the context-timeout fixtures is also a
goexplint finding (GXL407 at the With* call and at the return, GXL406 for a discarded cancel)."""

import re
import subprocess

import pytest

from conftest import FIXTURES, GO, GO_ENV, ROOT, requires_go
from test_fixtures import UNITS, lint_unit

VET_LINE = re.compile(r"^(?P<path>[^:\s][^:]*\.go):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$")
CONTEXT_UNITS = [u for u in UNITS if u.relative_to(FIXTURES).parts[0] == "context-timeout"]


def vet_lostcancel(unit):
    proc = subprocess.run([GO, "vet", "-lostcancel", "./..."], cwd=unit, env=GO_ENV, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    found = []
    for line in proc.stderr.splitlines():
        m = VET_LINE.match(line.strip())
        if m and ("cancel" in m.group("msg") or "context leak" in m.group("msg")):
            path = (unit / m.group("path")).resolve()
            found.append((path.relative_to(ROOT).as_posix(), int(m.group("line")), m.group("msg")))
    return found


def test_there_are_context_units():
    assert CONTEXT_UNITS, "no fixtures/context-timeout units"


@requires_go
@pytest.mark.parametrize("unit", CONTEXT_UNITS, ids=[str(u.relative_to(FIXTURES)) for u in CONTEXT_UNITS])
def test_vet_lostcancel_is_a_floor(unit):
    vet = vet_lostcancel(unit)
    _, result = lint_unit(unit)
    ours = {(f.path, f.line) for f in result.findings if f.rule_id in ("GXL406", "GXL407")}
    missed = [v for v in vet if v[:2] not in ours]
    assert not missed, "go vet -lostcancel found these and goexplint did not: %s" % missed


@requires_go
def test_vet_lostcancel_sees_the_fixtures():
    """The floor is not vacuous: vet reports in the basic unit (a broken vet invocation would pass above)."""
    basic = FIXTURES / "context-timeout" / "basic"
    assert len(vet_lostcancel(basic)) >= 10
