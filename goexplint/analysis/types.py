"""Written types of expressions: what the syntax and the package model say an expression's type is.

``type_of(ctx, expr)`` gives the :class:`Type` of an identifier, selector, call, composite literal,
``&x``/``*x``, ``<-ch``, index, slice or type assertion of ``ctx``'s file when the source determines
it, without type checking:

* locals and parameters from their declarations (``var x T``, ``x := <typed initialiser>``, parameters,
  receivers and results, range and select variables over a container of known type);
* composite literals ``T{}`` and ``&T{}``, ``new(T)``, ``make(T, …)``, conversions ``T(x)``;
* struct fields (promoted through embedded fields of the package) through the operand's type;
* method results through the receiver's type, same-package function results (the result slot of a
  multi-value call as well).

Anything else is unknown (None): another package's functions and variables, type parameters, type
switches, untyped constants.  A :class:`Type` is small: the type's name, the import path of its
package, pointer or value, and whether the value is a fresh object (``new(T)``, ``&T{}``, ``T{}``, a
same-package constructor that returns one).

``method_of(ctx, selector)`` resolves ``x.m`` through ``x``'s type to the method declared for it in the
package (a concrete method, promoted ones included, or an interface's method); ``methods_named`` lists
every type of the package that declares a method of a name, for callers that accept the one candidate
when the receiver's type is unknown.

Providers: :func:`expression_types` (per file: the lazily filled table behind ``type_of``),
:func:`selection` (per selector), :func:`field_of`, :func:`method` and :func:`method_declarations` (per
package).  Nothing here knows about a particular rule.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import json
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from tree_sitter import Node

from goexplint.analysis.package import FileRef, FuncDecl, TypeDecl, local_type_names, model, type_params_in_scope
from goexplint.analysis.syntax import inside_within, is_declaration_site, resolve, scopes, unparen
from goexplint.core.parse import FileContext, activate, active, captures, node_text
from goexplint.core.providers import FILE, PACKAGE, provider

PREDECLARED = frozenset((
    "bool", "byte", "complex64", "complex128", "error", "float32", "float64", "int", "int8", "int16", "int32",
    "int64", "rune", "string", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "any", "comparable",
))
_BUILTIN_FUNCS = frozenset(("new", "make", "append", "len", "cap", "copy"))
_UNNAMED = frozenset(("slice_type", "array_type", "map_type", "channel_type", "function_type", "struct_type",
                      "interface_type"))
_LITERALS = {"int_literal": "int", "float_literal": "float64", "imaginary_literal": "complex128",
             "rune_literal": "rune", "interpreted_string_literal": "string", "raw_string_literal": "string",
             "true": "bool", "false": "bool"}
_INTEGERS = frozenset(("int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
                       "uintptr", "byte", "rune"))
_MAX_DEPTH = 12


@dataclasses.dataclass(frozen=True)
class Type:
    """A written type.

    ``origin`` says where the name comes from: ``package`` (a type declared at the top level of this
    package), ``local`` (declared inside a function), ``builtin`` (predeclared: ``int``, ``error``...),
    ``import`` (``pkg.T``: ``package`` is its import path) or ``unnamed`` (a slice, map, channel,
    function, struct or interface type written out: ``name`` is its text)."""

    name: str
    package: str = ""
    pointer: bool = False
    fresh: bool = False
    origin: str = "package"
    # the written type node (for unnamed types: what the element types are read from) and its file
    node: Optional[Node] = dataclasses.field(default=None, compare=False, hash=False, repr=False)
    file: Optional[FileContext] = dataclasses.field(default=None, compare=False, hash=False, repr=False)
    variadic: bool = dataclasses.field(default=False, compare=False, hash=False, repr=False)  # ``...T``: node is T
    # an unnamed type read from the standard library's signatures: go/types' spelling of it (what its
    # element types are read from, as ``node`` is for a written one)
    std_spelling: str = dataclasses.field(default="", compare=False, hash=False, repr=False)

    @property
    def package_type(self) -> Optional[str]:
        """The name of the package-level type of this package it is (or points to), else None."""
        return self.name if self.origin == "package" else None

    def is_package(self, path: str, name: str) -> bool:
        """``path.name`` (or a pointer to it)."""
        return self.origin == "import" and self.package == path and self.name == name

    @property
    def text(self) -> str:
        star = "*" if self.pointer else ""
        if self.origin == "import":
            return "%s%s.%s" % (star, self.package, self.name)
        return star + self.name

    def but(self, **changes) -> "Type":
        return dataclasses.replace(self, **changes)


@dataclasses.dataclass(frozen=True)
class MethodRef:
    """A method of a package type: a declaration (``decl``) or an interface's method element."""

    type_name: str
    name: str
    pointer: bool  # declared on *T
    ref: FileRef  # the declaring file (its part's reference: the node is found through it when asked)
    start: int  # the method_declaration's | method_elem's byte range and type
    end: int
    kind: str
    decl: Optional[FuncDecl] = None  # None for interface methods

    @classmethod
    def declared(cls, type_name: str, decl: FuncDecl) -> "MethodRef":
        return cls(type_name, decl.name, decl.pointer_receiver, decl.ref, decl.start, decl.end, decl.kind, decl)

    @classmethod
    def element(cls, tdecl: TypeDecl, name: str, elem: Node) -> "MethodRef":
        """Method ``name`` of the interface ``tdecl`` (its method_elem ``elem``)."""
        return cls(tdecl.name, name, False, tdecl.ref, elem.start_byte, elem.end_byte, elem.type)

    @property
    def node(self) -> Node:
        """The method_declaration | method_elem (found when asked: a package's table of methods holds no
        nodes, so a file's tree can be freed and parsed again without it)."""
        return self.ref.node(self.start, self.end, self.kind)

    @property
    def file(self) -> FileContext:
        return self.ref.ctx  # type: ignore[return-value]

    @property
    def shown(self) -> str:
        return "(*%s).%s" % (self.type_name, self.name) if self.pointer else "%s.%s" % (self.type_name, self.name)

    @property
    def where(self) -> str:
        return "%s:%d" % (self.file.path, self.node.start_point[0] + 1)

    def params(self) -> Optional[Node]:
        return self.node.child_by_field_name("parameters")

    def result(self) -> Optional[Node]:
        return self.node.child_by_field_name("result")


