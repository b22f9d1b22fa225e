"""Differential checks for the waitgroup family: every `go vet -waitgroup` (and, for GXL502,
`go vet -copylocks`) finding on its fixtures must also be a goexplint finding."""

import subprocess

import pytest

from conftest import FIXTURES, GO, GO_ENV, ROOT, requires_go
from test_fixtures import VET_LINE, lint_unit

UNITS = sorted(p.parent for p in (FIXTURES / "waitgroup").glob("*/go.mod"))
CHECKS = {"waitgroup": ("GXL501",), "copylocks": ("GXL502",)}


def vet_findings(unit, analyzer):
    proc = subprocess.run([GO, "vet", "-" + analyzer, "./..."], cwd=unit, env=GO_ENV, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    found = []
    for line in proc.stderr.splitlines():
        m = VET_LINE.match(line.strip())
        if m:
            path = (unit / m.group("path")).resolve()
            found.append((path.relative_to(ROOT).as_posix(), int(m.group("line"))))
    return found


@requires_go
@pytest.mark.parametrize("analyzer", sorted(CHECKS))
@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_vet_is_a_floor(unit, analyzer):
    vet = vet_findings(unit, analyzer)
    _, result = lint_unit(unit)
    ours = {(f.path, f.line) for f in result.findings if f.rule_id in CHECKS[analyzer]}
    missed = [v for v in vet if v not in ours]
    assert not missed, "go vet -%s found these and goexplint did not: %s" % (analyzer, missed)


@requires_go
def test_vet_waitgroup_sees_the_fixtures():
    """Guard against a vacuous floor: vet does report the first-statement Add fixtures."""
    assert vet_findings(FIXTURES / "waitgroup" / "wg", "waitgroup")
