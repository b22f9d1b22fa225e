"""unsafe.Pointer analysis shared by the unsafe-pointer rules (GXL301-GXL305).

Ground truth is the ``unsafe`` package documentation: a ``uintptr`` may turn
back into an ``unsafe.Pointer`` only in the six listed patterns.  Without types
we classify expressions by what their declarations say:

* a *pointer* expression is ``unsafe.Pointer(...)``/``unsafe.Add(...)`` or a
  name declared with type ``unsafe.Pointer`` (or initialised from such a call);
* a *stored uintptr* is a name, field or call result whose declaration says
  ``uintptr`` (``u := uintptr(...)``, ``var u uintptr``, a ``uintptr``
  parameter, a ``uintptr`` struct field or function result of this package,
  ``u := v.Pointer()``), or ``.Data`` of a ``reflect.SliceHeader`` *value*;
* a *header* is ``reflect.SliceHeader`` / ``reflect.StringHeader``, as a value
  or as a pointer.

Anything not evidenced is "unknown" and never reported (precision first).
"""

from __future__ import annotations

import dataclasses
import re
import functools
from typing import Dict, FrozenSet, List, Optional, Tuple

import tree_sitter
from tree_sitter import Node

from goexplint.analysis.package import model
from goexplint.analysis.syntax import Decl, FUNC_TYPES, identifiers, is_reference, package_selector, resolve, unparen
from goexplint.analysis.values import local_values
from goexplint.core.parse import FileContext, captures, compile_query, node_text
from goexplint.core.providers import FILE, KEPT, PACKAGE, provider

UNSAFE = "unsafe"
REFLECT = "reflect"
SYSCALL_PACKAGES = ("syscall", "golang.org/x/sys/unix", "golang.org/x/sys/windows")
HEADERS = ("SliceHeader", "StringHeader")
PATTERN_OPS = ("+", "-", "&^")  # the operators pattern (3) allows on a pointer-derived uintptr
ARITH_OPS = ("+", "-", "&^", "&", "|", "^", "*", "/", "%", "<<", ">>")
MAX_DEPTH = 6


def call_args(call: Node) -> List[Node]:
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


def imports_unsafe(ctx: FileContext) -> bool:
    """The file imports package unsafe (under any name or with a dot): ``unsafe_func`` is None otherwise."""
    return UNSAFE in ctx.imports.values()


def unsafe_func(ctx: FileContext, call: Node) -> Optional[str]:
    """``Pointer`` for ``unsafe.Pointer(x)`` (under any import name, or a dot import), else None."""
    if call is None or call.type != "call_expression":
        return None
    fn = call.child_by_field_name("function")
    if fn is None:
        return None
    if fn.type == "selector_expression":
        if package_selector(ctx, fn.child_by_field_name("operand"), UNSAFE):
            return node_text(fn.child_by_field_name("field"))
        return None
    if fn.type == "identifier" and ("." + UNSAFE) in ctx.imports and resolve(fn) is None \
            and fn.text in (b"Pointer", b"Add", b"Slice", b"SliceData", b"String", b"StringData"):
        return node_text(fn)
    return None


def is_pointer_conversion(ctx: FileContext, call: Node) -> bool:
    return unsafe_func(ctx, call) == "Pointer" and len(call_args(call)) == 1


def uintptr_conversion_arg(call: Optional[Node]) -> Optional[Node]:
    """``x`` of ``uintptr(x)`` (the builtin type, not shadowed), else None."""
    if call is None or call.type != "call_expression":
        return None
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "identifier" or fn.text != b"uintptr" or resolve(fn) is not None:
        return None
    args = call_args(call)
    return args[0] if len(args) == 1 else None


def is_uintptr_type(node: Optional[Node]) -> bool:
    return node is not None and node.type == "type_identifier" and node.text == b"uintptr"


def is_unsafe_pointer_type(ctx: FileContext, node: Optional[Node]) -> bool:
    if node is None or node.type != "qualified_type":
        return False
    pkg = node.child_by_field_name("package")
    name = node.child_by_field_name("name")
    return pkg is not None and name is not None and name.text == b"Pointer" \
        and ctx.imports.get(node_text(pkg)) == UNSAFE


