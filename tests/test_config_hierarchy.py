"""Hierarchical configuration, as in ruff: the nearest .goexplint.toml / pyproject.toml [tool.goexplint]
above each file applies, ``extend`` inherits, ``--config`` applies one file to everything."""

import json
import textwrap

from conftest import run_cli
from goexplint.core import config as config_mod

# GXL101 (go statement) and GXL102 (defer) on lines 8 and 10 of every copy
CODE = textwrap.dedent("""\
    package p

    func use(int) {}

    func f(xs []int) {
    \tfor _, v := range xs {
    \t\tgo func() {
    \t\t\tuse(v)
    \t\t}()
    \t\tdefer func() { use(v) }()
    \t}
    }
    """)


def monorepo(tmp_path):
    """Two go 1.21 modules under one root: legacy/ has no configuration of its own, svc/ has one."""
    root = tmp_path / "repo"
    for mod in ("legacy", "svc"):
        (root / mod / "gen").mkdir(parents=True)
        (root / mod / "go.mod").write_text("module example.com/%s\n\ngo 1.21\n" % mod)
        (root / mod / "a.go").write_text(CODE)
        (root / mod / "gen" / "g.go").write_text(CODE)
    (root / ".goexplint.toml").write_text('ignore = ["GXL102"]\n')
    (root / "svc" / ".goexplint.toml").write_text(
        'extend = "../.goexplint.toml"\nselect = ["GXL1"]\nignore = ["GXL102", "GXL101"]\nexclude = ["gen"]\n')
    return root


def found(proc):
    return sorted((f["path"], f["rule"]) for f in json.loads(proc.stdout)["findings"])


def test_nearest_config_applies_to_each_file(tmp_path):
    root = monorepo(tmp_path)
    (root / "svc" / ".goexplint.toml").write_text('ignore = ["GXL101"]\n')  # no extend: root's ignore not inherited
    assert found(run_cli("./...", "--format", "json", cwd=root)) == [
        ("legacy/a.go", "GXL101"), ("legacy/gen/g.go", "GXL101"),  # root config: GXL102 ignored
        ("svc/a.go", "GXL102"), ("svc/gen/g.go", "GXL102")]  # svc config only: GXL101 ignored, GXL102 on


def test_extend_inherits_and_the_extending_file_wins(tmp_path):
    root = monorepo(tmp_path)
    (root / "svc" / ".goexplint.toml").write_text('extend = "../.goexplint.toml"\ngo-version = "1.21"\n')
    assert found(run_cli(".", "--format", "json", cwd=root)) == [
        ("legacy/a.go", "GXL101"), ("legacy/gen/g.go", "GXL101"), ("svc/a.go", "GXL101"), ("svc/gen/g.go", "GXL101")]
    (root / "svc" / ".goexplint.toml").write_text('extend = "../.goexplint.toml"\nignore = []\n')
    assert ("svc/a.go", "GXL102") in found(run_cli(".", "--format", "json", cwd=root))  # own key replaces


def test_exclude_globs_are_relative_to_their_file(tmp_path):
    root = monorepo(tmp_path)
    (root / "svc" / ".goexplint.toml").write_text('extend = "../.goexplint.toml"\nexclude = ["gen"]\n')
    assert found(run_cli(".", "--format", "json", cwd=root)) == [
        ("legacy/a.go", "GXL101"), ("legacy/gen/g.go", "GXL101"), ("svc/a.go", "GXL101")]
    # a glob with a slash is rooted at the directory of the file that says it
    (root / "svc" / ".goexplint.toml").write_text('exclude = ["gen/*.go"]\n')
    (root / ".goexplint.toml").write_text('exclude = ["legacy/gen/*"]\n')
    paths = {p for p, _ in found(run_cli(".", "--format", "json", cwd=root))}
    assert paths == {"legacy/a.go", "svc/a.go"}


def test_same_result_from_inside_a_module(tmp_path):
    root = monorepo(tmp_path)
    inside = found(run_cli(".", "--format", "json", cwd=root / "svc"))
    outside = [(p[len("svc/"):], r) for p, r in found(run_cli(".", "--format", "json", cwd=root))
               if p.startswith("svc/")]
    assert inside == outside == []  # svc: GXL101 and GXL102 ignored, gen/ excluded


def test_explicit_config_overrides_every_file(tmp_path):
    root = monorepo(tmp_path)
    other = tmp_path / "strict.toml"
    other.write_text("select = [\"loopvar\"]\n")
    got = found(run_cli(".", "--format", "json", "--config", str(other), cwd=root))
    assert len(got) == 8  # both rules in all four files: neither repo file applies


