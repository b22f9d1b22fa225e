"""The per-file budget (--file-timeout, config file-timeout): checked between matches with a clock the
test controls, so it is deterministic: past the budget the rest of the file's refine work stops, the
findings made so far are kept, a notice names the file and the rule, suppressions are not called
unused, the result is not cached, and the notice reaches text, JSON and SARIF."""

import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT

from goexplint.core import engine
from goexplint.core.engine import Options, lint_files, lint_source
from goexplint.core.registry import all_rules

SOURCE = (FIXTURES / "loopvar" / "legacy" / "gxl101_loopvar_goroutine_capture.go").read_bytes()
ALL = tuple(r.id for r in all_rules())


class FakeClock:
    """Each reading advances one second."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 1.0
        return self.now


def _lint(timeout, monkeypatch, report_unused=False):
    monkeypatch.setattr(engine, "_clock", FakeClock())
    opts = Options(ALL, go_version="1.21", file_timeout=timeout, report_unused=report_unused)
    return lint_source("x.go", SOURCE, opts)


def test_no_budget_no_notice(monkeypatch):
    full = _lint(0, monkeypatch)
    assert len(full.findings) > 3 and not [n for n in full.notices if n.kind == "timeout"]


def test_past_the_budget_the_findings_so_far_are_kept(monkeypatch):
    full = _lint(0, monkeypatch)
    ample = _lint(100000, monkeypatch)
    assert ample.findings == full.findings and not ample.notices
    for budget in (3, 6):
        cut = _lint(budget, monkeypatch)
        notes = [n for n in cut.notices if n.kind == "timeout"]
        assert len(notes) == 1 and notes[0].path == "x.go"
        rule = notes[0].message.split("analysis stopped in rule ")[1].split()[0]
        assert rule in ALL and "--file-timeout" in notes[0].message and "findings so far kept" in notes[0].message
        keys = {(f.rule_id, f.span) for f in full.findings}
        assert {(f.rule_id, f.span) for f in cut.findings} < keys  # a strict subset: kept, not invented
    assert len(_lint(3, monkeypatch).findings) <= len(_lint(6, monkeypatch).findings)


def test_budget_keeps_suppressions_from_looking_unused(monkeypatch):
    full = _lint(0, monkeypatch)
    last = max({f.rule_id for f in full.findings}, key=ALL.index)  # the last rule to run that finds something
    source = SOURCE + b"\n//goexplint:file-ignore %s the budget test\n" % last.encode()

    def lint(timeout):
        monkeypatch.setattr(engine, "_clock", FakeClock())
        return lint_source("x.go", source, Options(ALL, go_version="1.21", file_timeout=timeout, report_unused=True))
    assert not [f for f in lint(0).findings if f.rule_id == "GXL000"]  # used when the rule runs
    cut = lint(3)
    assert [n for n in cut.notices if n.kind == "timeout"] and last not in {f.rule_id for f in cut.findings}
    assert not [f for f in cut.findings if f.rule_id == "GXL000"]  # not "unused" because its rule was skipped


def test_timed_out_results_are_not_cached(tmp_path, monkeypatch):
    src = tmp_path / "x.go"
    src.write_bytes(SOURCE)
    cache = tmp_path / "cache"
    monkeypatch.setattr(engine, "_clock", FakeClock())
    opts = Options(ALL, go_version="1.21", file_timeout=3)
    first = lint_files([(str(src), "x.go")], opts, cache_dir=str(cache))
    assert [n for n in first.notices if n.kind == "timeout"]
    second = lint_files([(str(src), "x.go")], opts, cache_dir=str(cache))
    assert second.cached == 0


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_notice_in_every_report(tmp_path, fmt):
    """Through the real command line: a budget of 1e-9 s runs out at the first check."""
    (tmp_path / "x.go").write_bytes(SOURCE)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("GOEXPERIMENT", None)
    proc = subprocess.run([sys.executable, "-m", "goexplint", "x.go", "--go-version", "1.21", "--no-cache",
                           "--file-timeout", "1e-9", "--format", fmt], cwd=tmp_path, env=env,
                          capture_output=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    if fmt == "text":
        assert b"x.go: warning: analysis stopped in rule GXL" in proc.stderr
    elif fmt == "json":
        notes = [n for n in json.loads(proc.stdout)["notices"] if n["kind"] == "timeout"]
        assert len(notes) == 1 and notes[0]["path"] == "x.go" and "stopped in rule GXL" in notes[0]["message"]
    else:
        run = json.loads(proc.stdout)["runs"][0]
        notes = run["invocations"][0]["toolExecutionNotifications"]
        assert any("stopped in rule GXL" in n["message"]["text"] for n in notes)


def test_config_key_and_validation(tmp_path):
    (tmp_path / "x.go").write_bytes(SOURCE)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("GOEXPERIMENT", None)

    def run(*args):
        return subprocess.run([sys.executable, "-m", "goexplint", "x.go", "--go-version", "1.21", "--no-cache",
                               *args], cwd=tmp_path, env=env, capture_output=True, timeout=300)
    (tmp_path / ".goexplint.toml").write_text("file-timeout = 1e-9\n")
    assert b"analysis stopped in rule" in run().stderr
    assert b"analysis stopped in rule" not in run("--file-timeout", "0").stderr
    (tmp_path / ".goexplint.toml").write_text('file-timeout = "soon"\n')
    bad = run()
    assert bad.returncode == 2 and b"file-timeout" in bad.stderr
    (tmp_path / ".goexplint.toml").unlink()
    assert run("--file-timeout", "-1").returncode == 2


def test_package_work_is_not_charged_to_the_file_that_runs_it(monkeypatch):
    """The package model (and the field-access index) is built once per package, by whichever file needs
    it first: its time moves that file's deadline, as parsing the siblings does, so a large package does
    not cut its first file short."""
    from goexplint.analysis import package

    clock = FakeClock()
    monkeypatch.setattr(engine, "_clock", clock)
    built = []
    real_init = package.PackageModel.__init__

    def slow_init(self, files):
        clock.now += 1e6  # a model that takes far longer than the budget to build
        built.append(files)
        real_init(self, files)
    monkeypatch.setattr(package.PackageModel, "__init__", slow_init)
    full = lint_source("x.go", SOURCE, Options(ALL, go_version="1.21", file_timeout=0))
    built.clear()
    result = lint_source("x.go", SOURCE, Options(ALL, go_version="1.21", file_timeout=100000))
    assert built and not [n for n in result.notices if n.kind == "timeout"]
    assert result.findings == full.findings


def test_budget_exempt_moves_the_deadline(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(engine, "_clock", clock)
    budget = engine._Budget(5)
    with budget.exempt():
        with budget.exempt():  # nested package work counts once
            clock.now += 100.0
    assert not budget.over("GXL204")
    clock.now += 10.0
    assert budget.over("GXL204") and budget.spent_in == "GXL204"