def reflect_method_call(call: Optional[Node]) -> Optional[str]:
    """``Pointer``/``UnsafeAddr`` for a zero-argument ``x.Pointer()`` / ``x.UnsafeAddr()`` call."""
    if call is None or call.type != "call_expression" or call_args(call):
        return None
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return None
    name = node_text(fn.child_by_field_name("field"))
    return name if name in ("Pointer", "UnsafeAddr") else None


# --------------------------------------------------------------------------- package facts


@dataclasses.dataclass(frozen=True)
class PackageFacts:
    """Names this package declares with type ``uintptr`` (and names declared otherwise, which make a name
    ambiguous): struct fields, function/method results and package-level variables; plus the written
    type (``T`` of ``T``/``*T``, b"" for anything else) of every field of every struct and of every typed
    package-level variable, to follow ``x.f.g`` when ``x``'s type is written down."""

    uintptr_fields: FrozenSet[bytes]
    other_fields: FrozenSet[bytes]
    uintptr_funcs: FrozenSet[bytes]
    other_funcs: FrozenSet[bytes]
    uintptr_vars: FrozenSet[bytes]
    struct_fields: FrozenSet[Tuple[bytes, bytes, bytes]]
    var_types: FrozenSet[Tuple[bytes, bytes]]
    uintptr_types: FrozenSet[bytes]  # type X uintptr
    other_nullary: FrozenSet[bytes]  # functions and methods without parameters and with a non-uintptr result
    unset_vars: FrozenSet[bytes]  # package-level variables declared without a value
    written: FrozenSet[bytes]  # names assigned (=, op=, ++/--) or address-taken anywhere in the package

    def is_uintptr(self, typ: Optional[bytes]) -> bool:
        return typ == b"uintptr" or (typ is not None and typ in self.uintptr_types)

    def field(self, name: bytes) -> bool:
        return name in self.uintptr_fields and name not in self.other_fields

    def func(self, name: bytes) -> bool:
        return name in self.uintptr_funcs and name not in self.other_funcs

    @functools.cached_property
    def fields_of(self) -> Dict[bytes, Dict[bytes, bytes]]:
        out: Dict[bytes, Dict[bytes, bytes]] = {}
        for struct, field, typ in self.struct_fields:
            if struct not in out:
                out[struct] = {}
            seen = out[struct]
            seen[field] = typ if seen.get(field, typ) == typ else b"?"  # differs between build variants
        return out

    @functools.cached_property
    def var_type(self) -> Dict[bytes, bytes]:
        out: Dict[bytes, bytes] = {}
        for var, typ in self.var_types:
            out[var] = typ
        return out


_FACTS_QUERY = """
(field_declaration name: (field_identifier) @field type: (_) @ftype)
(function_declaration name: (identifier) @func parameters: (parameter_list) @params result: (_)? @result)
(method_declaration name: (field_identifier) @func parameters: (parameter_list) @params result: (_)? @result)
(source_file (var_declaration (var_spec name: (identifier) @var type: (_)? @vtype value: (_)? @vval)))
(source_file (var_declaration (var_spec_list (var_spec name: (identifier) @var type: (_)? @vtype value: (_)? @vval))))
(type_spec name: (type_identifier) @tname type: (type_identifier) @tunder (#eq? @tunder "uintptr"))
(assignment_statement left: (expression_list (identifier) @written))
(inc_statement (identifier) @written)
(dec_statement (identifier) @written)
(unary_expression operator: "&" operand: (identifier) @written)
"""


_FACT_KEYS = ("uf", "of", "ufn", "ofn", "uv", "sf", "vt", "ut", "of0", "uv0", "w")  # the PackageFacts fields, in order


def type_name(typ: Optional[Node]) -> Optional[bytes]:
    """``T`` for a type written ``T``, ``*T`` for ``*T`` (a plain name of this package), else None."""
    stars = b""
    while typ is not None and typ.type == "pointer_type" and typ.named_children:
        typ = typ.named_children[0]
        stars += b"*"
    if typ is not None and typ.type == "type_identifier":
        return stars + typ.text
    return None


def _base_type(typ: Optional[bytes]) -> Optional[bytes]:
    """``T`` for ``T`` or ``*T`` (fields and methods are reached through one pointer)."""
    if not typ or typ == b"?":
        return None
    stripped = typ[1:] if typ.startswith(b"*") else typ
    return stripped if stripped and not stripped.startswith(b"*") else None