# --------------------------------------------------------------------------- written types

def written(ctx: FileContext, typ: Optional[Node], fresh: bool = False) -> Optional[Type]:
    """The :class:`Type` of a type node written in ``ctx``'s file, or None (type parameters, unknown
    names, ``**T``...)."""
    pointer = False
    while typ is not None and typ.type in ("pointer_type", "parenthesized_type"):
        if typ.type == "pointer_type":
            if pointer:
                return None  # **T
            pointer = True
        typ = next(iter(typ.named_children), None)
    if typ is None:
        return None
    t = typ.type
    if t == "generic_type":
        typ = typ.child_by_field_name("type")
        if typ is None:
            return None
        t = typ.type
    if t == "qualified_type":
        pkg = typ.child_by_field_name("package")
        name = typ.child_by_field_name("name")
        path = ctx.imports.get(node_text(pkg)) if pkg is not None else None
        if path is None or name is None:
            return None
        return Type(node_text(name), path, pointer, fresh, "import", typ, ctx)
    if t == "type_identifier":
        name = node_text(typ)
        if name in local_type_names(typ):
            if name in type_params_in_scope(typ):
                return None
            return Type(name, "", pointer, fresh, "local", typ, ctx)
        if name in model(ctx).types:
            return Type(name, "", pointer, fresh, "package", typ, ctx)
        if name in PREDECLARED:  # (a dot import brings only exported names: it never hides these)
            return Type(name, "", pointer, fresh, "builtin", typ, ctx)
        return None
    if t in _UNNAMED:
        return Type(node_text(typ), "", pointer, fresh, "unnamed", typ, ctx)
    return None


def underlying_node(t: Type) -> Tuple[Optional[Node], Optional[FileContext]]:
    """The written type node that says what ``t`` holds (an unnamed type's own node, a package type's
    declared type, through aliases of package types), with its file; (None, None) when not known."""
    seen = 0
    while t is not None and seen < 5:
        seen += 1
        if t.origin == "unnamed":
            return t.node, t.file
        if t.origin != "package" or t.file is None:
            return None, None
        decl = model(t.file).types.get(t.name)
        if decl is None:
            return None, None
        node = decl.type_node
        if node is not None and node.type in ("type_identifier", "qualified_type", "generic_type",
                                              "parenthesized_type"):
            t = written(decl.file, node)  # ``type A = B`` and ``type A B``: B's underlying type
            continue
        return node, decl.file
    return None, None


def element(t: Optional[Type], which: str = "value") -> Optional[Type]:
    """The element type of a slice, array, pointer to array, map (``which``: ``key``/``value``) or channel
    type, or a string's ``rune``; None when not known."""
    if t is None:
        return None
    if t.variadic and t.node is not None and t.file is not None:
        return written(t.file, t.node) if which == "value" else Type("int", origin="builtin")
    if t.origin == "builtin" and t.name == "string" and not t.pointer:
        return Type("rune" if which == "value" else "int", origin="builtin")
    spelling = std_underlying(t)
    if spelling is not None:
        return _std_element(spelling, t.pointer, which)
    node, file = underlying_node(t)
    if node is None or file is None:
        return None
    if node.type in ("slice_type", "array_type"):
        if t.pointer and node.type == "slice_type":
            return None
        return written(file, node.child_by_field_name("element")) if which == "value" \
            else Type("int", origin="builtin")
    if t.pointer:
        return None
    if node.type == "map_type":
        return written(file, node.child_by_field_name("key" if which == "key" else "value"))
    if node.type == "channel_type":
        return written(file, node.child_by_field_name("value"))
    return None


