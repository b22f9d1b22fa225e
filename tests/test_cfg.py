"""The one control-flow walker (goexplint/analysis/cfg.py): deep shapes that used to raise RecursionError
(issue 16: the CLI then dropped the whole file as "too deeply nested") and a deterministic work counter
that must grow linearly with the function (statement visits, not wall time)."""

import pytest

from goexplint.analysis import cfg
from goexplint.core.engine import Options, lint_files
from goexplint.core.parse import FileContext, captures, parse_bytes


def elseif_lock(n):
    """mu.Lock(), then an else-if chain of n branches; the first returns holding the lock."""
    out = ["package p", "", 'import "sync"', "", "var mu sync.Mutex", "", "func f(x int) int {", "\tmu.Lock()",
           "\tif x < 0 {", "\t\treturn 0"]
    for i in range(n - 1):
        out += ["\t} else if x == %d {" % i, "\t\tx = %d" % (i + 1)]
    out += ["\t}", "\tmu.Unlock()", "\treturn x", "}", ""]
    return "\n".join(out), 1


def nested_lock(n):
    """mu.Lock(), then n nested ifs; the innermost returns holding the lock."""
    out = ["package p", "", 'import "sync"', "", "var mu sync.Mutex", "", "func c(int) bool { return true }", "",
           "func f() int {", "\tmu.Lock()"]
    out += ["if c(%d) {" % i for i in range(n)]
    out.append("return 1")
    out += ["}"] * n
    out += ["\tmu.Unlock()", "\treturn 0", "}", ""]
    return "\n".join(out), 1


def nested_loops_lock(n):
    """mu.Lock(), then n nested loops; each body ends in a call that may unlock (the loop head sees the
    lock held, then unknown: two entry states per loop, 2^n walks without memoisation), and the innermost
    body returns holding the lock on the first iteration."""
    out = ["package p", "", 'import "sync"', "", "var mu sync.Mutex", "", "func c(int) bool { return true }", "",
           "func unlockAll() {}", "", "func f() int {", "\tmu.Lock()"]
    out += ["for c(%d) {" % i for i in range(n)]
    out.append("if c(-1) {\nreturn 1\n}")
    out += ["unlockAll()\n}"] * n
    out += ["\tmu.Unlock()", "\treturn 0", "}", ""]
    return "\n".join(out), 1


def elseif_cancel(n):
    """context.WithCancel, then an else-if chain of n branches; the first returns without cancel()."""
    out = ["package p", "", 'import "context"', "", "func f(x int) int {",
           "\tctx, cancel := context.WithCancel(context.Background())", "\t_ = ctx", "\tif x < 0 {", "\t\treturn 0"]
    for i in range(n - 1):
        out += ["\t} else if x == %d {" % i, "\t\tx = %d" % (i + 1)]
    out += ["\t}", "\tcancel()", "\treturn x", "}", ""]
    return "\n".join(out), 2  # one finding on the call, one on the leaking return


def loop_elseif_wait(n):
    """A goroutine capturing the loop variable, then an else-if chain of n branches; branch 0 continues
    before the wait (GXL101 on that path), the others fall through to wg.Wait()."""
    out = ["package p", "", 'import "sync"', "", "func send(int) {}", "", "func f(xs []int) {",
           "\tfor _, x := range xs {", "\t\tvar wg sync.WaitGroup", "\t\twg.Add(1)",
           "\t\tgo func() {", "\t\t\tdefer wg.Done()", "\t\t\tsend(x)", "\t\t}()",
           "\t\tif x < 0 {", "\t\t\tcontinue"]
    for i in range(n - 1):
        out += ["\t\t} else if x == %d {" % i, "\t\t\tx++"]
    out += ["\t\t}", "\t\twg.Wait()", "\t}", "}", ""]
    return "\n".join(out), 1


def _lint(tmp_path, source, rule):
    path = tmp_path / "deep.go"
    path.write_text(source)
    before = cfg.STATS["visits"]
    go = "1.21" if rule == "GXL101" else "1.22"  # GXL101 needs shared loop variables
    result = lint_files([(str(path), "deep.go")], Options(rule_ids=(rule,), go_version=go))
    return result, cfg.STATS["visits"] - before


DEEP = [(elseif_lock, 1000, "GXL209"), (nested_lock, 250, "GXL209"), (nested_loops_lock, 100, "GXL209"),
        (elseif_cancel, 1000, "GXL407"), (loop_elseif_wait, 300, "GXL101")]


@pytest.mark.parametrize("shape,n,rule", DEEP, ids=[d[0].__name__ for d in DEEP])
def test_deep_shapes_are_analysed(tmp_path, shape, n, rule):
    source, expected = shape(n)
    result, _ = _lint(tmp_path, source, rule)
    assert not [x for x in result.notices if "too deeply nested" in x.message]
    assert sum(1 for f in result.findings if f.rule_id == rule) == expected


@pytest.mark.parametrize("shape,rule", [(d[0], d[2]) for d in DEEP], ids=[d[0].__name__ for d in DEEP])
def test_walk_work_grows_linearly(tmp_path, shape, rule):
    n = 40
    small_src, small_expected = shape(n)
    big_src, big_expected = shape(4 * n)
    small, small_work = _lint(tmp_path, small_src, rule)
    big, big_work = _lint(tmp_path, big_src, rule)
    assert sum(1 for f in small.findings if f.rule_id == rule) == small_expected
    assert sum(1 for f in big.findings if f.rule_id == rule) == big_expected
    assert small_work > n  # the walker did run over every branch
    assert big_work <= 4.5 * small_work, (small_work, big_work)


NEVER_RETURNS_SRC = b"""package p

import (
\t"log"
\t"os"
)

func die() { os.Exit(1) }

func fail() { die() }

func later() { dieBelow() }

func dieBelow() { log.Fatal("x") }

func loop() { loop() }

func calls() {
\tpanic("x")
\tdie()
\tfail()
\tdieBelow()
\tlater()
\tloop()
\tt.Fatal()
}
"""


def test_never_returns_and_the_functions_of_the_file_that_end_in_it():
    ctx = FileContext("p.go", NEVER_RETURNS_SRC, parse_bytes(NEVER_RETURNS_SRC), None)
    # a helper counts another one only when that one is declared above it; calling itself last is no exit
    assert cfg.no_return_functions(ctx) == {b"die", b"fail", b"dieBelow", b"calls"}
    body = [f for f in ctx.root.named_children if f.type == "function_declaration"][-1]
    got = {ctx.text(c.child_by_field_name("function")): cfg.never_returns(ctx, c)
           for c in captures("(call_expression) @c", body)["c"]}
    assert got == {"panic": True, "die": True, "fail": True, "dieBelow": True, "later": False, "loop": False,
                   "t.Fatal": True}
    stmts = cfg.statements(body.child_by_field_name("body"))
    assert [cfg.no_return_call(ctx, s) for s in stmts] == [True, True, True, True, False, False, True]
