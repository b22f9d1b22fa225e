"""The result cache: warm runs reproduce cold runs exactly, and every input of a file's findings
(its bytes, its sibling files, the options) invalidates the entry."""

import os
import pickle
import subprocess
import sys

from conftest import ROOT, run_cli
from goexplint.core.safe_write import TEMP_PREFIX
from goexplint.core.engine import Options, lint_files
from goexplint.core.registry import select_rules

COUNTER_A = """package sib

import "sync"

func Count() {
    var wg sync.WaitGroup
    for i := 0; i < 10; i++ {
        wg.Add(1)
        go func() {
            defer wg.Done()
            counter++
        }()
    }
    wg.Wait()
}
"""
SIBLING_VAR = "package sib\n\nvar counter int\n"
SIBLING_TYPE = "package sib\n\ntype counter int\n"
SUPPRESSED = """package sib

import "sync"

func Other() {
    var wg sync.WaitGroup
    for i := 0; i < 3; i++ {
        wg.Add(1)
        go func() {
            defer wg.Done()
            counter++ //goexplint:ignore GXL201 the test wants a suppression
        }()
    }
    wg.Wait()
}

func unusedDirective() {} //goexplint:ignore GXL101 nothing to suppress here
"""


def make(tmp_path, files):
    d = tmp_path / "m"
    d.mkdir()
    (d / "go.mod").write_text("module example.com/sib\n\ngo 1.22\n")
    for name, text in files.items():
        (d / name).write_text(text)
    return d


def cli(d, cache, *extra):
    proc = run_cli(".", "--format", "json", "--report-unused-suppressions", "--cache-dir", str(cache), *extra, cwd=d)
    return proc.returncode, proc.stdout, proc.stderr


def entries(cache):
    """The result cache's entries (the per-file facts store beside it has its own: ``facts-v2``)."""
    return sorted((cache / "v1").rglob("*.pkl"))


def options():
    return Options(rule_ids=tuple(r.id for r in select_rules(None, None)), report_unused=True)


def files_of(d):
    return [(str(p), p.name) for p in sorted(d.glob("*.go"))]


def test_warm_run_equals_cold_run(tmp_path):
    d = make(tmp_path, {"a.go": COUNTER_A, "b.go": SIBLING_VAR, "c.go": SUPPRESSED, "empty.go": ""})
    cache = tmp_path / "cache"
    nocache = cli(d, cache, "--no-cache")
    cold = cli(d, cache)
    assert len(entries(cache)) == 4
    warm = cli(d, cache)
    assert cold == warm == nocache
    assert b"GXL201" in cold[1] and b"GXL000" in cold[1] and b"empty file" in cold[2]
    assert b'"suppressed": 1' in cold[1]
    text_cold = run_cli(".", "--cache-dir", str(tmp_path / "c2"), cwd=d)
    text_warm = run_cli(".", "--cache-dir", str(tmp_path / "c2"), cwd=d)
    assert (text_cold.stdout, text_cold.stderr) == (text_warm.stdout, text_warm.stderr)


def test_in_process_hits(tmp_path):
    d = make(tmp_path, {"a.go": COUNTER_A, "b.go": SIBLING_VAR})
    cold = lint_files(files_of(d), options(), cache_dir=str(tmp_path / "cache"))
    warm = lint_files(files_of(d), options(), cache_dir=str(tmp_path / "cache"))
    assert (cold.cached, warm.cached) == (0, 2)
    assert warm.findings == cold.findings and warm.notices == cold.notices
    other = Options(rule_ids=options().rule_ids, report_unused=True, test_files="off")
    assert lint_files(files_of(d), other, cache_dir=str(tmp_path / "cache")).cached == 0


def test_editing_the_file_invalidates(tmp_path):
    d = make(tmp_path, {"a.go": COUNTER_A, "b.go": SIBLING_VAR})
    cache = tmp_path / "cache"
    first = cli(d, cache)
    assert b"GXL201" in first[1]
    (d / "a.go").write_text(COUNTER_A.replace("counter++", "_ = counter"))
    second = cli(d, cache)
    assert second == cli(d, cache, "--no-cache")
    assert b"GXL201" not in second[1]


def test_editing_a_sibling_invalidates(tmp_path):
    d = make(tmp_path, {"a.go": COUNTER_A, "b.go": SIBLING_VAR})
    cache = tmp_path / "cache"
    assert b"GXL201" in cli(d, cache)[1]  # counter is a package variable declared in b.go
    (d / "b.go").write_text(SIBLING_TYPE)
    second = cli(d, cache)
    assert second == cli(d, cache, "--no-cache")
    assert b"GXL201" not in second[1]
    (d / "b.go").write_text(SIBLING_VAR)
    assert b"GXL201" in cli(d, cache)[1]