def _struct_name(field_decl: Node) -> Optional[bytes]:
    n = field_decl.parent  # field_declaration_list
    n = n.parent if n is not None else None  # struct_type
    n = n.parent if n is not None else None  # type_spec
    if n is not None and n.type == "type_spec":
        name = n.child_by_field_name("name")
        return name.text if name is not None else None
    return None


def _collect_facts(root: Node, acc: Dict[str, set]) -> None:
    for _, caps in tree_sitter.QueryCursor(compile_query(_FACTS_QUERY)).matches(root):
        if "field" in caps:
            typ = caps["ftype"][0]
            struct = _struct_name(caps["field"][0].parent)
            tname = type_name(typ) or b""
            for f in caps["field"]:
                acc["uf" if is_uintptr_type(typ) else "of"].add(f.text)
                if struct is not None:
                    acc["sf"].add((struct, f.text, tname))
        elif "func" in caps:
            res = caps.get("result")
            uint = bool(res) and is_uintptr_type(res[0])
            acc["ufn" if uint else "ofn"].add(caps["func"][0].text)
            if not uint and not caps["params"][0].named_children:
                acc["of0"].add(caps["func"][0].text)
        elif "tname" in caps:
            acc["ut"].add(caps["tname"][0].text)
        elif "written" in caps:
            acc["w"].update(n.text for n in caps["written"])
        elif "var" in caps:
            typ = caps.get("vtype")
            vals = caps.get("vval")
            if typ and type_name(typ[0]):
                for v in caps["var"]:
                    acc["vt"].add((v.text, type_name(typ[0])))
            if (typ and is_uintptr_type(typ[0])) or (not typ and vals and uintptr_conversion_arg(vals[0]) is not None):
                for v in caps["var"]:
                    acc["uv"].add(v.text)
            if not vals:
                acc["uv0"].update(v.text for v in caps["var"])


@provider(scope=KEPT, persistent=True)
def file_facts(ctx: FileContext) -> Dict[str, set]:
    """One file's part of :func:`package_facts` (an edit of another file of the package reuses it)."""
    got: Dict[str, set] = {k: set() for k in _FACT_KEYS}
    _collect_facts(ctx.root, got)
    return got


@provider(scope=PACKAGE, requires=(file_facts,))
def package_facts(ctx: FileContext) -> PackageFacts:
    """Facts of every file of the package (``ctx.package``, parsed once), built once per package."""
    acc: Dict[str, set] = {k: set() for k in _FACT_KEYS}
    for f in ctx.package.files:
        for k, v in file_facts(f).items():
            acc[k] |= v
    return PackageFacts(*(frozenset(acc[k]) for k in _FACT_KEYS))


# --------------------------------------------------------------------------- classification


@dataclasses.dataclass(frozen=True)
class Evidence:
    """Why an expression is a stored uintptr."""

    node: Node  # the operand that holds the uintptr
    what: str  # "the uintptr variable u", ...
    pattern: int  # the unsafe-doc pattern the round trip breaks (3, 5 or 6)
    confidence: str
    decl: Optional[Node] = None  # where the uintptr was stored


@provider(scope=FILE)
def declaration(ctx: FileContext, ident: Node) -> Optional[Decl]:
    """:func:`goexplint.analysis.syntax.resolve` of ``ident``, once per identifier."""
    return resolve(ident)


def is_pointer_expr(ctx: FileContext, expr: Optional[Node], depth: int = 0) -> bool:
    """``expr`` is evidently an ``unsafe.Pointer`` value (pattern 1/3 base)."""
    expr = unparen(expr)
    if expr is None or depth > MAX_DEPTH:
        return False
    if expr.type == "call_expression":
        return unsafe_func(ctx, expr) in ("Pointer", "Add")
    if expr.type == "identifier":
        decl = declaration(ctx, expr)
        if decl is None:
            return False
        if is_unsafe_pointer_type(ctx, decl.written_type()):
            return True
        return decl.kind == "var" and is_pointer_expr(ctx, decl.value(), depth + 1)
    return False


def is_pointer_uintptr(ctx: FileContext, expr: Optional[Node]) -> bool:
    """``uintptr(p)`` where ``p`` is evidently an unsafe.Pointer."""
    return is_pointer_expr(ctx, uintptr_conversion_arg(unparen(expr)))


