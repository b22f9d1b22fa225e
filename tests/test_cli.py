"""The command line, end to end in a subprocess: exit codes, formats, bad input, discovery, config."""

import json
import os
import textwrap

import pytest

from conftest import run_cli

LEGACY = textwrap.dedent("""\
    package p

    func use(int) {}

    func f(xs []int) {
    \tfor _, v := range xs {
    \t\tgo func() {
    \t\t\tuse(v)
    \t\t}()
    \t}
    }
    """)


def module(tmp_path, go="1.21", files=None, name="m"):
    d = tmp_path / name
    d.mkdir(parents=True, exist_ok=True)
    if go is not None:
        (d / "go.mod").write_text("module example.com/%s\n\ngo %s\n" % (name, go))
    for rel, text in (files or {"a.go": LEGACY}).items():
        p = d / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return d


def test_text_output_and_exit_1(tmp_path):
    d = module(tmp_path)
    proc = run_cli(".", cwd=d)
    assert proc.returncode == 1
    out = proc.stdout.decode().splitlines()
    assert out == [line for line in out if line.startswith("a.go:8:8: GXL101 ")] and len(out) == 1
    assert "1 finding (1 error) in 1 file" in proc.stderr.decode()


def test_paths_relative_to_cwd(tmp_path):
    module(tmp_path)
    proc = run_cli("m", cwd=tmp_path)
    assert proc.stdout.decode().startswith("m/a.go:8:8: GXL101")


def test_clean_exit_0_and_exit_zero(tmp_path):
    d = module(tmp_path, go="1.22")
    proc = run_cli(".", cwd=d)
    assert proc.returncode == 0 and proc.stdout == b""
    d2 = module(tmp_path, name="n")
    assert run_cli(".", "--exit-zero", cwd=d2).returncode == 0


def test_go_version_flag_overrides_gomod(tmp_path):
    d = module(tmp_path, go="1.21")
    assert run_cli(".", "--go-version", "1.22", cwd=d).returncode == 0
    d2 = module(tmp_path, go="1.22", name="n")
    assert run_cli(".", "--go-version", "1.21", cwd=d2).returncode == 1


def test_goexperiment_loopvar(tmp_path):
    d = module(tmp_path, go="1.21")
    assert run_cli(".", cwd=d, env={"GOEXPERIMENT": "loopvar"}).returncode == 0
    assert run_cli(".", cwd=d, env={"GOEXPERIMENT": "noloopvar"}).returncode == 1


def test_no_gomod_is_the_toolchain_version(tmp_path):
    """No go.mod above the file: the go command builds it at its own version (per-iteration loops)."""
    d = module(tmp_path, go=None)
    if any((p / "go.mod").exists() for p in d.parents):
        pytest.skip("a go.mod exists above %s" % d)
    proc = run_cli(".", "--format", "json", cwd=d)
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == []
    assert run_cli(".", "--go-version", "1.21", cwd=d).returncode == 1


def test_unknown_version_assumes_legacy_and_says_so(tmp_path):
    d = module(tmp_path, go="banana")  # a go line the go command rejects: the version is unknown
    proc = run_cli(".", "--format", "json", cwd=d)
    doc = json.loads(proc.stdout)
    [f] = doc["findings"]
    assert "assuming Go < 1.22" in f["message"] and f["confidence"] == "medium" and f["go_version"] == "unknown"