def test_command_line_overrides_every_config(tmp_path):
    root = monorepo(tmp_path)
    got = found(run_cli(".", "--format", "json", "--go-version", "1.22", cwd=root))
    assert got == []  # loop-variable capture is gated off for Go 1.22 everywhere
    got = found(run_cli(".", "--format", "json", "--select", "GXL102", cwd=root))
    # --select replaces each file's select; each file's ignore still applies (svc ignores GXL102, root ignores it)
    assert got == []


def test_pyproject_table_in_a_module(tmp_path):
    root = monorepo(tmp_path)
    (root / "svc" / ".goexplint.toml").unlink()
    (root / "svc" / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.goexplint]\nignore = ["GXL101"]\n')
    assert ("svc/a.go", "GXL102") in found(run_cli(".", "--format", "json", cwd=root))
    assert ("svc/a.go", "GXL101") not in found(run_cli(".", "--format", "json", cwd=root))


def test_sarif_lists_the_rules_of_every_config(tmp_path):
    root = monorepo(tmp_path)
    (root / ".goexplint.toml").write_text('select = ["GXL101"]\n')
    (root / "svc" / ".goexplint.toml").write_text('select = ["GXL102"]\n')
    run = json.loads(run_cli(".", "--format", "sarif", cwd=root).stdout)["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["GXL101", "GXL102"]
    assert sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
                  for r in run["results"]) == [("GXL101", "legacy/a.go"), ("GXL101", "legacy/gen/g.go"),
                                               ("GXL102", "svc/a.go"), ("GXL102", "svc/gen/g.go")]


def test_extend_errors_are_one_line(tmp_path):
    root = monorepo(tmp_path)
    (root / "svc" / ".goexplint.toml").write_text('extend = "../missing.toml"\n')
    proc = run_cli(".", cwd=root)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "missing.toml: no such configuration file" in err
    assert len(err.strip().splitlines()) == 1
    (root / "svc" / ".goexplint.toml").write_text('extend = "../.goexplint.toml"\n')
    (root / ".goexplint.toml").write_text('extend = "svc/.goexplint.toml"\n')
    proc = run_cli(".", cwd=root)
    assert proc.returncode == 2 and "loops back" in proc.stderr.decode()
    (root / ".goexplint.toml").write_text("")
    (root / "svc" / ".goexplint.toml").write_text('select = ["GXL999"]\n')
    proc = run_cli(".", cwd=root)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "svc/.goexplint.toml" in err and "GXL999" in err


def test_resolver_unit(tmp_path):
    root = monorepo(tmp_path)
    r = config_mod.Resolver(root)
    svc = r.for_dir(root / "svc" / "gen")
    assert svc.path == (root / "svc" / ".goexplint.toml").resolve()
    assert svc.data["ignore"] == ["GXL102", "GXL101"] and svc.data["select"] == ["GXL1"] and "extend" not in svc.data
    assert svc.rooted_exclude == ((str((root / "svc").resolve()), "gen"),)
    assert r.for_dir(root / "legacy" / "gen").path == (root / ".goexplint.toml").resolve()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    assert r.for_dir(outside) is r.cwd_config  # no file above it: the one found from the current directory


def test_rule_and_version_errors_name_the_file_and_key(tmp_path):
    """The configuration of the current directory too (it used to be named only for nested files), and
    pyproject.toml names its table; the command line's own values name the flag."""
    root = monorepo(tmp_path)
    top = (root / ".goexplint.toml").resolve()
    for text, key, what in [('select = ["GXL999"]\n', "select", "unknown rule or family 'GXL999'"),
                            ('ignore = ["nope"]\n', "ignore", "unknown rule or family 'nope'"),
                            ('go-version = "1.x"\n', "go-version", "invalid Go version '1.x'")]:
        top.write_text(text)
        proc = run_cli(".", cwd=root)
        assert proc.returncode == 2
        assert proc.stderr.decode() == "goexplint: config error: %s: %r: %s%s\n" % (
            top, key, what, " (see --list-rules)" if key != "go-version" else
            ": expected e.g. 1.22 (or 1.22.3, 1.22rc1, go1.22)")
    top.unlink()
    pyproject = (root / "pyproject.toml").resolve()
    pyproject.write_text('[tool.goexplint]\ngo-version = "banana"\n')
    err = run_cli(".", cwd=root).stderr.decode()
    assert err.startswith("goexplint: config error: %s [tool.goexplint]: 'go-version': invalid Go version" % pyproject)
    pyproject.write_text('[tool.goexplint]\njobs = 0\n')
    assert "[tool.goexplint]: 'jobs' must be at least 1" in run_cli(".", cwd=root).stderr.decode()
    pyproject.unlink()
    for flag, value, what in [("--select", "GXL999", "unknown rule"), ("--ignore", "GXL1,nope", "'nope'"),
                              ("--go-version", "2", "invalid Go version '2'")]:
        err = run_cli(".", flag, value, cwd=root).stderr.decode()
        assert err.startswith("goexplint: error: %s: " % flag) and what in err, err