def spine(expr: Node) -> Tuple[Node, List[Tuple[str, Node]]]:
    """``a + b - c`` -> (a, [("+", b), ("-", c)]): the base and the (operator, operand) steps applied to it."""
    steps: List[Tuple[str, Node]] = []
    node = unparen(expr)
    while node is not None and node.type == "binary_expression":
        op = node.child_by_field_name("operator")
        if op is None or op.type not in ARITH_OPS:
            break
        steps.append((op.type, node.child_by_field_name("right")))
        node = unparen(node.child_by_field_name("left"))
    steps.reverse()
    return node, steps


def header_type_name(ctx: FileContext, node: Optional[Node]) -> Optional[str]:
    """``SliceHeader`` for ``reflect.SliceHeader`` written as a type or a selector (any import name)."""
    if node is None:
        return None
    if node.type == "qualified_type":
        pkg = node.child_by_field_name("package")
        name = node.child_by_field_name("name")
        if pkg is not None and name is not None and node_text(name) in HEADERS \
                and ctx.imports.get(node_text(pkg)) == REFLECT:
            return node_text(name)
    elif node.type == "selector_expression":
        field = node.child_by_field_name("field")
        if field is not None and node_text(field) in HEADERS \
                and package_selector(ctx, node.child_by_field_name("operand"), REFLECT):
            return node_text(field)
    return None


def header_pointer_conversion(ctx: FileContext, call: Optional[Node]) -> Optional[str]:
    """``SliceHeader`` for ``(*reflect.SliceHeader)(x)``."""
    if call is None or call.type != "call_expression":
        return None
    fn = unparen(call.child_by_field_name("function"))
    if fn is None or fn.type not in ("unary_expression", "pointer_type"):
        return None
    if fn.type == "unary_expression":
        op = fn.child_by_field_name("operator")
        if op is None or op.type != "*":
            return None
        return header_type_name(ctx, fn.child_by_field_name("operand"))
    return header_type_name(ctx, fn.named_children[0] if fn.named_children else None)


def header_value_literal(ctx: FileContext, node: Optional[Node]) -> Optional[str]:
    if node is not None and node.type == "composite_literal":
        return header_type_name(ctx, node.child_by_field_name("type"))
    return None


def is_deref(node: Optional[Node]) -> Optional[Node]:
    """The operand of ``*x`` (a dereference, not a pointer type), else None."""
    if node is not None and node.type == "unary_expression":
        op = node.child_by_field_name("operator")
        if op is not None and op.type == "*":
            return node.child_by_field_name("operand")
    return None


def header_kind(ctx: FileContext, expr: Optional[Node], depth: int = 0) -> Optional[Tuple[str, str]]:
    """("value" | "pointer", "SliceHeader" | "StringHeader") when ``expr`` evidently is a header."""
    expr = unparen(expr)
    if expr is None or depth > MAX_DEPTH:
        return None
    name = header_value_literal(ctx, expr)
    if name:
        return "value", name
    name = header_pointer_conversion(ctx, expr)
    if name:
        return "pointer", name
    if expr.type == "unary_expression":
        operand = expr.child_by_field_name("operand")
        op = expr.child_by_field_name("operator").type
        inner = header_kind(ctx, operand, depth + 1)
        if inner and op == "*" and inner[0] == "pointer":
            return "value", inner[1]
        if inner and op == "&" and inner[0] == "value":
            return "pointer", inner[1]
        return None
    if expr.type == "call_expression":
        fn = expr.child_by_field_name("function")
        args = call_args(expr)
        if fn is not None and fn.type == "identifier" and fn.text == b"new" and len(args) == 1 \
                and resolve(fn) is None:
            name = header_type_name(ctx, args[0])
            return ("pointer", name) if name else None
        return _result_header(ctx, fn)
    if expr.type == "selector_expression":
        # w.h where the package declares field h of w's struct as reflect.SliceHeader / *reflect.SliceHeader
        if not ctx.aliases_of(REFLECT):
            return None  # the struct's file needs reflect, but so does any conversion here worth reporting
        struct = struct_type_of(ctx, expr.child_by_field_name("operand"), depth + 1)
        decl = model(ctx).struct(struct.decode("utf-8", "replace")) if struct else None
        field = decl.field(node_text(expr.child_by_field_name("field"))) if decl is not None else None
        typ = field.node.child_by_field_name("type") if field is not None and not field.embedded else None
        return _written_header(ctx, typ, decl.file if decl is not None else ctx)
    if expr.type == "identifier":
        decl = declaration(ctx, expr)
        if decl is None:
            return None
        typ = decl.written_type()
        if typ is not None:
            return _written_header(ctx, typ, ctx)
        if decl.kind == "var":
            return header_kind(ctx, decl.value(), depth + 1)
    return None