@pytest.mark.parametrize("args, needle", [
    (["does-not-exist"], "does-not-exist: no such file or directory"),
    (["--format", "xml"], "invalid choice"),
    (["--select", "GXL999"], "unknown rule or family"),
    (["--go-version", "banana"], "invalid Go version"),
    (["--bogus"], "unrecognized arguments"),
    (["--explain", "GXL999"], "unknown rule"),
    (["--jobs", "0"], "--jobs must be at least 1"),
])
def test_usage_errors_are_one_line_exit_2(tmp_path, args, needle):
    proc = run_cli(*args, cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_config_unknown_key(tmp_path):
    d = module(tmp_path)
    (d / ".goexplint.toml").write_text('selekt = ["GXL101"]\n')
    proc = run_cli(".", cwd=d)
    assert proc.returncode == 2 and "unknown key 'selekt'" in proc.stderr.decode()
    (d / ".goexplint.toml").write_text('select = "GXL101"\n')
    assert "must be a list of strings" in run_cli(".", cwd=d).stderr.decode()
    (d / ".goexplint.toml").write_text('select = [\n')
    assert "invalid TOML" in run_cli(".", cwd=d).stderr.decode()


def test_config_files_and_cli_precedence(tmp_path):
    d = module(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.goexplint]\nignore = ["loopvar"]\n')
    sub = d / "sub"
    sub.mkdir()
    assert run_cli("..", cwd=sub).returncode == 0  # nearest config (pyproject two levels up) ignores loopvar
    (d / ".goexplint.toml").write_text('go-version = "1.22"\n')
    assert run_cli(".", cwd=d).returncode == 0  # the nearer file wins: version 1.22, loopvar rules gated off
    assert run_cli(".", "--go-version", "1.21", cwd=d).returncode == 1  # the command line wins over the file


@pytest.mark.parametrize("content, kind", [
    (b"package p\n\nfunc f() { \xff\xfe }\n", "not valid UTF-8"),
    (b"\x00\x01\x02binary", "binary file"),
    (b"", "empty file"),
])
def test_bad_files_give_one_notice_and_run_goes_on(tmp_path, content, kind):
    d = module(tmp_path, files={"a.go": LEGACY, "bad.go": content})
    proc = run_cli(".", cwd=d)
    err = proc.stderr.decode()
    assert proc.returncode == 1, err  # a.go still linted
    assert kind in err and "Traceback" not in err
    assert sum(1 for line in err.splitlines() if line.startswith("bad.go")) == 1


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    d = module(tmp_path, files={"a.go": LEGACY, "locked.go": "package p\n"})
    (d / "locked.go").chmod(0)
    proc = run_cli(".", cwd=d)
    assert "cannot read" in proc.stderr.decode() and proc.returncode == 1


def test_unreadable_file_as_directory_named_go(tmp_path):
    d = module(tmp_path)
    (d / "dir.go").mkdir()
    proc = run_cli("dir.go/..", "a.go", cwd=d)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr.decode()


def test_syntax_error_lints_the_rest(tmp_path):
    broken = LEGACY + "\nfunc broken( {\n"
    d = module(tmp_path, files={"a.go": broken})
    proc = run_cli(".", "--format", "sarif", cwd=d)
    doc = json.loads(proc.stdout)
    run = doc["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["GXL101"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1 and notes[0]["descriptor"]["id"] == "GXL-PARSE"
    assert proc.returncode == 1 and "syntax error" in proc.stderr.decode()


def test_discovery_skips_like_the_go_tool(tmp_path):
    files = {p: LEGACY for p in ("a.go", "vendor/x/v.go", "testdata/t.go", ".hidden/h.go", "_skip/s.go",
                                 "sub/b.go")}
    files["gen.go"] = "// Code generated by hand. DO NOT EDIT.\n\n" + LEGACY
    d = module(tmp_path, files=files)
    paths = lambda proc: sorted({line.split(":")[0] for line in proc.stdout.decode().splitlines()})  # noqa: E731
    assert paths(run_cli(".", cwd=d)) == ["a.go", "sub/b.go"]
    assert paths(run_cli(".", "--include-vendor", "--include-testdata", "--include-hidden", "--include-generated",
                         cwd=d)) == [".hidden/h.go", "_skip/s.go", "a.go", "gen.go", "sub/b.go", "testdata/t.go",
                                     "vendor/x/v.go"]
    assert paths(run_cli("vendor/x/v.go", cwd=d)) == ["vendor/x/v.go"]  # named explicitly: linted
    assert paths(run_cli("vendor/x/v.go", "--force-exclude", cwd=d)) == []
    assert paths(run_cli(".", "--exclude", "sub", cwd=d)) == ["a.go"]


def test_stdin_filename(tmp_path):
    d = module(tmp_path)
    proc = run_cli("--stdin-filename", "a.go", cwd=d, stdin=LEGACY.encode())
    assert proc.returncode == 1 and proc.stdout.decode().startswith("a.go:8:8: GXL101")
    proc = run_cli("--stdin-filename", "a.go", "--go-version", "1.22", cwd=d, stdin=LEGACY.encode())
    assert proc.returncode == 0


def test_output_file_always_written(tmp_path):
    d = module(tmp_path, go="1.22")
    out = tmp_path / "report.sarif"
    proc = run_cli(".", "--format", "sarif", "--output", str(out), cwd=d)
    assert proc.returncode == 0 and proc.stdout == b""
    assert json.loads(out.read_text())["runs"][0]["results"] == []


def test_jobs_give_identical_output(tmp_path):
    files = {"f%02d.go" % i: LEGACY.replace("func f(", "func f%d(" % i) for i in range(12)}
    d = module(tmp_path, files=files)
    one = run_cli(".", "--jobs", "1", "--format", "json", cwd=d)
    many = run_cli(".", "--jobs", "3", "--format", "json", cwd=d)
    assert one.stdout == many.stdout and one.returncode == many.returncode == 1
    assert len(json.loads(one.stdout)["findings"]) == 12


def test_show_source(tmp_path):
    d = module(tmp_path)
    out = run_cli(".", "--show-source", cwd=d).stdout.decode().splitlines()
    assert out[1].strip() == "use(v)" and out[2].strip() == "^"


def test_list_rules_and_version():
    proc = run_cli("--list-rules")
    assert proc.returncode == 0 and "GXL101" in proc.stdout.decode() and "loopvar" in proc.stdout.decode()
    assert run_cli("--version").stdout.decode().startswith("goexplint ")


def test_list_rules_json_schema():
    """--list-rules --format json: a stable document, one entry per rule, the same rules as the table."""
    from goexplint.core.registry import all_rules

    proc = run_cli("--list-rules", "--format", "json")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1 and doc["tool"]["name"] == "goexplint"
    keys = {"id", "name", "family", "severity", "precision", "go", "default", "short_description", "help_uri",
            "reports_at", "tags"}
    assert [r["id"] for r in doc["rules"]] == [r.id for r in all_rules()]
    for entry, rule in zip(doc["rules"], all_rules()):
        assert set(entry) == keys
        assert (entry["name"], entry["family"], entry["severity"], entry["precision"], entry["default"]) == (
            rule.name, rule.family, rule.severity, rule.confidence, rule.default)
        assert entry["go"] == (rule.go or None) and isinstance(entry["tags"], list)
        assert entry["help_uri"].endswith("#" + rule.id.lower())
    table = run_cli("--list-rules").stdout.decode().splitlines()[1:]
    assert [line.split()[0] for line in table] == [r["id"] for r in doc["rules"]]
    bad = run_cli("--list-rules", "--format", "sarif")
    assert bad.returncode == 2 and b"--list-rules prints text or json" in bad.stderr


def test_nolint_with_a_rule_id_is_not_accepted_and_says_what_to_write(tmp_path):
    """//nolint names linters (golangci-lint); a rule id there suppresses nothing, with a notice."""
    d = module(tmp_path, files={"a.go": LEGACY.replace("use(v)", "use(v) //nolint:GXL101")})
    proc = run_cli(".", cwd=d)
    assert proc.returncode == 1 and b"GXL101" in proc.stdout
    assert b"a.go:8:11: warning: //nolint:GXL101 names rule GXL101, but //nolint names linters: " \
           b"use //goexplint:ignore GXL101" in proc.stderr
    d2 = module(tmp_path, files={"a.go": LEGACY.replace("use(v)", "use(v) //nolint:all")}, name="m2")
    proc = run_cli(".", cwd=d2)
    assert proc.returncode == 0 and b"1 suppressed" in proc.stderr


def test_nothing_is_modified(tmp_path):
    d = module(tmp_path)
    before = {p: p.read_bytes() for p in d.rglob("*") if p.is_file()}
    run_cli(".", "--format", "sarif", cwd=d)
    after = {p: p.read_bytes() for p in d.rglob("*") if p.is_file()}
    assert before == after


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_does_not_hang(tmp_path):
    """A FIFO called x.go in a linted directory is skipped; named explicitly it is a one-line error."""
    d = module(tmp_path)
    os.mkfifo(d / "pipe.go")
    proc = run_cli(".", cwd=d)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 1 and "GXL101" in out and "pipe.go" not in out + err
    proc = run_cli("pipe.go", cwd=d)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "not a regular file" in err and "Traceback" not in err


NOTE_ONLY = textwrap.dedent("""\
    package p

    func use(int) {}

    func f(xs []int) {
    \tfor _, v := range xs {
    \t\tv := v
    \t\tuse(v)
    \t}
    \tfor _, w := range xs {
    \t\tw := w
    \t\tuse(w)
    \t}
    }
    """)


def test_fail_on_notes_do_not_fail_by_default(tmp_path):
    d = module(tmp_path, go="1.22", files={"a.go": NOTE_ONLY})
    proc = run_cli(".", cwd=d)
    out = proc.stdout.decode().splitlines()
    assert proc.returncode == 0 and len(out) == 2
    assert all(line.startswith("a.go:") and " GXL107 " in line and line.endswith(" [note]") for line in out)
    assert "2 findings (2 notes) in 1 file" in proc.stderr.decode()
    assert run_cli(".", "--fail-on", "note", cwd=d).returncode == 1
    assert run_cli(".", "--fail-on", "warning", cwd=d).returncode == 0
    (d / ".goexplint.toml").write_text('fail-on = "note"\n')
    assert run_cli(".", cwd=d).returncode == 1
    assert run_cli(".", "--fail-on", "error", cwd=d).returncode == 0  # the command line wins
    assert run_cli(".", "--exit-zero", cwd=d).returncode == 0


def test_fail_on_error_and_text_severity(tmp_path):
    d = module(tmp_path)  # one GXL101 error
    proc = run_cli(".", "--fail-on", "error", cwd=d)
    assert proc.returncode == 1 and proc.stdout.decode().rstrip("\n").endswith(" [error]")
    (d / ".goexplint.toml").write_text('fail-on = "notes"\n')
    bad = run_cli(".", cwd=d)
    assert bad.returncode == 2 and b"fail-on" in bad.stderr
    assert run_cli(".", "--fail-on", "info", cwd=d).returncode == 2
