"""The field-access index (goexplint.analysis.fields) on a small package spread over two files."""

from pathlib import Path

from goexplint.analysis.fields import index
from test_package_model import ctx_of

PKG = Path(__file__).resolve().parent / "packages" / "fields"


def sites(ix, key):
    return [(Path(a.file).name, a.line, a.kind, a.atomic, tuple(sorted((lk.guard, lk.mode) for lk in a.locks)), a.func)
            for a in sorted(ix.of(key), key=lambda a: (a.file, a.line))]


def test_field_sites_across_files_with_lock_owners():
    ix = index(ctx_of(PKG / "store.go"))
    assert sites(ix, ("Store", "count")) == [
        ("more.go", 12, "write", False, ((("Store", "*"), "W"),), "resetLocked"),  # name says: caller holds it
        ("more.go", 26, "rmw", False, (), "Watch"),
        ("more.go", 29, "read", False, (), "Watch"),
        ("store.go", 33, "write", False, (), "NewStore"),
        ("store.go", 39, "rmw", False, ((("Store", "mu"), "W"),), "Inc"),
        ("store.go", 46, "read", False, ((("Store", "mu"), "R"),), "Get"),
    ]
    # an embedded mutex: e.Lock() is owned by the receiver's type with an empty path
    assert sites(ix, ("Embedded", "n")) == [("store.go", 53, "rmw", False, ((("Embedded", ""), "W"),), "Bump")]


def test_atomic_and_plain_in_different_files():
    ix = index(ctx_of(PKG / "more.go"))
    assert [(Path(a.file).name, a.kind, a.atomic) for a in sorted(ix.of(("Store", "hits")), key=lambda a: a.file)] == [
        ("more.go", "read", False), ("store.go", "write", True)]


def test_package_vars_and_their_locks():
    ix = index(ctx_of(PKG / "more.go"))
    assert sites(ix, ("", "registry")) == [("more.go", 20, "write", False, ((("", "regMu"), "W"),), "register")]
    assert sites(ix, ("", "total")) == [("more.go", 22, "rmw", False, (), "register")]


def test_context_of_each_site():
    ix = index(ctx_of(PKG / "store.go"))
    by_line = {(Path(a.file).name, a.line): a for a in ix.of(("Store", "count"))}
    assert by_line[("more.go", 26)].roles == frozenset({"stored"})  # Options.OnEvent = func(){...}
    assert by_line[("more.go", 29)].after_wait  # after wg.Wait()
    assert by_line[("store.go", 33)].constructs and by_line[("store.go", 33)].root_kind == "fresh"
    assert by_line[("more.go", 12)].held_on_entry
    loop = ix.of(("Store", "state"))
    assert [a.roles for a in loop if a.func == "loop"] == [frozenset({"goroutine"})]
    assert ix.runs_concurrently([a for a in loop if a.func == "loop"][0])


def test_calls_and_callers_holding_the_lock():
    ix = index(ctx_of(PKG / "store.go"))
    assert ix.callers_hold_lock(("Store", "resetLocked"), ("Store", "mu"))
    assert not ix.callers_hold_lock(("Store", "loop"))


def test_index_is_built_once_per_package():
    ctx = ctx_of(PKG / "store.go")
    assert index(ctx) is index(ctx)