def _written_header(ctx: FileContext, typ: Optional[Node], where: FileContext) -> Optional[Tuple[str, str]]:
    """("value" | "pointer", header) for a written type in file ``where`` (imports resolve there)."""
    if typ is None:
        return None
    name = header_type_name(where, typ)
    if name:
        return "value", name
    if typ.type == "pointer_type" and typ.named_children:
        name = header_type_name(where, typ.named_children[0])
        return ("pointer", name) if name else None
    return None


def _result_header(ctx: FileContext, fn: Optional[Node]) -> Optional[Tuple[str, str]]:
    """The header a same-package function returns as its single written result (``func mk() reflect.SliceHeader``)."""
    if fn is None or fn.type != "identifier" or not ctx.aliases_of(REFLECT) or resolve(fn) is not None:
        return None
    decl = model(ctx).funcs.get(node_text(fn))
    result = decl.node.child_by_field_name("result") if decl is not None else None
    if result is not None and result.type == "parameter_list":
        params = [p for p in result.named_children if p.type == "parameter_declaration"]
        if len(params) != 1 or params[0].child_by_field_name("name") is not None:
            return None
        result = params[0].child_by_field_name("type")
    return _written_header(ctx, result, decl.file) if decl is not None else None


def struct_type_of(ctx: FileContext, expr: Optional[Node], depth: int = 0) -> Optional[bytes]:
    """The package-local type name ``T`` of ``expr`` when declarations say it is a ``T`` or ``*T``:
    a local or package variable, parameter or receiver written with that type, or a field of one."""
    expr = unparen(expr)
    if expr is None or depth > MAX_DEPTH:
        return None
    operand = is_deref(expr)
    if operand is not None:
        return struct_type_of(ctx, operand, depth + 1)
    if expr.type == "identifier":
        decl = declaration(ctx, expr)
        if decl is not None:
            return _base_type(type_name(decl.written_type()))
        if expr.text in ctx.imports:
            return None
        return _base_type(package_facts(ctx).var_type.get(expr.text))
    if expr.type == "selector_expression":
        struct = struct_type_of(ctx, expr.child_by_field_name("operand"), depth + 1)
        fields = package_facts(ctx).fields_of.get(struct) if struct else None
        return _base_type(fields.get(expr.child_by_field_name("field").text)) if fields else None
    return None


def uintptr_evidence(ctx: FileContext, expr: Optional[Node], depth: int = 0) -> Optional[Evidence]:
    """Why ``expr`` holds a uintptr that was stored before this expression, or None when it did not
    (or we cannot tell)."""
    expr = unparen(expr)
    if expr is None or depth > MAX_DEPTH:
        return None
    t = expr.type
    if t == "identifier":
        return _ident_evidence(ctx, expr, depth)
    if t == "selector_expression":
        operand = expr.child_by_field_name("operand")
        field = expr.child_by_field_name("field")
        if field is None:
            return None
        if field.text == b"Data":
            kind = header_kind(ctx, operand)
            if kind is not None:
                if kind[0] == "pointer":
                    return None  # pattern (6)
                return Evidence(expr, "the Data field of a reflect.%s value" % kind[1], 6, "high")
        if operand is not None and operand.type == "identifier" and operand.text in ctx.imports \
                and declaration(ctx, operand) is None:
            return None  # pkg.Name: another package's variable, unknown
        facts = package_facts(ctx)
        struct = struct_type_of(ctx, operand)
        fields = facts.fields_of.get(struct) if struct else None
        if fields is not None and field.text in fields:
            if facts.is_uintptr(fields[field.text]):
                what = "the uintptr field %s.%s" % (struct.decode("utf-8", "replace"), node_text(field))
                return Evidence(expr, what, 3, "medium")
            return None
        if facts.field(field.text):
            return Evidence(expr, "the uintptr field %s" % node_text(field), 3, "medium")
        return None
    if t == "index_expression":
        return _element_evidence(ctx, expr, depth)
    if t == "unary_expression" and expr.child_by_field_name("operator").type == "*":
        target = unparen(expr.child_by_field_name("operand"))
        if target is not None and _converted_to(target, "uintptr", pointer=True):
            return Evidence(expr, "a uintptr loaded from memory (%s)" % short(ctx, expr, 30), 3, "high")
        return None
    if t == "call_expression":
        if reflect_method_call(expr) is not None:
            return None  # pattern (5): converted in the same expression as the call
        inner = uintptr_conversion_arg(expr)
        if inner is not None:
            return uintptr_evidence(ctx, inner, depth + 1) or _integer_evidence(ctx, inner)
        fn = expr.child_by_field_name("function")
        if fn is None:
            return None
        name = None
        if fn.type == "identifier" and declaration(ctx, fn) is None:
            name = fn
        elif fn.type == "selector_expression":
            operand = fn.child_by_field_name("operand")
            if not (operand is not None and operand.type == "identifier" and operand.text in ctx.imports
                    and declaration(ctx, operand) is None):
                name = fn.child_by_field_name("field")
        if name is not None and package_facts(ctx).func(name.text):
            return Evidence(expr, "the uintptr result of %s()" % node_text(name), 3, "medium")
    return None