# --------------------------------------------------------------------------- the standard library

_STDLIB_TYPES = Path(__file__).resolve().parent / "data" / "stdlib_types.json"
_UNNAMED_PREFIXES = ("[", "map[", "chan ", "chan<- ", "<-chan ", "func(", "struct{", "interface{")


@functools.lru_cache(maxsize=1)
def stdlib() -> Dict[str, object]:
    """The standard library's exported signatures (``data/stdlib_types.json``, generated from the Go
    toolchain by ``tools/stdlibtypes``): ``go`` (the release), ``platforms`` and ``packages``: import
    path -> ``f`` (function -> result types), ``v`` (variable -> type), ``t`` (type -> ``m``/``pm``:
    method -> result types of its value/pointer method set, ``f``: field -> type, ``u``: underlying type).
    A type is spelt as go/types spells it, names qualified by import path, ``~`` before an unnamed type;
    "" is a type the data does not give."""
    with open(_STDLIB_TYPES, encoding="utf-8") as fh:
        return json.load(fh)


def _std_package(path: str) -> Optional[Dict[str, Dict]]:
    return stdlib()["packages"].get(path)


@functools.lru_cache(maxsize=None)
def std_type(spelling: str) -> Optional[Type]:
    """The :class:`Type` a spelling of the standard library's data names (None for "" and for what a
    :class:`Type` cannot say, e.g. a pointer to a pointer)."""
    s = spelling
    pointer = s.startswith("*")
    if pointer:
        s = s[1:]
        if s.startswith("*"):
            return None
    if s.startswith("~"):
        s = s[1:]
    if not s:
        return None
    if s.startswith(_UNNAMED_PREFIXES):
        return Type(s, "", pointer, False, "unnamed", std_spelling=s)
    base = s.split("[", 1)[0]  # an instance of a generic type: its arguments are not part of a Type
    path, dot, name = base.rpartition(".")
    if dot:
        return Type(name, path, pointer, False, "import") if path and name else None
    return Type(s, "", pointer, False, "builtin") if s in PREDECLARED else None


def _std_members(t: Type) -> Optional[Dict[str, object]]:
    if t.origin != "import":
        return None
    pkg = _std_package(t.package)
    return pkg.get("t", {}).get(t.name) if pkg is not None else None


def std_underlying(t: Type) -> Optional[str]:
    """go/types' spelling of ``t``'s underlying type when ``t`` comes from (or is named in) the
    standard library's data and the data says it: an unnamed type read from the data, or a named
    slice, array, map, channel or basic type of the standard library; else None."""
    if t.origin == "unnamed":
        return t.std_spelling or None
    members = _std_members(t)
    under = members.get("u") if members is not None else None
    if not under:
        return None
    u = std_type(under)
    return u.std_spelling if u is not None and u.origin == "unnamed" else None


def _std_element(spelling: str, pointer: bool, which: str) -> Optional[Type]:
    """What :func:`element` says for an unnamed type of the data (``pointer``: a pointer to it)."""
    s = spelling
    if s.startswith("[]"):
        if pointer:
            return None
        return std_type(s[2:]) if which == "value" else Type("int", origin="builtin")
    if s.startswith("["):
        close = s.find("]")
        if close < 0:
            return None
        return std_type(s[close + 1:]) if which == "value" else Type("int", origin="builtin")
    if pointer:
        return None
    if s.startswith("map["):
        depth = 0
        for i in range(3, len(s)):
            depth += {"[": 1, "]": -1}.get(s[i], 0)
            if depth == 0:
                return std_type(s[4:i] if which == "key" else s[i + 1:])
        return None
    for prefix in ("<-chan ", "chan "):
        if s.startswith(prefix):
            inner = s[len(prefix):]
            if inner.startswith("(") and inner.endswith(")"):
                inner = inner[1:-1]
            return std_type(inner)
    return None


def _std_results(results: Optional[List[str]], idx: int) -> Optional[Type]:
    """Result ``idx`` (``-1``: the only result) of a signature of the data."""
    if results is None:
        return None
    if idx < 0:
        return std_type(results[0]) if len(results) == 1 else None
    return std_type(results[idx]) if idx < len(results) else None


def std_function_result(path: str, name: str, idx: int) -> Optional[Type]:
    """Result ``idx`` (``-1``: its only result) of the standard library's function ``path.name``."""
    pkg = _std_package(path)
    return _std_results(pkg.get("f", {}).get(name), idx) if pkg is not None else None


def std_method_result(t: Type, name: str, idx: int) -> Optional[Type]:
    """Result ``idx`` of method ``name`` of the standard library's type ``t`` (or of a pointer to it)."""
    members = _std_members(t)
    if members is None:
        return None
    results = members.get("m", {}).get(name)
    if results is None:
        results = members.get("pm", {}).get(name)
    return _std_results(results, idx)


