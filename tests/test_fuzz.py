"""Fuzzing in CI: at least 10,000 inputs per run through ``lint_source`` with every rule on -- windows of
fixture and real (Go standard library, when a Go toolchain is installed) files with random splices,
generated Go shapes (benchmarks/shapes.py at small sizes, plus random statement soups) and raw bytes --
with zero exceptions.  The CI profile keeps inputs small (a 40-line window, a few splices) so the
10,000 fit in about half a minute on a 2-core machine; ``GOEXPLINT_FUZZ=long`` runs 200,000 inputs over
whole files (``GOEXPLINT_FUZZ_EXAMPLES=N`` sets the count).  Every crash found becomes a regression test
in tests/test_fuzz_regressions.py."""

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import FIXTURES, GO, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import shapes  # noqa: E402

from goexplint.core.engine import Options, lint_source  # noqa: E402
from goexplint.core.registry import select_rules  # noqa: E402

PROFILE = os.environ.get("GOEXPLINT_FUZZ", "ci")
EXAMPLES = int(os.environ.get("GOEXPLINT_FUZZ_EXAMPLES") or (200_000 if PROFILE == "long" else 10_000))
WINDOW = None if PROFILE == "long" else 40  # lines per input in the CI profile
ALL = Options(rule_ids=tuple(r.id for r in select_rules(["all"], None)), report_unused=True)


def _real_files():
    if not GO:
        return []
    try:
        goroot = subprocess.run([GO, "env", "GOROOT"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for pkg in ("sync", "context", "net/http", "os/exec", "unsafe", "reflect", "runtime/pprof", "testing"):
        found.extend(sorted((Path(goroot) / "src" / pkg).glob("*.go"))[:12])
    return found


FILES = sorted(FIXTURES.rglob("*.go")) + _real_files()
SOURCES = [p.read_bytes() for p in FILES]
TOKENS = [b"{", b"}", b"(", b")", b"\n", b"\r\n", b"\t", b";", b",", b"\"", b"`", b"/*", b"*/", b"//", b"\xff", b"\0",
          b"go func() {", b"}()", b"defer ", b"for _, v := range xs {", b"for i := 0; i < n; i++ {", b"&v", b"v",
          b"mu.Lock()\n", b"mu.Unlock()\n", b"defer mu.Unlock()\n", b"wg.Add(1)\n", b"wg.Done()\n", b"wg.Wait()\n",
          b"ctx, cancel := context.WithTimeout(ctx, d)\n", b"defer cancel()\n", b"return nil\n", b"return err\n",
          b"unsafe.Pointer(uintptr(", b"reflect.SliceHeader{", b"select {\ncase <-ch:\n", b"default:\n",
          b"if err != nil {", b"} else if x {", b"switch x := y.(type) {", b"case int:\n", b"var e *E\n",
          b"count++\n", b"m[k] = v\n", b"s = append(s, v)\n", b"atomic.AddInt64(&n, 1)\n", b"goto L\n", b"L:\n",
          b"//goexplint:ignore GXL101\n", b"//nolint\n", b"func (s *S) f() error {",
          b"type T struct{ mu sync.Mutex }\n",
          b"http.Get(u)\n", b"time.AfterFunc(d, func() {", b"g.Go(func() error {", b"x := x\n", b"package q\n"]
STATEMENTS = [t for t in TOKENS if t.endswith(b"\n")] + [
    b"go func() { count++ }()\n", b"for _, v := range xs {\n", b"}\n", b"if x {\n", b"} else {\n", b"use(v)\n"]
COUNT = {"inputs": 0}


def _window(data, src):
    if WINDOW is None:
        return bytearray(src)
    lines = src.split(b"\n")
    start = data.draw(st.integers(0, max(0, len(lines) - 1)))
    return bytearray(b"package p\n" + b"\n".join(lines[start:start + WINDOW]))


def _mutated(data):
    src = _window(data, data.draw(st.sampled_from(SOURCES)))
    for _ in range(data.draw(st.integers(0, 4))):
        i = data.draw(st.integers(0, len(src)))
        j = data.draw(st.integers(i, min(len(src), i + 40)))
        src[i:j] = data.draw(st.sampled_from(TOKENS) | st.binary(max_size=8))
    return bytes(src)


def _generated(data):
    if data.draw(st.booleans()):
        gen = data.draw(st.sampled_from(sorted(shapes.SHAPES)))
        return shapes.SHAPES[gen][0](data.draw(st.integers(1, 8)))
    body = b"".join(data.draw(st.lists(st.sampled_from(STATEMENTS), max_size=25)))
    return (b"package p\n\nimport (\n\t\"context\"\n\t\"sync\"\n\t\"unsafe\"\n)\n\nvar mu sync.Mutex\n\n"
            b"func f(ctx context.Context, xs []int, p unsafe.Pointer) error {\n" + body + b"\n}\n")


@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=PROFILE == "ci",
          suppress_health_check=list(HealthCheck))
@given(st.data())
def _fuzz_once(data):
    kind = data.draw(st.sampled_from(("mutated", "mutated", "generated", "bytes")))
    if kind == "mutated":
        source = _mutated(data)
    elif kind == "generated":
        source = _generated(data)
    else:
        source = data.draw(st.binary(max_size=300))
    COUNT["inputs"] += 1
    result = lint_source("fuzz.go", source, ALL)
    assert isinstance(result.findings, list)


def test_fuzz_lint_source():
    COUNT["inputs"] = 0
    _fuzz_once()
    assert COUNT["inputs"] >= EXAMPLES  # the run really fed that many inputs
