"""The fixture suite: every Go unit under fixtures/ is linted with its own go.mod (and its own
.goexplint.toml, if any) and every finding must match the inline ``// want`` markers exactly."""

import collections
import re
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, GO, GO_ENV, ROOT, fixture_units, requires_go
from expectations import compare, counts_per_rule, merge, parse_file
from goexplint.core import config as config_mod
from goexplint.core.discover import DiscoverOptions, discover
from goexplint.core.engine import Options, lint_files
from goexplint.core.registry import all_rules, select_rules

UNITS = fixture_units()


def lint_unit(unit: Path, **overrides):
    cfg = {}
    if (unit / ".goexplint.toml").exists():
        cfg = config_mod.load_file(unit / ".goexplint.toml")
    rules = select_rules(cfg.get("select"), cfg.get("ignore"))
    options = Options(rule_ids=tuple(r.id for r in rules),
                      go_version=overrides.get("go_version", cfg.get("go-version")),
                      report_unused=cfg.get("report-unused-suppressions", False),
                      environ=tuple(overrides.get("environ", {}).items()),
                      test_files=cfg.get("test-files", "note"))
    files = discover([str(unit)], DiscoverOptions(), cwd=ROOT)
    result = lint_files([(str(p), shown) for p, shown in files], options, jobs=1)
    return files, result


def expectations_for(files):
    return merge([parse_file(p, shown) for p, shown in files])


def got_counter(result):
    return collections.Counter((f.path, f.line, f.rule_id) for f in result.findings if f.suppressed is None)


@pytest.mark.parametrize("unit", UNITS, ids=[str(u.relative_to(FIXTURES)) for u in UNITS])
def test_fixture_unit(unit):
    files, result = lint_unit(unit)
    assert files, "no Go files found in %s" % unit
    problems = compare(expectations_for(files), got_counter(result))
    assert not problems, "\n".join(problems)


def test_every_rule_has_positive_and_negative_fixtures():
    exp = merge([expectations_for(discover([str(u)], DiscoverOptions(), cwd=ROOT)) for u in UNITS])
    counts = counts_per_rule(exp)
    missing = [r.id for r in all_rules() if counts.get(r.id, (0, 0))[0] == 0 or counts.get(r.id, (0, 0))[1] == 0]
    assert not missing, "rules without a `want` and an `ok` fixture line: %s" % missing


@requires_go
@pytest.mark.parametrize("unit", UNITS, ids=[str(u.relative_to(FIXTURES)) for u in UNITS])
def test_fixture_unit_type_checks(unit):
    """Fixtures are real Go: they compile (tests included) with the Go toolchain."""
    if (unit / "go.mod").exists():
        cmds = [[GO, "build", "./..."], [GO, "test", "-count=1", "-vet=off", "-run", "^$", "./..."]]
    else:
        cmds = [[GO, "build", "-o", "/dev/null", *sorted(p.name for p in unit.glob("*.go"))]]
    for cmd in cmds:
        proc = subprocess.run(cmd, cwd=unit, env=GO_ENV, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, "%s failed in %s:\n%s%s" % (" ".join(cmd), unit, proc.stdout, proc.stderr)


VET_LINE = re.compile(r"^(?P<path>[^:\s][^:]*\.go):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$")
LOOPVAR_UNITS = [u for u in UNITS if u.relative_to(FIXTURES).parts[0] == "loopvar"]


@requires_go
@pytest.mark.parametrize("unit", LOOPVAR_UNITS, ids=[str(u.relative_to(FIXTURES)) for u in LOOPVAR_UNITS])
def test_vet_loopclosure_is_a_floor(unit):
    """Differential check: every `go vet -loopclosure` finding is also a goexplint finding."""
    proc = subprocess.run([GO, "vet", "-loopclosure", "./..."], cwd=unit, env=GO_ENV, capture_output=True,
                          text=True, timeout=600)
    vet = []
    for line in proc.stderr.splitlines():
        m = VET_LINE.match(line.strip())
        if m and "loop variable" in m.group("msg"):
            path = (unit / m.group("path")).resolve()
            vet.append((path.relative_to(ROOT).as_posix(), int(m.group("line"))))
    assert proc.returncode in (0, 1), proc.stderr
    _, result = lint_unit(unit)
    ours = {(f.path, f.line) for f in result.findings if f.rule_id in ("GXL101", "GXL102", "GXL103", "GXL106")}
    missed = [v for v in vet if v not in ours]
    assert not missed, "go vet -loopclosure found these and goexplint did not: %s" % missed