def std_field(t: Type, name: str) -> Optional[Type]:
    """The type of the exported field ``name`` (promoted ones too) of the standard library's struct type
    ``t`` (or of a pointer to it)."""
    members = _std_members(t)
    field = members.get("f", {}).get(name) if members is not None else None
    return std_type(field) if field else None


def std_variable(path: str, name: str) -> Optional[Type]:
    """The type of the standard library's package-level variable ``path.name``."""
    pkg = _std_package(path)
    var = pkg.get("v", {}).get(name) if pkg is not None else None
    return std_type(var) if var else None


def std_type_named(path: str, name: str) -> Optional[Type]:
    """The standard library's type ``path.name`` (for a conversion ``pkg.T(x)``), None if not one."""
    pkg = _std_package(path)
    if pkg is None or name not in pkg.get("t", {}):
        return None
    return Type(name, path, False, False, "import")


# --------------------------------------------------------------------------- struct fields and methods

def _embedded_type(decl: TypeDecl, field) -> Optional[Type]:
    typ = field.node.child_by_field_name("type")
    t = written(decl.file, typ)
    if t is not None and field.embedded and any(c.type == "*" for c in field.node.children):
        t = t.but(pointer=True)
    return t


@provider(scope=PACKAGE, requires=(model,))
def field_of(ctx: FileContext, type_name: str, name: str) -> Optional[Type]:
    """The type of field ``name`` of the package struct ``type_name`` (promoted through embedded package
    structs, shallowest first; None when two embeddings at one depth both have it, or when an embedded
    type of another package might)."""
    return _field_of(ctx, type_name, name)


def _field_of(ctx: FileContext, type_name: str, name: str) -> Optional[Type]:
    m = model(ctx)
    layer = [type_name]
    seen = set()
    for _ in range(4):
        found: List[Type] = []
        nxt: List[str] = []
        foreign = False
        for tname in layer:
            if tname in seen:
                continue
            seen.add(tname)
            decl = _struct_decl(m, tname)
            if decl is None:
                continue
            for f in decl.fields:
                if f.name == name:
                    t = _embedded_type(decl, f)
                    if t is None:
                        return None
                    found.append(t)
                elif f.embedded:
                    et = _embedded_type(decl, f)
                    if et is not None and et.origin == "package":
                        nxt.append(et.name)
                    else:
                        foreign = True
        if len(found) == 1:
            return found[0]
        if found or foreign:
            return None
        layer = nxt
        if not layer:
            return None
    return None


def _struct_decl(m, name: str) -> Optional[TypeDecl]:
    for _ in range(4):
        decl = m.types.get(name)
        if decl is None:
            return None
        if decl.kind == "struct":
            return decl
        if decl.kind != "alias":
            return None
        t = written(decl.file, decl.type_node)
        if t is None or t.origin != "package":
            return None
        name = t.name
    return None


@provider(scope=PACKAGE, requires=(model,))
def method(ctx: FileContext, type_name: str, name: str) -> Optional[MethodRef]:
    """Method ``name`` of the package type ``type_name``: declared on it, promoted from an embedded
    package type, or an interface's method (embedded package interfaces too); None when not found or
    when another package's embedded type might provide it."""
    return _method(ctx, type_name, name, 0)


def _method(ctx: FileContext, type_name: str, name: str, depth: int) -> Optional[MethodRef]:
    if depth > 4:
        return None
    m = model(ctx)
    decl = m.methods.get((type_name, name))
    if decl is not None:
        return MethodRef.declared(type_name, decl)
    tdecl = m.types.get(type_name)
    if tdecl is None:
        return None
    if tdecl.kind == "alias":
        t = written(tdecl.file, tdecl.type_node)
        return _method(ctx, t.name, name, depth + 1) if t is not None and t.origin == "package" else None
    if tdecl.kind == "interface":
        found = None
        iface = tdecl.type_node
        for elem in iface.named_children if iface is not None else ():
            if elem.type == "method_elem":
                n = elem.child_by_field_name("name")
                if n is not None and node_text(n) == name:
                    return MethodRef.element(tdecl, name, elem)
            elif elem.type == "type_elem" and len(elem.named_children) == 1:
                t = written(tdecl.file, elem.named_children[0])
                if t is not None and t.origin == "package" and found is None:
                    found = _method(ctx, t.name, name, depth + 1)
        return found
    if tdecl.kind != "struct":
        return None
    found = []
    for f in tdecl.fields:
        if not f.embedded:
            continue
        t = _embedded_type(tdecl, f)
        if t is None or t.origin != "package":
            return None  # another package's embedded type may have it
        got = _method(ctx, t.name, name, depth + 1)
        if got is not None:
            found.append(got)
    return found[0] if len(found) == 1 else None


