"""The type provider (goexplint.analysis.types) on a small package spread over two files: every
argument of a ``use(...)`` call has the written type the source determines, or None."""

from pathlib import Path

import pytest

from goexplint.analysis import types
from goexplint.core.parse import captures, node_text
from test_package_model import ctx_of

PKG = Path(__file__).resolve().parent / "packages" / "types"


@pytest.fixture(scope="module")
def uses():
    return ctx_of(PKG / "uses.go")


def _use_args(ctx, func):
    """{argument text: type text (with fresh marked '!'), or None} for the use(...) calls of ``func``."""
    out = {}
    for fn in ctx.root.named_children:
        name = fn.child_by_field_name("name")
        if fn.type != "function_declaration" or name is None or node_text(name) != func:
            continue
        for call in captures("(call_expression) @c", fn)["c"]:
            callee = call.child_by_field_name("function")
            if node_text(callee) != "use":
                continue
            for arg in call.child_by_field_name("arguments").named_children:
                t = types.type_of(ctx, arg)
                out[node_text(arg)] = None if t is None else t.text + ("!" if t.fresh else "")
    return out


@pytest.mark.parametrize("func, want", [
    ("locals", {"a": "*Store!", "b": "*Store!", "c": "Store!", "d": "Store!", "e": "*Store", "f": "*Store!",
                "g": "*Store", "err": "error", "h": "*Store", "i": "*Item", "j": "Store", "k": "*Store",
                "l": "Alias!", "m": "sync.WaitGroup!", "n": "*sync.Mutex!", "o": "strings.Builder!",
                "opts": "[]*Item", "ctx": "context.Context"}),
    ("fields", {"a": "Inner", "b": "int", "c": "string", "d": "map[string]Item", "e": "*Store", "f": "int",
                "it": "Item", "ok": "bool"}),
    ("containers", {"i": "int", "it": "Item", "k": "string", "v": "Item", "o": "*Item", "x": "*Item",
                    "y": "*Item", "ok": "bool", "z": "*Item", "w": "[]*Item", "t": "*Store", "ok2": "bool"}),
    # r.Len() and strings.NewReader(…) are known from the standard library's signatures
    ("unknowns", {"a": "int", "b": "*strings.Reader", "c": None, "d": None, "e": "*Item", "err": "error", "n": "int",
                  "s": "string"}),
    ("stdlib", {"req": "*net/http.Request", "resp": "*net/http.Response", "a": "*net/url.URL", "b": "time.Time",
                "f": "*os.File", "r": "*bufio.Reader", "h": "net/http.Header", "k": "string", "vs": "[]string",
                "d": "time.Duration", "e": "*net/http.Client", "g": "<-chan struct{}", "i": "time.Duration",
                "j": "[]string", "j[0]": "string", "l": None, "&m": "*sync.Mutex", "n": "int",
                "resp.Body": "io.ReadCloser", "req.URL.Query()": "net/url.Values", "os.Stdout": "*os.File",
                "resp.Request.Context()": "context.Context"}),
    ("shadowed", {"a": "Store!"}),
    ("generic", {"a": None, "b": None}),
    ("packageVars", {"a": "*Store", "b": "Store"}),
])
def test_written_types(uses, func, want):
    got = _use_args(uses, func)
    # the range loops of ``containers`` use the same names twice: the last use wins
    assert got == want


def test_origins(uses):
    got = {}
    for fn in uses.root.named_children:
        if fn.type == "function_declaration" and node_text(fn.child_by_field_name("name")) in ("shadowed", "locals"):
            for call in captures("(call_expression function: (identifier) @f (#eq? @f \"use\")) @c", fn)["c"]:
                for arg in call.child_by_field_name("arguments").named_children:
                    t = types.type_of(uses, arg)
                    got[(node_text(fn.child_by_field_name("name")), node_text(arg))] = t
    assert got[("shadowed", "a")].origin == "local"  # a local type hides the package's Store
    assert got[("locals", "a")].origin == "package" and got[("locals", "a")].package_type == "Store"
    assert got[("locals", "m")].is_package("sync", "WaitGroup")
    assert got[("locals", "err")].origin == "builtin"
    assert got[("locals", "opts")].origin == "unnamed"


def _selectors(ctx):
    return {node_text(s): s for s in captures("(call_expression function: (selector_expression) @s)", ctx.root)["s"]}


def test_methods_through_the_receiver_type(uses):
    sels = _selectors(uses)
    assert types.method_of(uses, sels["a.Item"]).shown == "(*Store).Item"
    assert types.method_of(uses, sels["s.Count"]).shown == "(*Inner).Count"  # promoted through Inner
    assert types.method_of(uses, sels["s.Lookup"]).where.endswith("decls.go:57")
    ref = types.method_of(uses, sels["g.Get"])  # an interface method
    assert ref.type_name == "Getter" and ref.decl is None and ref.node.type == "method_elem"
    assert types.method_of(uses, sels["r.Len"]) is None  # another package's type
    assert types.method_of(uses, sels["strings.NewReader"]) is None  # a package function


def test_methods_named_lists_every_declaring_type(uses):
    assert sorted(r.shown for r in types.methods_named(uses, "Get")) == ["(*Store).Get", "Getter.Get", "Other.Get"]
    assert [r.shown for r in types.methods_named(uses, "Count")] == ["(*Inner).Count"]
    assert types.method(uses, "Named", "Get").type_name == "Getter"  # an embedded interface
    assert types.method(uses, "Alias", "Name").shown == "Store.Name"


def test_fields_and_elements(uses):
    assert types.field_of(uses, "Store", "count").text == "int"  # promoted from Inner
    assert types.field_of(uses, "Store", "mu").text == "*sync.Mutex"
    assert types.field_of(uses, "Store", "missing") is None
    items = types.field_of(uses, "Store", "byKey")
    assert types.element(items, "key").text == "string" and types.element(items).text == "Item"


def test_memoised_per_file_and_package(uses):
    sels = _selectors(uses)
    operand = sels["a.Item"].child_by_field_name("operand")
    assert types.type_of(uses, operand) is types.type_of(uses, operand)
    assert types.method(uses, "Store", "Item") is types.method(uses, "Store", "Item")


def test_no_rule_ids_in_analysis():
    import re
    root = Path(types.__file__).resolve().parent
    text = (root / "types.py").read_text()
    assert not re.search(r"GXL\d{3}", text)
