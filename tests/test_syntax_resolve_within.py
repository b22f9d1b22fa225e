"""``syntax.resolve_within`` and ``syntax.resolve_in_function_within`` (the field index's resolvers) answer
exactly what ``syntax.resolve`` and ``syntax.resolve_in_function`` answer, for every identifier of real Go
files: the fixtures and a few large files of the Go distribution."""

from pathlib import Path

import pytest
from conftest import goroot_files

from goexplint.analysis import syntax
from goexplint.core.parse import activate, captures, parse_bytes
from test_package_model import ctx_of

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").rglob("*.go")) + sorted((ROOT / "tests" / "packages").rglob("*.go"))
GOROOT_FILES = ("net/http/server.go", "runtime/proc.go", "go/types/expr.go", "runtime/mgc.go",
                "cmd/compile/internal/ssagen/ssa.go", "encoding/json/decode.go")


def _key(decl):
    return None if decl is None else (decl.ident.start_byte, decl.ident.end_byte, decl.kind)


def _compare(ctx, monkeypatch):
    """(identifiers checked, answered without ``resolve``); fails on the first disagreement."""
    real = syntax.resolve
    fallbacks = []

    def counting(ident, stop=None):
        fallbacks.append(ident)
        return real(ident, stop)

    checked = 0
    with activate(ctx):
        for top in ctx.root.named_children:
            funcs = captures("(func_literal) @f (function_declaration) @f (method_declaration) @f", top).get("f", [])
            for ident in syntax.identifiers(top):
                monkeypatch.setattr(syntax, "resolve", counting)
                fast = syntax.resolve_within(top, ident)
                monkeypatch.setattr(syntax, "resolve", real)
                slow = real(ident)
                row, col = ident.start_point
                where = "%s:%d:%d %s" % (ctx.path, row + 1, col + 1, ident.text.decode())
                assert _key(fast) == _key(slow), where
                assert fast == slow, where
                checked += 1
                for fn in funcs:
                    # every function of the declaration, as the field walker may ask about any of them
                    if len(funcs) <= 12 or syntax.is_ancestor(fn, ident):
                        expect = syntax.resolve_in_function(fn, ident)
                        got = syntax.resolve_in_function_within(top, fn, ident)
                        assert _key(got) == _key(expect), "%s in %s" % (where, fn.start_point)
    return checked, checked - len(fallbacks)


def test_resolve_within_agrees_with_resolve_on_fixtures(monkeypatch):
    checked = fast = 0
    for path in FIXTURES:
        c, f = _compare(ctx_of(path), monkeypatch)
        checked += c
        fast += f
    assert checked > 1000
    assert fast > checked // 2  # the point: most answers need no walk


@pytest.mark.parametrize("rel", GOROOT_FILES)
def test_resolve_within_agrees_with_resolve_on_go_sources(rel, monkeypatch):
    paths = goroot_files(rel)
    if not paths:
        pytest.skip("Go distribution source not available: %s" % rel)
    checked, fast = _compare(ctx_of(paths[0]), monkeypatch)
    assert checked > 1000
    assert fast > checked // 2


def test_resolve_within_scopes():
    """Hand-made cases: shadowing by blocks, parameters, initializers, labels, redeclaration with ``:=``."""
    src = b"""package p

func f(x int, ch chan int) (r int) {
    a, err := 1, error(nil)
    b, err := a, err
    _ = x
    if x := b; x > 0 {
        r = x
    }
    for i := 0; i < x; i++ {
        x := i
        _ = x
    }
    func(x string) { _ = x; _ = r }("")
    select {
    case v, ok := <-ch:
        _, _ = v, ok
    }
L:
    c := 2
    _ = c
    goto L
    switch y := a.(type) {
    case int:
        _ = y
    }
    return b
}
"""
    path = ROOT / "tests" / "_resolve_within.go"
    from goexplint.core import goversion
    from goexplint.core.parse import FileContext
    ctx = FileContext(str(path), src, parse_bytes(src), goversion.resolve(str(path), src))
    with activate(ctx):
        top = [n for n in ctx.root.named_children if n.type == "function_declaration"][0]
        seen = 0
        for ident in syntax.identifiers(top):
            assert _key(syntax.resolve_within(top, ident)) == _key(syntax.resolve(ident)), ident
            seen += 1
        assert seen > 40