INTEGER_TYPES = (b"int", b"int32", b"int64", b"uint", b"uint32", b"uint64")

_UINTPTR_CONTAINER = re.compile(rb"^\*?(\[[^\]]*\]|map\[.*\])uintptr$")


def _converted_to(node: Node, elem: str, pointer: bool) -> bool:
    """``(*uintptr)(p)`` (``pointer``) or ``(*[N]uintptr)(p)``: a conversion of unsafe memory."""
    if node.type == "type_conversion_expression":
        typ = node.child_by_field_name("type")
    elif node.type == "call_expression" and len(call_args(node)) == 1:
        typ = node.child_by_field_name("function")
    else:
        return False
    text = re.sub(rb"\s+", b"", typ.text) if typ is not None else b""
    while text.startswith(b"(") and text.endswith(b")"):
        text = text[1:-1]
    if pointer:
        return text == b"*" + elem.encode()
    return bool(_UINTPTR_CONTAINER.match(text)) and text.startswith(b"*")


def _container_written(ctx: FileContext, typ: Optional[Node], value: Optional[Node]) -> bool:
    """A map, slice or array (or pointer to an array) of uintptr, by its written type or initialiser."""
    if typ is not None:
        return bool(_UINTPTR_CONTAINER.match(re.sub(rb"\s+", b"", typ.text)))
    value = unparen(value)
    if value is None:
        return False
    if value.type == "composite_literal":
        return _container_written(ctx, value.child_by_field_name("type"), None)
    return _converted_to(value, "uintptr", pointer=False)


def _element_evidence(ctx: FileContext, expr: Node, depth: int) -> Optional[Evidence]:
    """``m[k]``/``s[i]``/``(*[2]uintptr)(p)[1]`` whose container holds uintptrs (vet's unsafeptr reports
    these: an element is a uintptr stored in memory)."""
    operand = unparen(expr.child_by_field_name("operand"))
    if operand is None:
        return None
    if _converted_to(operand, "uintptr", pointer=False):
        return Evidence(expr, "a uintptr read through %s" % short(ctx, operand, 30), 3, "high")
    if operand.type == "identifier":
        decl = declaration(ctx, operand)
        name = node_text(operand)
        if decl is not None:
            if decl.kind in ("var", "param", "for") and _container_written(ctx, decl.written_type(), decl.value()):
                return Evidence(expr, "a uintptr element of %s" % name, 3, "high", decl.ident)
            return None
        if operand.text in ctx.imports:
            return None
        var = model(ctx).vars.get(name)
        spec = var.node.parent if var is not None and not var.const else None
        if spec is not None and spec.type == "var_spec":
            values = spec.child_by_field_name("value")
            names = [c for c in spec.named_children if c.type == "identifier"]
            value = values.named_children[names.index(var.node)] \
                if values is not None and var.node in names and len(values.named_children) == len(names) else None
            if _container_written(ctx, spec.child_by_field_name("type"), value):
                return Evidence(expr, "a uintptr element of the package variable %s" % name, 3, "medium", var.node)
        return None
    if operand.type == "selector_expression":
        struct = struct_type_of(ctx, operand.child_by_field_name("operand"), depth + 1)
        decl = model(ctx).struct(struct.decode("utf-8", "replace")) if struct else None
        field = operand.child_by_field_name("field")
        written = decl.field(node_text(field)) if decl is not None and field is not None else None
        typ = written.type_text.encode() if written is not None and not written.embedded else None
        if typ is not None and _UINTPTR_CONTAINER.match(re.sub(rb"\s+", b"", typ)):
            what = "a uintptr element of the field %s.%s" % (struct.decode("utf-8", "replace"), node_text(field))
            return Evidence(expr, what, 3, "medium")
    return None


