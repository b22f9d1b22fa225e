"""Package facts rules read from the model (the replacements of the old sibling-file scans), type
parameters in scope, build-tag variants, and scheduling by package (one parse per file per run)."""

import functools
from pathlib import Path

from goexplint.analysis.package import local_type_names, model, type_params_in_scope
from goexplint.rules.typed_nil._support import nil_pointer_funcs
from goexplint.core import engine, goversion
from goexplint.core import package as package_mod
from goexplint.core.engine import Options, lint_files
from goexplint.core.parse import FileContext, parse_bytes
from goexplint.core.registry import select_rules

PKG = Path(__file__).resolve().parent / "packages" / "facts"


def ctx_of(name):
    path = PKG / name
    source = path.read_bytes()
    ctx = FileContext(str(path), source, parse_bytes(source), goversion.resolve(str(path), source),
                      real_path=str(path))
    ctx.package_loader = functools.partial(package_mod.load, ctx)
    return ctx


def find(ctx, text, kind):
    """The first node of type ``kind`` whose text is ``text``."""
    stack = [ctx.root]
    while stack:
        n = stack.pop(0)
        if n.type == kind and n.text == text.encode():
            return n
        stack.extend(n.children)
    raise AssertionError("no %s %r" % (kind, text))


def test_facts_come_from_every_file_of_the_package():
    ctx = ctx_of("y.go")  # the facts are declared in x.go
    m = model(ctx)
    assert m.var_names == {b"hits", b"table"}  # not the const, not y_test.go's package
    assert m.map_type_names == {b"Counts"}
    assert m.interface_names == {b"Store"}
    assert m.error_types == {b"E"}  # NotErr.Error takes a parameter: not the error interface
    assert nil_pointer_funcs(ctx) == {b"find": b"E"}


def test_build_tag_variants_are_all_kept():
    m = model(ctx_of("x.go"))
    assert [Path(v.file.path).name for v in m.all_vars["hits"]] == ["x.go", "y.go"]
    assert Path(m.vars["hits"].file.path).name == "x.go"  # the first by path


def test_type_parameters_hide_package_types():
    ctx = ctx_of("y.go")
    m = model(ctx)
    param_use = find(ctx, "m Main", "parameter_declaration").child_by_field_name("type")
    assert "Main" in type_params_in_scope(param_use)
    assert m.named_type("Main", param_use) is None
    assert m.named_type("Main").kind == "struct"  # at package level it is the struct
    put = find(ctx, "v Main", "parameter_declaration")
    assert "Main" in type_params_in_scope(put)  # the receiver's type parameter (Box[Main])
    local = find(ctx, "Counts{n: 1}", "composite_literal")
    assert "Counts" in local_type_names(local) and "Counts" not in type_params_in_scope(local)
    # the local Counts is a struct; the package's Counts (x.go) is a map
    assert not m.is_map_type(b"Counts", local) and m.is_map_type(b"Counts", ctx.root)


def test_a_package_is_parsed_once_per_run(monkeypatch):
    calls = []
    real = package_mod.parse_bytes

    def counting(source, old_tree=None):
        calls.append(source)
        return real(source, old_tree)

    monkeypatch.setattr(package_mod, "parse_bytes", counting)
    monkeypatch.setattr(engine, "parse_bytes", counting)
    files = [(str(p), p.name) for p in sorted(PKG.glob("*.go"))]
    options = Options(rule_ids=tuple(r.id for r in select_rules(None, None)))
    result = lint_files(files, options, jobs=1)
    assert result.files == 3
    assert len(calls) == 3  # x.go, y.go, y_test.go: each parsed once, by the package loader


def test_results_do_not_depend_on_jobs(tmp_path):
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    files = sorted((str(p), str(p.relative_to(fixtures))) for p in fixtures.rglob("*.go"))
    options = Options(rule_ids=tuple(r.id for r in select_rules(None, None)))
    one = lint_files(files, options, jobs=1)
    two = lint_files(files, options, jobs=2)
    assert one.findings and one.findings == two.findings and one.notices == two.notices
    assert (one.files, one.skipped) == (two.files, two.skipped)


def test_generated_files_join_the_package_only_when_linted():
    path = PKG / "x.go"
    sources = {str(path): (str(path), path.read_bytes())}
    plain = package_mod.load_directory(str(PKG), sources)[str(path)]
    assert b"generated" not in model(plain).var_names
    assert sorted(Path(f.path).name for f in plain.package.files) == ["x.go", "y.go"]
    every = package_mod.load_directory(str(PKG), sources, include_generated=True)[str(path)]
    assert b"generated" in model(every).var_names