def test_no_cache_writes_nothing(tmp_path):
    d = make(tmp_path, {"a.go": COUNTER_A, "b.go": SIBLING_VAR})
    home = tmp_path / "xdg"
    proc = run_cli(".", "--no-cache", cwd=d, env={"XDG_CACHE_HOME": str(home)})
    assert proc.returncode == 1
    assert not home.exists()
    proc = run_cli(".", cwd=d, env={"XDG_CACHE_HOME": str(home)})  # the default location
    assert proc.returncode == 1 and entries(home / "goexplint")
    assert sorted(p.name for p in d.iterdir()) == ["a.go", "b.go", "go.mod"]  # nothing in the tree


def test_corrupt_entries_are_ignored(tmp_path):
    d = make(tmp_path, {"a.go": COUNTER_A, "b.go": SIBLING_VAR, "c.go": SUPPRESSED})
    cache = tmp_path / "cache"
    cold = cli(d, cache)
    paths = entries(cache)
    paths[0].write_bytes(b"not a pickle")
    paths[1].write_bytes(paths[1].read_bytes()[:20])  # truncated
    paths[2].write_bytes(pickle.dumps(("wrong key", "not a result")))
    assert cli(d, cache) == cold
    for p in entries(cache):  # rewritten
        key, result = pickle.loads(p.read_bytes())
        assert p.name == key + ".pkl"


def test_concurrent_runs_leave_a_valid_cache(tmp_path):
    d = make(tmp_path, {"a.go": COUNTER_A, "b.go": SIBLING_VAR, "c.go": SUPPRESSED})
    for i in range(6):
        (d / ("x%d.go" % i)).write_text(COUNTER_A.replace("Count", "Count%d" % i))
    cache = tmp_path / "cache"
    expected = cli(d, tmp_path / "other", "--no-cache")
    cmd = [sys.executable, "-m", "goexplint", ".", "--format", "json", "--report-unused-suppressions",
           "--cache-dir", str(cache), "-j", "2"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("GOEXPERIMENT", None)
    procs = [subprocess.Popen(cmd, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(3)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert (p.returncode, out, err) == expected
    assert len(entries(cache)) == 9
    assert not [p for p in cache.rglob("*") if p.name.startswith(TEMP_PREFIX)]
    for p in entries(cache):
        key, result = pickle.loads(p.read_bytes())
        assert p.name == key + ".pkl"
    assert cli(d, cache) == expected


def test_in_process_editing_a_sibling_invalidates(tmp_path):
    """A long-lived process that lints again after an edit sees the edit (the directory digests a result
    cache remembers hold for one run)."""
    d = make(tmp_path, {"a.go": COUNTER_A, "b.go": SIBLING_VAR})
    cache = str(tmp_path / "cache")
    first = lint_files(files_of(d), options(), cache_dir=cache)
    assert [f.rule_id for f in first.findings] == ["GXL201"]
    (d / "b.go").write_text(SIBLING_TYPE)
    second = lint_files(files_of(d), options(), cache_dir=cache)
    assert second.findings == lint_files(files_of(d), options()).findings == []


def test_siblings_are_read_once_per_run(tmp_path, monkeypatch):
    """With the cache on, the bytes a sibling was hashed from for the result cache's key are the bytes it
    is linted with (read once, not twice), and its facts-store digest is that hash."""
    import builtins
    import hashlib

    from goexplint.core import package

    d = make(tmp_path, {"a.go": COUNTER_A, "b.go": SIBLING_VAR})
    opened = []
    real_open = builtins.open

    def counting_open(path, *args, **kwargs):
        if str(path).endswith("b.go"):
            opened.append(str(path))
        return real_open(path, *args, **kwargs)

    loaded = []
    real_load = package.load_directory

    def spy(*args, **kwargs):
        got = real_load(*args, **kwargs)
        loaded.extend(f for ctx in got.values() for f in ctx.package.files)
        return got

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(package, "load_directory", spy)
    result = lint_files([(str(d / "a.go"), "a.go")], options(), cache_dir=str(tmp_path / "cache"))
    assert [f.rule_id for f in result.findings] == ["GXL201"]
    assert len(opened) == 1
    sib = [f for f in loaded if f.path.endswith("b.go")]
    assert sib and sib[0].__dict__.get("digest") == hashlib.sha256(SIBLING_VAR.encode()).hexdigest()
