"""benchmarks/bench.py runs end to end on a tiny corpus and prints its table (no timings asserted)."""

import re
import shutil
import subprocess
import sys

from conftest import FIXTURES, ROOT


def corpus(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    for src in sorted((FIXTURES / "loopvar" / "legacy").glob("*.go"))[:3]:
        shutil.copy(src, d / src.name)
    (d / "testdata").mkdir()
    (d / "testdata" / "skipped.go").write_text("package skipped\n")
    return d


def bench(*args, cwd=None):
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd)


NUMBER_ROW = r"\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\s+\d+\s+\d+\.\d\d\s+\d+\.\d"


def test_bench_prints_the_table(tmp_path):
    d = corpus(tmp_path)
    proc = bench(str(d), "--runs", "1", "--no-peers", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "corpus: %s (3 files," % d in out  # testdata/ is not part of the corpus
    assert re.search(r"^tool\s+min s\s+median s\s+CPU s\s+RSS MiB\s+files/s\s+MB/s\s+x parse", out, re.M)
    for name in ("parse only \\(1 process\\)", "parse \\+ combined query \\(1 process\\)",
                 "goexplint -j1 \\(no cache\\)", "goexplint -j\\d+ \\(no cache\\)",
                 "goexplint -j\\d+ \\(warm cache\\)"):
        assert re.search("^" + name + NUMBER_ROW, out, re.M), name
    assert "ratios (median wall time" in out
    assert "go vet" not in out and "semgrep" not in out
    assert not list(tmp_path.glob("**/*.pkl"))  # the warm-cache run used a temporary cache directory


def test_unavailable_peer_is_na(tmp_path):
    d = corpus(tmp_path)  # no go.mod: go vet has nothing to vet
    proc = bench(str(d), "--runs", "1", "--peers", "vet", "--no-install", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^go vet \(cold caches\)\s+n/a \(", proc.stdout, re.M)
    assert re.search(r"^go vet \(warm cache\)\s+n/a \(", proc.stdout, re.M)


def test_bench_times_another_checkout_side_by_side(tmp_path):
    d = corpus(tmp_path)
    proc = bench(str(d), "--runs", "1", "--no-peers", "--compare-checkout", str(ROOT), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    label = re.escape("[%s] " % ROOT.name)
    for name in ("goexplint -j1 \\(no cache\\)", "goexplint -j\\d+ \\(no cache\\)",
                 "goexplint -j\\d+ \\(warm cache\\)"):
        assert re.search("^" + label + name + NUMBER_ROW, proc.stdout, re.M), name
    bad = bench(str(d), "--runs", "1", "--no-peers", "--compare-checkout", str(tmp_path), cwd=tmp_path)
    assert bad.returncode != 0 and "cannot import its goexplint" in bad.stderr


def test_package_edit_times_a_copy_and_compares_findings(tmp_path):
    d = corpus(tmp_path)
    target = sorted(d.glob("*.go"))[0]
    before = {p.name: p.read_bytes() for p in d.glob("*.go")}
    proc = bench(str(d), "--runs", "1", "--no-peers", "--package-edit", str(target), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "one big package: %s (3 .go files), 1 runs each" % d in out
    for name in ("one file after a one-line edit \\(cache\\)", "one file, no cache",
                 "whole package -j1 \\(no cache\\)", "whole package -j\\d+ \\(no cache\\)"):
        assert re.search("^" + name + r"\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+", out, re.M), name
    assert "findings after each edit, cached vs uncached: identical" in out
    assert {p.name: p.read_bytes() for p in d.glob("*.go")} == before  # the user's files are never edited