def _integer_evidence(ctx: FileContext, expr: Node) -> Optional[Evidence]:
    """``x`` of ``uintptr(x)`` declared with a (non-uintptr) integer type: an address kept as a number."""
    expr = unparen(expr)
    if expr is None or expr.type != "identifier":
        return None
    decl = declaration(ctx, expr)
    typ = decl.written_type() if decl is not None else None
    if typ is not None and typ.type == "type_identifier" and typ.text in INTEGER_TYPES:
        what = "the %s %s %s" % (typ.text.decode(), "parameter" if decl.kind == "param" else "variable",
                                 node_text(expr))
        return Evidence(expr, what, 3, "medium", decl.ident)
    return None


def _uintptr_written(ctx: FileContext, typ: Optional[Node]) -> bool:
    """``uintptr``, or a type this package declares as ``type X uintptr``."""
    if is_uintptr_type(typ):
        return True
    return typ is not None and typ.type == "type_identifier" and typ.text in package_facts(ctx).uintptr_types


def _ident_evidence(ctx: FileContext, ident: Node, depth: int) -> Optional[Evidence]:
    decl = declaration(ctx, ident)
    name = node_text(ident)
    if decl is None:
        facts = package_facts(ctx)
        zero = ident.text in facts.unset_vars and ident.text not in facts.written
        if ident.text in facts.uintptr_vars and not zero:
            return Evidence(ident, "the package-level uintptr variable %s" % name, 3, "medium")
        return None  # unknown, or declared without a value and never written: it holds 0, no address
    typ = decl.written_type()
    if decl.kind == "param":
        if _uintptr_written(ctx, typ):
            return Evidence(ident, "the uintptr parameter %s" % name, 3, "medium", decl.ident)
        return None
    if decl.kind not in ("var", "for"):
        return None
    if _uintptr_written(ctx, typ):
        if decl.kind == "var" and local_values(ctx, ident) == []:
            return None  # ``var u uintptr`` never assigned: the zero value, no address
        return Evidence(ident, "the uintptr variable %s" % name, 3, "high", decl.ident)
    if typ is not None:
        return None
    value = unparen(decl.value())
    if value is None:
        return None
    method = reflect_method_call(value)
    if method is not None and method.encode() in package_facts(ctx).other_nullary:
        return None  # this package declares a Pointer()/UnsafeAddr() method that does not return uintptr
    if method is not None:
        conf = "high" if ctx.aliases_of(REFLECT) else "medium"
        return Evidence(ident, "%s, the stored result of .%s()," % (name, method), 5, conf, decl.ident)
    if uintptr_conversion_arg(value) is not None:
        return Evidence(ident, "the uintptr variable %s" % name, 3, "high", decl.ident)
    base, steps = spine(value)
    if steps:
        if uintptr_conversion_arg(base) is not None and uintptr_evidence(ctx, base, depth + 1) is None:
            return Evidence(ident, "the uintptr variable %s" % name, 3, "high", decl.ident)
        inner = uintptr_evidence(ctx, base, depth + 1)
        if inner is not None:
            return dataclasses.replace(inner, node=ident, what="the uintptr variable %s" % name, decl=decl.ident)
        return None
    inner = uintptr_evidence(ctx, value, depth + 1)
    if inner is not None:
        return dataclasses.replace(inner, node=ident, what="%s, a copy of %s," % (name, inner.what), decl=decl.ident)
    return None


def pointer_uintptr_store(ctx: FileContext, ident: Node) -> Optional[Node]:
    """The declaration of ``ident`` when it was initialised as ``uintptr(<unsafe.Pointer>)`` (plus offsets)."""
    if ident.type != "identifier":
        return None
    decl = declaration(ctx, ident)
    if decl is None or decl.kind not in ("var", "for"):
        return None
    value = decl.value()
    base, _ = spine(value) if value is not None else (None, [])
    arg = uintptr_conversion_arg(base)
    if arg is None:
        return None
    if unsafe_func(ctx, unparen(arg)) in ("Pointer", "Add") or is_pointer_expr(ctx, arg):
        return decl.ident
    return None


