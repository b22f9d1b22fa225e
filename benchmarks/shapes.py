#!/usr/bin/env python3
"""Pathological input shapes of issue 16 and a timing table for them.

    python benchmarks/shapes.py                      # every shape at its issue sizes, seconds per N
    python benchmarks/shapes.py --shape lockpairs    # one shape
    python benchmarks/shapes.py --sizes 100,200      # other sizes
    python benchmarks/shapes.py --before ../main     # also time another checkout (each cell in a subprocess)

Each shape is a function N -> Go source bytes.  Each measurement is one ``lint_source`` call with
all rules and ``--go-version 1.21`` (CPU seconds of this process, parse included).  The shapes are
also used by tests/test_scaling.py, which checks a deterministic work counter instead of time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _file(body: str, imports=("sync",)) -> bytes:
    imp = "".join('import "%s"\n' % i for i in imports)
    return ("package p\n\n%s\nvar sink int\n\nfunc use(...interface{}) {}\n\n%s" % (imp, body)).encode()


def loopvar_uses(n: int) -> bytes:
    """N uses of a loop variable in one goroutine closure."""
    uses = "".join("\t\t\tuse(v)\n" for _ in range(n))
    return _file("func f(xs []int) {\n\tfor _, v := range xs {\n\t\tgo func() {\n%s\t\t}()\n\t}\n}\n" % uses)


def addr_of(n: int) -> bytes:
    """N ``&v`` in one goroutine closure."""
    uses = "".join("\t\tuse(&v)\n" for _ in range(n))
    return _file("func f() {\n\tv := 0\n\tgo func() {\n%s\t}()\n\tuse(v)\n}\n" % uses)


def goroutines(n: int) -> bytes:
    """N goroutines in one function, each writing a shared variable."""
    body = "".join("\tgo func() {\n\t\tcount++\n\t}()\n" for _ in range(n))
    return _file("func f() {\n\tcount := 0\n%s\tuse(count)\n}\n" % body)


def lockpairs(n: int) -> bytes:
    """N lock/unlock pairs in one function."""
    body = "".join("\tmu.Lock()\n\tsink++\n\tmu.Unlock()\n" for _ in range(n))
    return _file("var mu sync.Mutex\n\nfunc f() {\n%s}\n" % body)


def elseif(n: int) -> bytes:
    """An else-if chain of N branches in a function returning error (typed-nil candidates)."""
    chain = " else ".join("if x == %d {\n\t\tvar e *E\n\t\treturn e\n\t}" % i for i in range(n))
    return _file("type E struct{}\n\nfunc (*E) Error() string { return \"\" }\n\n"
                 "func f(x int) error {\n\t%s\n\treturn nil\n}\n" % chain)


def functions(n: int) -> bytes:
    """N functions in a file, each launching a goroutine (gxl207 per ``go`` match)."""
    body = "".join("func f%d() (err error) {\n\tgo func() {\n\t\terr = nil\n\t}()\n\treturn nil\n}\n\n" % i
                   for i in range(n))
    return _file(body)


def cases(n: int) -> bytes:
    """A select with N cases, each launching a goroutine."""
    body = "".join("\tcase <-ch%d:\n\t\tgo func() { use(v) }()\n" % (i % 4) for i in range(n))
    return _file("func f(v int, ch0, ch1, ch2, ch3 chan int) {\n\tselect {\n%s\t}\n}\n" % body)


def sum_chain(n: int) -> bytes:
    """``v+v+...`` of length N in a goroutine."""
    expr = "+".join(["v"] * n)
    return _file("func f(xs []int) {\n\tfor _, v := range xs {\n\t\tgo func() {\n\t\t\tsink = %s\n\t\t}()\n\t}\n}\n"
                 % expr)


def nested_funcs(n: int) -> bytes:
    """Nesting depth N of func literals (a loop variable used at the bottom)."""
    opening = "".join("func() {\n" for _ in range(n))
    closing = "".join("}()\n" for _ in range(n))
    return _file("func f(xs []int) {\n\tfor _, v := range xs {\n\t\tgo %s use(v)\n%s\t}\n}\n"
                 % (opening, closing.rstrip("\n")[:-3] + "}()"))


def nested_unsafe(n: int) -> bytes:
    """``unsafe.Pointer(uintptr(`` nested N deep."""
    expr = "p"
    for _ in range(n):
        expr = "unsafe.Pointer(uintptr(%s))" % expr
    return _file("func f(p unsafe.Pointer) {\n\tuse(%s)\n}\n" % expr, imports=("sync", "unsafe"))


SHAPES = {
    # name: (generator, issue sizes)
    "loopvar_uses": (loopvar_uses, (1000, 2000, 4000, 8000)),
    "addr_of": (addr_of, (1000, 2000, 4000)),
    "goroutines": (goroutines, (100, 200, 400)),
    "lockpairs": (lockpairs, (500, 1000, 2000)),
    "elseif": (elseif, (400, 1000)),
    "functions": (functions, (2000, 8000)),
    "cases": (cases, (2000, 8000)),
    "sum_chain": (sum_chain, (1000, 2000)),
    "nested_funcs": (nested_funcs, (160, 400)),
    "nested_unsafe": (nested_unsafe, (160, 400)),
}


def lint_once(source: bytes, budget=None) -> float:
    from goexplint.core.engine import Options, lint_source
    from goexplint.core.registry import all_rules

    opts = Options(tuple(r.id for r in all_rules()), go_version="1.21")
    t0 = time.process_time()
    lint_source("shape.go", source, opts)
    return time.process_time() - t0


def _cell(code: str, name: str, n: int, limit: float) -> str:
    """Seconds for one shape/size with the goexplint of checkout ``code``, in a fresh process."""
    env = dict(os.environ, PYTHONPATH=code)
    try:
        out = subprocess.run([sys.executable, str(HERE / "shapes.py"), "--one", name, str(n)], env=env,
                             capture_output=True, text=True, timeout=max(60.0, limit * 10))
    except subprocess.TimeoutExpired:
        return "> %ds" % int(max(60.0, limit * 10))
    return out.stdout.strip() or ("error: " + (out.stderr.strip().splitlines() or ["?"])[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", action="append")
    ap.add_argument("--sizes")
    ap.add_argument("--limit", type=float, default=60.0, help="skip larger sizes once one takes longer")
    ap.add_argument("--before", metavar="DIR", help="another checkout to time side by side (e.g. main)")
    ap.add_argument("--one", nargs=2, metavar=("SHAPE", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    if args.one:
        name, n = args.one[0], int(args.one[1])
        lint_once(b"package p\n")  # rule loading and query compilation are not part of the shape
        try:
            print("%.2f" % lint_once(SHAPES[name][0](n)))
        except RecursionError:
            print("RecursionError")
        return 0
    for name in args.shape or list(SHAPES):
        gen, sizes = SHAPES[name]
        if args.sizes:
            sizes = tuple(int(s) for s in args.sizes.split(","))
        for label, code in ([("before", args.before)] if args.before else []) + [("now", str(HERE.parent))]:
            cells = []
            for n in sizes:
                cell = _cell(code, name, n, args.limit)
                cells.append("%d %s" % (n, cell))
                try:
                    slow = float(cell) > args.limit
                except ValueError:
                    slow = cell.startswith(">")
                if slow:
                    cells.append("(larger sizes skipped)")
                    break
            print("%-14s %-6s %s" % (name, label, ", ".join(cells)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
