"""The ``test-files`` setting: context-timeout findings in _test.go files are notes (default), off, or
normal; the other families are not affected.  Engine, CLI flag and config key."""

import json

from conftest import FIXTURES, run_cli
from goexplint.core import config as config_mod
from goexplint.core.engine import Options, lint_files
from goexplint.core.registry import select_rules

UNIT = FIXTURES / "context-timeout" / "testfiles"
FILES = [(str(UNIT / "client.go"), "client.go"), (str(UNIT / "client_test.go"), "client_test.go")]


def lint(mode=None):
    ids = tuple(r.id for r in select_rules(None, None))
    options = Options(rule_ids=ids) if mode is None else Options(rule_ids=ids, test_files=mode)
    return [(f.path, f.line, f.rule_id, f.severity) for f in lint_files(FILES, options).findings]


def test_default_is_note_in_test_files_only():
    got = lint()
    assert ("client.go", 10, "GXL401", "warning") in got
    in_tests = [g for g in got if g[0] == "client_test.go"]
    assert {g[2] for g in in_tests} == {"GXL401", "GXL406"}
    assert {g[3] for g in in_tests} == {"note"}
    assert lint("note") == got


def test_off_drops_test_file_findings():
    got = lint("off")
    assert [g for g in got if g[0] == "client_test.go"] == []
    assert ("client.go", 10, "GXL401", "warning") in got


def test_normal_keeps_rule_severity():
    got = lint("normal")
    assert ("client_test.go", 14, "GXL401", "warning") in got
    assert ("client_test.go", 24, "GXL406", "error") in got


def test_other_families_are_not_lowered(tmp_path):
    d = tmp_path / "m"
    d.mkdir()
    (d / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    (d / "a_test.go").write_text("package m\n\nfunc use(int) {}\n\nfunc f(xs []int) {\n"
                                 "\tfor _, v := range xs {\n\t\tgo func() {\n\t\t\tuse(v)\n\t\t}()\n\t}\n}\n")
    doc = json.loads(run_cli(".", "--format", "json", "--test-files", "off", cwd=d).stdout)
    assert [(f["rule"], f["severity"]) for f in doc["findings"]] == [("GXL101", "error")]


def _test_file_severities(*args, cwd):
    proc = run_cli("--format", "json", "--select", "context-timeout", *args, ".", cwd=cwd)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    return sorted({f["severity"] for f in doc["findings"] if f["path"].endswith("_test.go")})


def test_cli_flag(tmp_path):
    assert _test_file_severities(cwd=UNIT) == ["note"]
    assert _test_file_severities("--test-files", "normal", cwd=UNIT) == ["error", "warning"]
    assert _test_file_severities("--test-files", "off", cwd=UNIT) == []
    proc = run_cli("--test-files", "sometimes", ".", cwd=UNIT)
    assert proc.returncode == 2 and b"--test-files" in proc.stderr


def test_config_key(tmp_path):
    cfg = tmp_path / "goexplint.toml"
    cfg.write_text('test-files = "normal"\n')
    assert _test_file_severities("--config", str(cfg), cwd=UNIT) == ["error", "warning"]
    # the command line wins over the file
    assert _test_file_severities("--config", str(cfg), "--test-files", "note", cwd=UNIT) == ["note"]
    cfg.write_text('test-files = "quiet"\n')
    proc = run_cli("--config", str(cfg), ".", cwd=UNIT)
    assert proc.returncode == 2 and b"test-files" in proc.stderr and b"'note'" in proc.stderr
    assert config_mod.CHOICES["test-files"] == ("note", "off", "normal")
