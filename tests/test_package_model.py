"""The package model (goexplint.analysis.package) on a small package spread over several files."""

from pathlib import Path

from goexplint.analysis.package import model

PKG = Path(__file__).resolve().parent / "packages"


def ctx_of(path: Path):
    """The FileContext the engine builds for ``path`` (captured through a rule-less lint)."""
    from goexplint.core import package as package_mod
    from goexplint.core.parse import FileContext, parse_bytes
    from goexplint.core import goversion
    import functools

    source = path.read_bytes()
    ctx = FileContext(str(path), source, parse_bytes(source), goversion.resolve(str(path), source), real_path=str(path))
    ctx.package_loader = functools.partial(package_mod.load, ctx)
    return ctx


def test_package_is_the_same_clause_in_one_directory():
    ctx = ctx_of(PKG / "decls" / "a.go")
    names = sorted(Path(f.path).name for f in ctx.package.files)
    assert names == ["a.go", "b.go", "c.go"]  # b_test.go is package p_test
    assert ctx in ctx.package.files


def test_declarations_across_files():
    m = model(ctx_of(PKG / "decls" / "a.go"))
    assert m.method("A", "Inc").pointer_receiver
    assert not m.method("B", "Get").pointer_receiver
    assert m.method("G", "Set").pointer_receiver and m.method("G", "Set").type_params == ("T",)
    fields = {f.name: (f.type_text, f.embedded) for f in m.struct("A").fields}
    assert fields == {"mu": ("sync.Mutex", False), "n": ("int", False), "m": ("int", False), "B": ("*B", True)}
    assert m.funcs["Change"].type_params == ("Main",)
    assert m.types["Handle"].kind == "other" and m.types["Handle"].type_text == "uintptr"
    assert m.types["Alias"].kind == "alias"
    assert m.vars["counter"].type_text == "int" and m.vars["limit"].const
    assert [d.name for d in m.methods_of("A")] == ["Inc"]


def test_model_is_built_once_per_package():
    ctx = ctx_of(PKG / "decls" / "b.go")
    assert model(ctx) is model(ctx)


def test_settle_moves_live_objects_out_of_the_collector_and_frees_what_died_since(monkeypatch):
    """``core.package._settle`` (after a lazy load that parsed many siblings): what is alive is frozen, so
    full collections stop walking it; at the next settle, frozen cycles that died since are freed."""
    import gc
    import weakref

    from goexplint.core import package as package_core

    class Cycle:
        pass

    monkeypatch.setattr(package_core, "_SETTLE_BYTES", 1)
    try:
        obj = Cycle()
        obj.me = obj
        ref = weakref.ref(obj)
        package_core._FRESH_BYTES = 1
        package_core._settle()
        assert gc.get_freeze_count() > 0
        del obj
        gc.collect()
        assert ref() is not None  # frozen: the collector does not look at it
        package_core._FRESH_BYTES = 1
        package_core._settle()
        assert ref() is None  # unfrozen, collected, then the survivors frozen again
        package_core._FRESH_BYTES = 0
        package_core._settle()  # below the threshold: nothing happens
    finally:
        gc.unfreeze()