@provider(scope=PACKAGE, requires=(model,))
def method_declarations(ctx: FileContext) -> Dict[str, Tuple[MethodRef, ...]]:
    """Method name -> every declaration of a method of that name in the package: on concrete types
    (one per receiver type) and in interface types, in receiver-name order."""
    table: Dict[str, List[MethodRef]] = collections.defaultdict(list)
    m = model(ctx)
    for (recv, mname), decl in sorted(m.methods.items(), key=lambda kv: kv[0]):
        table[mname].append(MethodRef.declared(recv, decl))
    for tname, tdecl in sorted(m.types.items()):
        if tdecl.kind != "interface" or tdecl.type_node is None:
            continue
        for elem in tdecl.type_node.named_children:
            n = elem.child_by_field_name("name") if elem.type == "method_elem" else None
            if n is not None:
                table[node_text(n)].append(MethodRef.element(tdecl, node_text(n), elem))
    return {k: tuple(v) for k, v in table.items()}


def methods_named(ctx: FileContext, name: str) -> List[MethodRef]:
    """Every declaration of a method ``name`` in the package (see :func:`method_declarations`)."""
    return list(method_declarations(ctx).get(name, ()))


def method_of(ctx: FileContext, selector: Node) -> Optional[MethodRef]:
    """The package method ``x.m`` (a selector of ``ctx``'s file) names, through the type of ``x``;
    None when ``x``'s type is unknown or not a type of this package."""
    if selector is None or selector.type != "selector_expression":
        return None
    operand = selector.child_by_field_name("operand")
    field = selector.child_by_field_name("field")
    if operand is None or field is None:
        return None
    t = type_of(ctx, operand)
    if t is None or t.origin != "package":
        return None
    return method(ctx, t.name, node_text(field))


# --------------------------------------------------------------------------- expressions

_PENDING = object()


class ExpressionTypes:
    """The types of one file's expressions, filled in as they are asked for (a type depends on the
    types of the expressions it is computed from, so the table is one provider's answer rather than one
    provider call per expression), and the results of the same-package functions the file declares."""

    def __init__(self) -> None:
        self.by_node: Dict[int, object] = {}  # node id -> Type, None, or _PENDING while being computed
        self.results: Dict[Tuple[int, int], Optional[Type]] = {}  # (function node id, result slot) -> Type


@provider(scope=FILE, requires=(model, field_of, method))
def expression_types(ctx: FileContext) -> ExpressionTypes:
    """The (lazily filled) table of the written types of ``ctx``'s expressions."""
    return ExpressionTypes()


def type_of(ctx: FileContext, expr: Optional[Node]) -> Optional[Type]:
    """The written type of ``expr`` (a node of ``ctx``'s file), or None when the source does not say."""
    return _type_of(ctx, expr, 0)


def _type_of(ctx: FileContext, expr: Optional[Node], depth: int) -> Optional[Type]:
    if expr is None or depth > _MAX_DEPTH:
        return None
    table = expression_types(ctx).by_node
    got = table.get(expr.id, None)
    if got is _PENDING:
        return None  # a cycle (``x := x`` across scopes is resolved; this guards invalid code)
    if got is not None or expr.id in table:
        return got
    table[expr.id] = _PENDING
    try:
        got = _compute(ctx, expr, depth)
    finally:
        table[expr.id] = None
    table[expr.id] = got
    return got


def _resolve(ident: Node):
    return resolve(ident)


def _compute(ctx: FileContext, expr: Node, depth: int) -> Optional[Type]:
    t = expr.type
    if t == "parenthesized_expression":
        return _type_of(ctx, expr.named_children[0] if expr.named_children else None, depth + 1)
    if t == "identifier":
        return _ident_type(ctx, expr, depth)
    if t == "composite_literal":
        return written(ctx, expr.child_by_field_name("type"), fresh=True)
    if t == "unary_expression":
        op = expr.child_by_field_name("operator")
        operand = expr.child_by_field_name("operand")
        if op is None or operand is None:
            return None
        if op.type == "&":
            inner = _type_of(ctx, operand, depth + 1)
            if inner is None or inner.pointer:
                return None
            fresh = unparen(operand) is not None and unparen(operand).type == "composite_literal"
            return inner.but(pointer=True, fresh=fresh, variadic=False)
        if op.type == "*":
            inner = _type_of(ctx, operand, depth + 1)
            return inner.but(pointer=False, fresh=False) if inner is not None and inner.pointer \
                and inner.origin != "unnamed" else None
        if op.type == "<-":
            return element(_type_of(ctx, operand, depth + 1))
        return None
    if t == "selector_expression":
        return _selector_type(ctx, expr, depth)
    if t == "call_expression":
        return _call_type(ctx, expr, -1, depth)  # the call's one value: none for a multi-valued call
    if t == "index_expression":
        over = _type_of(ctx, expr.child_by_field_name("operand"), depth + 1)
        if over is not None and over.origin == "builtin" and over.name == "string" and not over.pointer:
            return Type("byte", origin="builtin")  # s[i] is a byte (ranging over s gives runes)
        elem = element(over)
        return elem.but(fresh=False) if elem is not None else None
    if t == "slice_expression":
        inner = _type_of(ctx, expr.child_by_field_name("operand"), depth + 1)
        if inner is None or inner.pointer:
            return None
        return inner.but(fresh=False)
    if t == "type_assertion_expression":
        return written(ctx, expr.child_by_field_name("type"))
    if t in _LITERALS:
        return Type(_LITERALS[t], origin="builtin")
    return None