def address_taken(ctx: FileContext, decl_ident: Node) -> List[Node]:
    """``&x`` expressions taking the address of the variable declared by ``decl_ident``."""
    scope = decl_ident
    while scope is not None and scope.type not in FUNC_TYPES + ("source_file",):
        scope = scope.parent
    if scope is None:
        return []
    out = []
    for ident in identifiers(scope):
        if ident.text != decl_ident.text or ident == decl_ident or not is_reference(ident):
            continue
        p = ident.parent
        if p is not None and p.type == "unary_expression" and p.child_by_field_name("operator").type == "&":
            d = declaration(ctx, ident)
            if d is not None and d.ident == decl_ident:
                out.append(p)
    return out


# --------------------------------------------------------------------------- advice (per Go version)


def go_at_least(ctx: FileContext, minor: int) -> Optional[bool]:
    """True/False for the file's Go version, None when unknown."""
    if ctx.go.lang is None:
        return None
    return ctx.go.at_least((1, minor))


def since(ctx: FileContext, minor: int, text: str) -> Optional[str]:
    """``text`` if the file may use a Go 1.minor API (with a version note when the version is unknown)."""
    ok = go_at_least(ctx, minor)
    if ok is None:
        return "%s (Go 1.%d+)" % (text, minor)
    return text if ok else None


def add_advice(ctx: FileContext, base: str = "p", off: str = "off") -> str:
    modern = since(ctx, 17, "unsafe.Add(%s, %s)" % (base, off))
    classic = "unsafe.Pointer(uintptr(%s) + %s) in one expression" % (base, off)
    return "keep the address as an unsafe.Pointer and write %s" % (modern or classic)


def header_advice(ctx: FileContext, header: str) -> str:
    if header == "SliceHeader":
        parts = [since(ctx, 17, "unsafe.Slice(ptr, len)"), since(ctx, 20, "unsafe.SliceData(s)")]
        fallback = "(*reflect.SliceHeader)(unsafe.Pointer(&s)) onto a real slice variable s"
    else:
        parts = [since(ctx, 20, "unsafe.String(ptr, len)"), since(ctx, 20, "unsafe.StringData(s)")]
        fallback = "(*reflect.StringHeader)(unsafe.Pointer(&s)) onto a real string variable s"
        if parts[0] is None and since(ctx, 17, "x"):
            parts = ["string(unsafe.Slice(ptr, len)) (a copy) or %s" % fallback]
    parts = [p for p in parts if p]
    return "use %s instead" % " / ".join(parts) if parts else "use a pointer %s instead" % fallback


def short(ctx: FileContext, node: Node, limit: int = 48) -> str:
    text = " ".join(ctx.text(node).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


_PROC_MAKERS = (b".NewProc(", b".FindProc(", b"MustFindProc(", b".MustFindProc(")


def is_lazy_proc(ctx: FileContext, recv: Optional[Node]) -> bool:
    """``recv`` is a ``*syscall.LazyProc``/``*syscall.Proc`` (or x/sys/windows'): declared from NewProc/FindProc
    in this function or at package level in this file, or written with that type."""
    recv = unparen(recv)
    if recv is None:
        return False
    if recv.type == "call_expression":  # dll.NewProc("X").Call(...)
        return any(m in recv.text for m in _PROC_MAKERS)
    if recv.type != "identifier":
        return False
    decl = declaration(ctx, recv)
    if decl is not None:
        typ = decl.written_type()
        if typ is not None:
            return typ.text.endswith((b"LazyProc", b"Proc"))
        value = decl.value()
        return value is not None and any(m in value.text for m in _PROC_MAKERS)
    for spec in captures("(source_file (var_declaration (var_spec) @spec))"
                         "(source_file (var_declaration (var_spec_list (var_spec) @spec)))", ctx.root).get("spec", []):
        names = [c for c in spec.named_children if c.type == "identifier"]
        value = spec.child_by_field_name("value")
        if any(n.text == recv.text for n in names) and value is not None:
            return any(m in value.text for m in _PROC_MAKERS)
    return False
