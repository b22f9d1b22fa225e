"""Differential check: every `go vet -unsafeptr` finding on the unsafe-pointer fixtures is also a goexplint
finding of the unsafe-pointer family (GXL3xx) on the same line.  vet may classify a line differently (a
header value reported by vet as "misuse of unsafe.Pointer" can be our GXL301 or GXL304); the requirement is
only vet <= ours, except on a line marked ``// ok GXL3nn <why>``: a documented disagreement (vet says
"possible misuse" of a uintptr variable the package never assigns, which holds no address)."""

import subprocess

import pytest

from conftest import FIXTURES, GO, GO_ENV, ROOT, requires_go
from test_fixtures import UNITS, VET_LINE, lint_unit

UNSAFE_UNITS = [u for u in UNITS if u.relative_to(FIXTURES).parts[0] == "unsafe-pointer"]


def vet_unsafeptr(unit):
    proc = subprocess.run([GO, "vet", "-unsafeptr", "./..."], cwd=unit, env=GO_ENV, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    found = []
    for line in proc.stderr.splitlines():
        m = VET_LINE.match(line.strip())
        if m and "possible misuse of" in m.group("msg"):
            path = (unit / m.group("path")).resolve()
            found.append((path.relative_to(ROOT).as_posix(), int(m.group("line"))))
    return found


def test_there_are_unsafe_pointer_units():
    assert len(UNSAFE_UNITS) >= 3, UNSAFE_UNITS


@requires_go
@pytest.mark.parametrize("unit", UNSAFE_UNITS, ids=[str(u.relative_to(FIXTURES)) for u in UNSAFE_UNITS])
def test_vet_unsafeptr_is_a_floor(unit):
    vet = vet_unsafeptr(unit)
    _, result = lint_unit(unit)
    ours = {(f.path, f.line) for f in result.findings if f.rule_id.startswith("GXL3") and f.rule_id != "GXL305"}

    def disagreed(path, line):
        return "// ok GXL3" in (ROOT / path).read_text().splitlines()[line - 1]

    missed = [v for v in vet if v not in ours and not disagreed(*v)]
    assert not missed, "go vet -unsafeptr found these and goexplint's unsafe-pointer rules did not: %s" % missed


@requires_go
def test_vet_sees_the_core_positives():
    """The floor is not vacuous: vet reports on the core unit (if it reported nothing, the check above
    would pass whatever goexplint does)."""
    core = FIXTURES / "unsafe-pointer" / "core"
    assert len(vet_unsafeptr(core)) >= 20