def _ident_type(ctx: FileContext, ident: Node, depth: int) -> Optional[Type]:
    if is_declaration_site(ident):  # ``w, ok := w.(I)``: the new w, not the one it is assigned from
        parent = ident.parent
        kind = "param" if parent.type in ("parameter_declaration", "variadic_parameter_declaration") else \
            "const" if parent.type == "const_spec" else "var"
        if parent.type in ("var_spec", "const_spec") and parent.parent is not None and _at_top(parent):
            return _package_var_type(ctx, ident, depth)
        return _decl_type(ctx, ident, kind, depth)
    decl = _resolve(ident)
    if decl is not None:
        return _decl_type(ctx, decl.ident, decl.kind, depth)
    return _package_var_type(ctx, ident, depth)


def _at_top(spec: Node) -> bool:
    n = spec.parent
    while n is not None and n.type in ("var_declaration", "const_declaration", "var_spec_list", "const_spec_list"):
        n = n.parent
    return n is not None and n.type == "source_file"


def _package_var_type(ctx: FileContext, ident: Node, depth: int) -> Optional[Type]:
    var = model(ctx).vars.get(node_text(ident))
    if var is None or var.const:
        return None
    if var.type_text:
        spec = var.node.parent
        return written(var.file, spec.child_by_field_name("type")) if spec is not None else None
    got = _foreign(ctx, var.file, lambda: _decl_type(var.file, var.node, "var", depth))
    return got.but(fresh=False) if got is not None else None  # a package variable is never a fresh local


def _foreign(ctx: FileContext, other: FileContext, work):
    """``work()`` about nodes of ``other`` (another file of the package), with ``other`` active."""
    if other is ctx or active() is other:
        return work()
    with activate(other):
        return work()


def _decl_type(ctx: FileContext, ident: Node, kind: str, depth: int) -> Optional[Type]:
    """The type of the variable declared by ``ident`` (a local, parameter or package var of ``ctx``)."""
    parent = ident.parent
    if parent is None:
        return None
    pt = parent.type
    if pt in ("parameter_declaration", "variadic_parameter_declaration"):
        typ = parent.child_by_field_name("type")
        if pt == "variadic_parameter_declaration":
            return Type("[]" + node_text(typ), "", False, False, "unnamed", typ, ctx, True) if typ is not None else None
        return written(ctx, typ)
    if pt in ("var_spec", "const_spec"):
        typ = parent.child_by_field_name("type")
        if typ is not None:
            got = written(ctx, typ)
            if got is not None and kind == "var" and parent.child_by_field_name("value") is None and not got.pointer:
                return got.but(fresh=True)  # ``var x T``: a zero value of its own
            return got
        if pt == "const_spec":
            return None  # untyped (or iota-repeated) constants
        names = [parent.children[i] for i in range(parent.child_count)
                 if parent.field_name_for_child(i) == "name"]
        return _assigned_type(ctx, names, parent.child_by_field_name("value"), ident, depth)
    if pt == "expression_list":
        owner = parent.parent
        if owner is None:
            return None
        if owner.type == "short_var_declaration" and owner.child_by_field_name("left") == parent:
            return _assigned_type(ctx, parent.named_children, owner.child_by_field_name("right"), ident, depth)
        if owner.type == "range_clause" and owner.child_by_field_name("left") == parent:
            return _range_type(ctx, owner, parent.named_children.index(ident), depth)
        if owner.type == "receive_statement" and owner.child_by_field_name("left") == parent:
            idx = parent.named_children.index(ident)
            right = unparen(owner.child_by_field_name("right"))
            if idx == 1:
                return Type("bool", origin="builtin")
            return _type_of(ctx, right, depth + 1) if right is not None else None
    return None


