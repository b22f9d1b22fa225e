"""The race detector as an oracle for the shared-counter and waitgroup families.

fixtures/shared-counter/racedemo and fixtures/waitgroup/wgdemo pair each racy function that goexplint
reports (its `// want` lines are checked by test_fixtures.py) with the fixed version it accepts.
Here `go test -race` runs each pair: the
racy test must make the race detector report a data race, the safe one must run clean.  So a positive
fixture that is not a real race, or a "fix" that still races, fails the suite.
"""

import shutil
import subprocess

import pytest

from conftest import FIXTURES, GO, GO_ENV, requires_go

RACEDEMO = FIXTURES / "shared-counter" / "racedemo"
WGDEMO = FIXTURES / "waitgroup" / "wgdemo"
CASES = {  # test name suffix -> (demo module, the rule its racy half is reported under)
    "Counter": (RACEDEMO, "GXL201"),
    "Append": (RACEDEMO, "GXL202"),
    "Map": (RACEDEMO, "GXL202"),
    "RLock": (RACEDEMO, "GXL206"),
    "NamedResult": (RACEDEMO, "GXL207"),
    "AtomicMix": (RACEDEMO, "GXL204"),
    "AtomicMixFiles": (RACEDEMO, "GXL204"),  # atomic in meter.go, plain read in meter_read.go
    "AtomicCallers": (RACEDEMO, "GXL204"),  # the atomic writer's callers hold the write lock (Safe) or not
    "SoleWriter": (RACEDEMO, "GXL206"),  # a write under RLock by the only goroutine that touches the field
    "Guarded": (RACEDEMO, "GXL210"),
    "Callback": (RACEDEMO, "GXL211"),
    "Handoff": (RACEDEMO, "GXL212"),
    "AddInGoroutine": (WGDEMO, "GXL501"),
    "NeverWaited": (WGDEMO, "GXL503"),
}
CC = shutil.which("gcc") or shutil.which("cc")
requires_race = pytest.mark.skipif(CC is None, reason="the race detector needs cgo and a C compiler")


def run_race(demo, test_name):
    env = dict(GO_ENV, CGO_ENABLED="1")
    proc = subprocess.run([GO, "test", "-race", "-count=1", "-run", "^%s$" % test_name, "."], cwd=demo, env=env,
                          capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


def test_every_case_has_a_reported_line():
    for demo, rule in CASES.values():
        text = "".join(p.read_text() for p in demo.glob("*.go") if not p.name.endswith("_test.go"))
        assert "// want %s" % rule in text


@requires_go
@requires_race
@pytest.mark.parametrize("case", sorted(CASES))
def test_racy_version_races(case):
    rc, out = run_race(CASES[case][0], "TestRacy" + case)
    assert "WARNING: DATA RACE" in out, out
    assert rc != 0


@requires_go
@requires_race
@pytest.mark.parametrize("case", sorted(CASES))
def test_safe_version_does_not_race(case):
    rc, out = run_race(CASES[case][0], "TestSafe" + case)
    assert "DATA RACE" not in out, out
    assert rc == 0, out