def _assigned_type(ctx: FileContext, names: List[Node], values: Optional[Node], ident: Node,
                   depth: int) -> Optional[Type]:
    if values is None or ident not in names:
        return None
    idx = names.index(ident)
    vals = values.named_children
    if len(vals) == len(names):
        return _type_of(ctx, vals[idx], depth + 1)  # (an untyped constant takes its default type)
    if len(vals) != 1:
        return None
    value = unparen(vals[0])
    if value is None:
        return None
    if value.type == "call_expression":
        return _call_type(ctx, value, idx, depth)
    if len(names) == 2 and idx == 1 and value.type in ("index_expression", "type_assertion_expression") or (
            len(names) == 2 and idx == 1 and value.type == "unary_expression"
            and value.child_by_field_name("operator").type == "<-"):
        return Type("bool", origin="builtin")  # v, ok := m[k] / x.(T) / <-ch
    if len(names) == 2 and idx == 0:
        return _type_of(ctx, value, depth + 1)
    return None


def _range_type(ctx: FileContext, clause: Node, idx: int, depth: int) -> Optional[Type]:
    right = unparen(clause.child_by_field_name("right"))
    over = _type_of(ctx, right, depth + 1)
    if over is None:
        return None
    if over.origin == "builtin" and over.name in _INTEGERS and not over.pointer:
        return over.but(fresh=False) if idx == 0 else None
    node, _ = underlying_node(over) if over.origin != "builtin" else (None, None)
    spelling = std_underlying(over) if node is None else None
    if spelling is not None and not over.pointer:
        if spelling.startswith("map["):
            return element(over, "key" if idx == 0 else "value")
        if spelling.startswith(("chan ", "<-chan ")):
            return element(over) if idx == 0 else None
    if node is not None and node.type == "map_type":
        return element(over, "key" if idx == 0 else "value")
    if node is not None and node.type == "channel_type":
        return element(over) if idx == 0 else None
    return element(over, "key" if idx == 0 else "value")


def _selector_type(ctx: FileContext, sel: Node, depth: int) -> Optional[Type]:
    operand = sel.child_by_field_name("operand")
    field = sel.child_by_field_name("field")
    if operand is None or field is None:
        return None
    path = _package_named(ctx, operand)
    if path is not None:  # pkg.Name of another package: known for the standard library's variables
        return std_variable(path, node_text(field))
    base = _type_of(ctx, operand, depth + 1)
    if base is None:
        return None
    if base.origin == "import":
        return std_field(base, node_text(field))
    if base.origin != "package":
        return None
    return field_of(ctx, base.name, node_text(field))


def _package_named(ctx: FileContext, operand: Node) -> Optional[str]:
    """The import path of the package ``operand`` names (the ``pkg`` of ``pkg.Name``), else None."""
    if operand.type == "identifier" and node_text(operand) in ctx.imports and _resolve(operand) is None \
            and node_text(operand) not in model(ctx).vars:
        return ctx.imports[node_text(operand)]
    return None


def _call_type(ctx: FileContext, call: Node, idx: int, depth: int) -> Optional[Type]:
    """The type of result ``idx`` of ``call`` (``-1``: of its single result)."""
    fn = unparen(call.child_by_field_name("function"))
    args = call.child_by_field_name("arguments")
    argv = [a for a in args.named_children if a.type != "comment"] if args is not None else []
    if fn is None:
        return None
    if fn.type == "identifier":
        name = node_text(fn)
        if _resolve(fn) is not None:
            return None  # a local func value: its type is not followed
        m = model(ctx)
        if name in local_type_names(fn):
            if idx > 0 or len(argv) != 1 or name in type_params_in_scope(fn):
                return None
            return Type(name, "", False, False, "local", None, ctx) if idx <= 0 else None  # a conversion
        if name in m.types:  # a conversion T(x)
            decl = m.types[name]
            return Type(name, "", False, False, "package", decl.node.child_by_field_name("name"), decl.file) \
                if idx <= 0 and len(argv) == 1 else None
        if name in m.funcs:
            return _func_result(ctx, m.funcs[name], idx)
        if idx > 0:
            return None
        if name == "new" and argv:
            inner = written(ctx, argv[0])
            return inner.but(pointer=True, fresh=True) if inner is not None and not inner.pointer else None
        if name == "make" and argv:
            inner = written(ctx, argv[0])
            return inner.but(fresh=True) if inner is not None else None
        if name == "append" and argv:
            return _type_of(ctx, argv[0], depth + 1)
        if name in ("len", "cap", "copy"):
            return Type("int", origin="builtin")
        if name in PREDECLARED and len(argv) == 1:
            return Type(name, origin="builtin")  # int(x), string(b)...
        return None
    if fn.type in ("parenthesized_type", "pointer_type", "qualified_type", "generic_type") + tuple(_UNNAMED):
        return written(ctx, fn) if idx <= 0 and len(argv) == 1 else None  # conversions
    if fn.type == "unary_expression" and fn.child_by_field_name("operator").type == "*":
        return None  # (*T)(x) parses as a dereference; rare enough to leave
    if fn.type == "selector_expression":
        operand = fn.child_by_field_name("operand")
        name = fn.child_by_field_name("field")
        path = _package_named(ctx, operand) if operand is not None else None
        if path is not None and name is not None:  # pkg.F(…) or a conversion pkg.T(x)
            got = std_function_result(path, node_text(name), idx)
            if got is None and idx <= 0 and len(argv) == 1:
                got = std_type_named(path, node_text(name))
            return got
        ref = method_of(ctx, fn)
        if ref is not None:
            return _result_slot(ref.file, ref.node, idx)
        base = _type_of(ctx, operand, depth + 1) if operand is not None and name is not None else None
        if base is not None and base.origin == "import":
            return std_method_result(base, node_text(name), idx)
        return None
    return None


def _result_slot(file: FileContext, node: Node, idx: int) -> Optional[Type]:
    """Result ``idx`` of a function or method declaration (``-1``: its only result)."""
    result = node.child_by_field_name("result")
    if result is None:
        return None
    if result.type != "parameter_list":
        return written(file, result) if idx <= 0 else None
    slots: List[Node] = []
    for p in result.named_children:
        if p.type != "parameter_declaration":
            continue
        typ = p.child_by_field_name("type")
        names = [c for c in p.named_children if c.type == "identifier"]
        slots.extend([typ] * max(1, len(names)))
    if idx < 0:
        return written(file, slots[0]) if len(slots) == 1 else None
    return written(file, slots[idx]) if idx < len(slots) else None


def _func_result(ctx: FileContext, decl: FuncDecl, idx: int) -> Optional[Type]:
    """Result ``idx`` of a same-package function, fresh when every return gives a new object (or nil)."""
    key = (decl.node.id, idx)
    results = expression_types(decl.file).results  # kept with the file that declares the function
    if key in results:
        return results[key]
    got = _result_slot(decl.file, decl.node, idx)
    if got is not None and got.origin in ("package", "import", "unnamed"):
        if _foreign(ctx, decl.file, lambda: _returns_fresh(decl.file, decl.node, idx)):
            got = got.but(fresh=True)
    results[key] = got
    return got


def _returns_fresh(ctx: FileContext, fn: Node, idx: int) -> bool:
    body = fn.child_by_field_name("body")
    if body is None:
        return False
    fresh = False
    for ret in captures("(return_statement) @r", body).get("r", []):
        if inside_within(ret, fn, "func_literal"):
            continue
        values = ret.named_children[0].named_children if ret.named_children else []
        if not values:
            return False  # a bare return of named results
        if len(values) <= idx:
            return False
        v = unparen(values[idx])
        if v is None:
            return False
        if v.type == "nil":
            continue
        got = _type_of(ctx, v, 1)
        if got is None or not got.fresh:
            return False
        fresh = True
    return fresh


@dataclasses.dataclass(frozen=True)
class Selection:
    """What ``x.m`` names, as far as the source says.

    ``kind`` is ``import`` (``pkg.m`` of an imported package), ``typed`` (``x``'s type is known:
    ``receiver``; ``method`` is the package's declaration of ``m`` in its method set, None when the
    type is not one of the package's or has no such declaration) or ``unknown`` (``x``'s type is not
    known: ``candidates`` are the package's declarations of a method ``m``, on any type)."""

    kind: str
    receiver: Optional[Type] = None
    method: Optional[MethodRef] = None
    candidates: Tuple[MethodRef, ...] = ()

    @property
    def sole_candidate(self) -> Optional[MethodRef]:
        """The one declaration of ``m`` in the package when ``x``'s type is unknown and only one type
        declares it (None when several do: which one is meant is then not known)."""
        return self.candidates[0] if self.kind == "unknown" and len(self.candidates) == 1 else None


@provider(scope=FILE, requires=(expression_types, method, method_declarations, scopes))
def selection(ctx: FileContext, selector: Node) -> Optional[Selection]:
    """How the selector ``x.m`` of ``ctx``'s file resolves (see :class:`Selection`)."""
    if selector is None or selector.type != "selector_expression":
        return None
    operand = unparen(selector.child_by_field_name("operand"))
    field = selector.child_by_field_name("field")
    if operand is None or field is None:
        return None
    name = node_text(field)
    if operand.type == "identifier" and node_text(operand) in ctx.imports and _resolve(operand) is None \
            and node_text(operand) not in model(ctx).vars:
        return Selection("import")
    t = type_of(ctx, operand)
    if t is None:
        return Selection("unknown", candidates=tuple(methods_named(ctx, name)))
    return Selection("typed", t, method(ctx, t.name, name) if t.origin == "package" else None)


def fresh_local(ctx: FileContext, ident: Node) -> bool:
    """``ident`` is a local declared with a fresh object (``x := &T{}``, ``x := new(T)``, ``var x T``...)."""
    t = type_of(ctx, ident)
    return t is not None and t.fresh


__all__ = ["ExpressionTypes", "MethodRef", "Selection", "Type", "element", "expression_types", "field_of",
           "fresh_local", "method", "method_declarations", "method_of", "methods_named", "selection", "type_of",
           "underlying_node", "written"]
