"""The package model: what rules may know about a whole Go package, built once from its parsed files.

``model(ctx)`` returns the :class:`PackageModel` of ``ctx``'s package (``ctx.package``, see
``goexplint.core.package``), built once per package and shared by every rule.  It holds the
top-level declarations of every file:

* functions and methods (:class:`FuncDecl`): receiver type name, pointer receiver or not, type
  parameters;
* types (:class:`TypeDecl`): kind (struct, interface, alias, other), struct fields with their written
  types (embedded fields too), type parameters;
* package-level vars and consts (:class:`VarDecl`) with their written types.

``funcs``, ``methods``, ``types`` and ``vars`` keep one declaration per name (the first by path);
``all_funcs``, ``all_methods``, ``all_types`` and ``all_vars`` list every declaration, so the
variants of a name that several files declare under different build tags are all there.
``named_type(name, at)`` hides package types behind type parameters and local types in scope.

Declarations are plain data: names, written texts and byte ranges (``FuncDecl.result_base``,
``body_span``, ``builds_result``... answer the common questions without a node).  ``.node`` and ``.file`` are
found through the declaration's :class:`FileRef` when first asked: a file's part (``file_part``) persists
in the per-file facts store, and a sibling whose part was read back from it is parsed only if a rule asks
for one of its nodes.

Written types are source text (no type checking): ``sync.Mutex`` stays ``sync.Mutex`` whatever the
import name resolves to; ask ``FileContext.imports`` of the declaring file to resolve a qualifier.

Package-wide analyses built on the model (function summaries, the field-access index) live in their
own modules of this layer and cache themselves in ``PackageFiles.cache``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

from tree_sitter import Node

from goexplint.core.parse import FileContext, PackageFiles, captures, gc_paused, node_text
from goexplint.core.providers import KEPT, PACKAGE, provider


class FileRef:
    """The file a part's declarations come from: its display path and, once bound, its context (not
    pickled: a part read back from the facts store is bound to the context it is read for).  A
    declaration's node is found through it, by byte range and type, when first asked (which parses a
    sibling read from the store: ``FileContext.tree`` is lazy)."""

    __slots__ = ("path", "ctx", "_nodes")

    def __init__(self, path: str, ctx: Optional[FileContext] = None):
        self.path = path
        self.ctx = ctx
        self._nodes: Dict[Tuple[int, int, str], Node] = {}

    def __getstate__(self):
        return self.path

    def __setstate__(self, path: str) -> None:
        self.path = path
        self.ctx = None
        self._nodes = {}

    def __repr__(self) -> str:
        return "FileRef(%r)" % self.path

    def node(self, start: int, end: int, kind: str) -> Node:
        key = (start, end, kind)
        got = self._nodes.get(key)
        if got is None:
            if self.ctx is None:
                raise LookupError("%s: declarations not bound to a file" % self.path)
            n = self.ctx.root.descendant_for_byte_range(start, end)
            while n is not None and not (n.type == kind and n.start_byte == start and n.end_byte == end):
                n = n.parent
            if n is None:
                raise LookupError("%s: no %s at bytes %d-%d" % (self.path, kind, start, end))
            got = self._nodes[key] = n
        return got


# Declarations are plain data (names, written texts, byte ranges); ``node`` and ``file`` are found
# through their ``ref`` when asked.  Two declarations are equal when they are the same declaration of
# the same file (``ref`` compares by identity: one per file part).
@dataclasses.dataclass(frozen=True)
class FuncDecl:
    name: str
    ref: FileRef
    start: int
    end: int
    kind: str  # function_declaration | method_declaration
    receiver: Optional[str] = None  # the receiver's type name (methods), without * or type arguments
    pointer_receiver: bool = False
    receiver_name: Optional[str] = None  # the receiver variable ('' or None when unnamed)
    type_params: Tuple[str, ...] = ()
    result_base: Optional[str] = None  # ``base_type_name`` of the written result (T of ``*T``, ``pkg.T``)
    result_kind: str = ""  # the result node's type ('' without a result)
    result_text: str = ""
    param_decls: int = 0  # parameter_declaration children of the parameter list
    builds_result: bool = False  # it builds a value of its result_base type (``T{…}``, ``&T{…}``, ``new(T)``)
    body_span: Optional[Tuple[int, int]] = None  # the body's byte range (None: no body)

    @property
    def file(self) -> FileContext:
        return self.ref.ctx  # type: ignore[return-value]

    @property
    def node(self) -> Node:
        return self.ref.node(self.start, self.end, self.kind)

    @property
    def body(self) -> Optional[Node]:
        return self.node.child_by_field_name("body")


@dataclasses.dataclass(frozen=True)
class Field:
    name: str  # for embedded fields: the type's name (``Mutex`` for ``sync.Mutex``, ``B`` for ``*B``)
    type_text: str  # as written (``sync.Mutex``, ``*B``, ``map[string]int``)
    embedded: bool
    ref: FileRef
    start: int  # of the field_declaration
    end: int

    @property
    def node(self) -> Node:
        """The field_declaration."""
        return self.ref.node(self.start, self.end, "field_declaration")


@dataclasses.dataclass(frozen=True)
class TypeDecl:
    name: str
    ref: FileRef
    start: int
    end: int
    spec: str  # type_spec | type_alias
    kind: str  # "struct" | "interface" | "alias" | "other"
    type_text: str  # the written type (``uintptr`` for ``type X uintptr``; the aliased type)
    type_kind: str  # the written type's node type (struct_type, map_type, qualified_type...)
    fields: Tuple[Field, ...] = ()
    type_params: Tuple[str, ...] = ()

    @property
    def file(self) -> FileContext:
        return self.ref.ctx  # type: ignore[return-value]

    @property
    def node(self) -> Node:
        """The type_spec | type_alias."""
        return self.ref.node(self.start, self.end, self.spec)

    @property
    def type_node(self) -> Optional[Node]:
        """The written type's node (the struct_type, the map_type, the aliased type...)."""
        return self.node.child_by_field_name("type")

    def field(self, name: str) -> Optional[Field]:
        for f in self.fields:
            if f.name == name:
                return f
        return None


@dataclasses.dataclass(frozen=True)
class VarDecl:
    name: str
    ref: FileRef
    start: int
    end: int
    type_text: str  # '' when only a value is given
    const: bool = False

    @property
    def file(self) -> FileContext:
        return self.ref.ctx  # type: ignore[return-value]

    @property
    def node(self) -> Node:
        """The identifier."""
        return self.ref.node(self.start, self.end, "identifier")


def _type_params(node: Node) -> Tuple[str, ...]:
    params = node.child_by_field_name("type_parameters")
    if params is None:
        return ()
    out: List[str] = []
    for decl in params.named_children:
        if decl.type == "type_parameter_declaration":
            out.extend(node_text(n) for n in decl.children_by_field_name("name"))
    return tuple(out)


def _signature(node: Node) -> dict:
    """The plain facts of a function's signature that rules read without its node."""
    result = node.child_by_field_name("result")
    params = node.child_by_field_name("parameters")
    body = node.child_by_field_name("body")
    out: dict = {"param_decls": sum(1 for c in params.named_children if c.type == "parameter_declaration")
                 if params is not None else 0,
                 "body_span": (body.start_byte, body.end_byte) if body is not None else None}
    if result is not None:
        out["result_kind"] = result.type
        out["result_text"] = node_text(result)
        base = out["result_base"] = base_type_name(result)[0]
        if base is not None and body is not None and _may_build(node, result, base.encode()):
            out["builds_result"] = any(base_type_name(t)[0] == base for ts in captures(_CONSTRUCT, node).values()
                                       for t in ts)
    return out


def _may_build(node: Node, result: Node, name: bytes) -> bool:
    """The declaration's text names ``name`` outside its result type (or that type holds a literal): only
    then can it build a value of it, so only then is it queried for one."""
    text = node.text
    cut, upto = result.start_byte - node.start_byte, result.end_byte - node.start_byte
    return name in text[:cut] or name in text[upto:] or b"{" in text[cut:upto]


# what a function builds a value of: ``T{…}`` / ``&T{…}`` (the literal's type) and ``new(T)``
_CONSTRUCT = """
(composite_literal type: (_) @lit)
(call_expression function: (identifier) @_f arguments: (argument_list . (_) @new) (#eq? @_f "new"))
"""


def base_type_name(typ: Optional[Node]) -> Tuple[Optional[str], bool]:
    """(name, pointer) of a written type: ``*T`` -> (T, True), ``pkg.T`` -> (T, False),
    ``G[int]`` -> (G, False); None for anything else (maps, funcs, ...)."""
    pointer = False
    while typ is not None and typ.type in ("pointer_type", "parenthesized_type"):
        pointer = pointer or typ.type == "pointer_type"
        typ = next(iter(typ.named_children), None)
    if typ is None:
        return None, pointer
    if typ.type == "generic_type":
        typ = typ.child_by_field_name("type")
    if typ is not None and typ.type == "qualified_type":
        typ = typ.child_by_field_name("name")
    if typ is not None and typ.type == "type_identifier":
        return node_text(typ), pointer
    return None, pointer


def _struct_fields(struct: Node, ref: FileRef) -> Tuple[Field, ...]:
    out: List[Field] = []
    for lst in struct.named_children:
        if lst.type != "field_declaration_list":
            continue
        for fd in lst.named_children:
            if fd.type != "field_declaration":
                continue
            typ = fd.child_by_field_name("type")
            if typ is None:
                continue
            names = fd.children_by_field_name("name")
            text = node_text(typ)
            if names:
                out.extend(Field(node_text(n), text, False, ref, fd.start_byte, fd.end_byte) for n in names)
            else:
                base, pointer = base_type_name(typ)
                # ``*B`` embedded: tree-sitter-go puts the star beside the type, not in a pointer_type.
                pointer = pointer or any(c.type == "*" for c in fd.children)
                if base is not None:
                    out.append(Field(base, ("*" if pointer and not text.startswith("*") else "") + text, True, ref,
                                     fd.start_byte, fd.end_byte))
    return tuple(out)


class PackageModel:
    """Top-level declarations of one package (every file of it)."""

    def __init__(self, files: Optional[PackageFiles]):
        self.files = files
        self.ref: Optional[FileRef] = None  # a file's part: the file it declares
        self.funcs: Dict[str, FuncDecl] = {}
        self.methods: Dict[Tuple[str, str], FuncDecl] = {}  # (receiver type, method name)
        self.types: Dict[str, TypeDecl] = {}
        self.vars: Dict[str, VarDecl] = {}
        self._parts: List["PackageModel"] = []
        self._every: Optional[tuple] = None  # the all_* tables, built on first use
        if files is None:  # one file's part: _add_file fills it
            self._every = ({}, {}, {}, {})
            return
        # Merged from the files' parts in path order: a name's first declaration wins.  Two dict
        # updates per table, in C: the first pass orders the keys by first appearance, the second
        # (reversed) leaves each key with its first value (the language server rebuilds the model
        # of a package after every edit).
        self._parts = [file_part(ctx) for ctx in files.files]
        for mine, theirs in ((self.funcs, "funcs"), (self.methods, "methods"), (self.types, "types"),
                             (self.vars, "vars")):
            tables = [getattr(part, theirs) for part in self._parts]
            for t in tables:
                mine.update(t)
            for t in reversed(tables):
                mine.update(t)

    # Every declaration, build-tag variants included (funcs/methods/types/vars keep the first by path):
    @property
    def all_funcs(self) -> Dict[str, List[FuncDecl]]:
        return self._all()[0]

    @property
    def all_methods(self) -> Dict[Tuple[str, str], List[FuncDecl]]:
        return self._all()[1]

    @property
    def all_types(self) -> Dict[str, List[TypeDecl]]:
        return self._all()[2]

    @property
    def all_vars(self) -> Dict[str, List[VarDecl]]:
        return self._all()[3]

    def _all(self) -> tuple:
        if self._every is None:
            every: tuple = ({}, {}, {}, {})
            for part in self._parts:
                for mine, theirs in zip(every, part._all()):
                    for key, decls in theirs.items():
                        got = mine.get(key)
                        if got is None:
                            mine[key] = list(decls)
                        else:
                            got.extend(decls)
            self._every = every
        return self._every

    # ------------------------------------------------------------------ building
    def _add_file(self, ctx: FileContext) -> None:
        ref = self.ref = FileRef(ctx.path, ctx)
        for node in ctx.root.named_children:
            kind = node.type
            if kind == "function_declaration":
                name = node.child_by_field_name("name")
                if name is not None and node_text(name) not in ("init", "_"):
                    decl = FuncDecl(node_text(name), ref, node.start_byte, node.end_byte, kind,
                                    type_params=_type_params(node), **_signature(node))
                    self.funcs.setdefault(decl.name, decl)
                    self.all_funcs.setdefault(decl.name, []).append(decl)
            elif kind == "method_declaration":
                self._add_method(ctx, node, ref)
            elif kind == "type_declaration":
                for spec in node.named_children:
                    self._add_type(ctx, spec, ref)
            elif kind in ("var_declaration", "const_declaration"):
                self._add_vars(ctx, node, kind == "const_declaration", ref)

    def _add_method(self, ctx: FileContext, node: Node, ref: FileRef) -> None:
        name = node.child_by_field_name("name")
        recv = node.child_by_field_name("receiver")
        if name is None or recv is None:
            return
        param = next((p for p in recv.named_children if p.type == "parameter_declaration"), None)
        if param is None:
            return
        typ = param.child_by_field_name("type")
        base, pointer = base_type_name(typ)
        if base is None:
            return
        tparams: Tuple[str, ...] = ()
        inner = typ
        while inner is not None and inner.type in ("pointer_type", "parenthesized_type"):
            inner = next(iter(inner.named_children), None)
        if inner is not None and inner.type == "generic_type":
            args = inner.child_by_field_name("type_arguments")
            if args is not None:
                tparams = tuple(node_text(a) for a in args.named_children)
        rname = param.child_by_field_name("name")
        decl = FuncDecl(node_text(name), ref, node.start_byte, node.end_byte, node.type, base, pointer,
                        node_text(rname) if rname is not None else None, tparams, **_signature(node))
        self.methods.setdefault((base, decl.name), decl)
        self.all_methods.setdefault((base, decl.name), []).append(decl)

    def _add_type(self, ctx: FileContext, spec: Node, ref: FileRef) -> None:
        name = spec.child_by_field_name("name")
        typ = spec.child_by_field_name("type")
        if name is None or typ is None:
            return
        if spec.type == "type_alias":
            kind = "alias"
        elif typ.type == "struct_type":
            kind = "struct"
        elif typ.type == "interface_type":
            kind = "interface"
        elif spec.type == "type_spec":
            kind = "other"
        else:
            return
        fields = _struct_fields(typ, ref) if kind == "struct" else ()
        decl = TypeDecl(node_text(name), ref, spec.start_byte, spec.end_byte, spec.type, kind, node_text(typ),
                        typ.type, fields, _type_params(spec))
        self.types.setdefault(decl.name, decl)
        self.all_types.setdefault(decl.name, []).append(decl)

    def _add_vars(self, ctx: FileContext, node: Node, const: bool, ref: FileRef) -> None:
        specs: List[Node] = []
        for child in node.named_children:
            if child.type in ("var_spec", "const_spec"):
                specs.append(child)
            elif child.type in ("var_spec_list", "const_spec_list"):
                specs.extend(c for c in child.named_children if c.type in ("var_spec", "const_spec"))
        for spec in specs:
            typ = spec.child_by_field_name("type")
            text = node_text(typ) if typ is not None else ""
            for n in spec.children_by_field_name("name"):
                if n.type == "identifier" and node_text(n) != "_":
                    decl = VarDecl(node_text(n), ref, n.start_byte, n.end_byte, text, const)
                    self.vars.setdefault(decl.name, decl)
                    self.all_vars.setdefault(decl.name, []).append(decl)

    def bind(self, ctx: FileContext) -> None:
        """Make a file's part (read back from the facts store) refer to ``ctx``."""
        self.ref.ctx = ctx
        self.ref._nodes.clear()

    def forget_nodes(self) -> None:
        """A file's part: forget the nodes found through it (its file's tree is being freed)."""
        if self.ref is not None:
            self.ref._nodes.clear()

    @functools.cached_property
    def digest(self) -> str:
        """A digest of what a file's part declares, without byte ranges (a file's part of the package's
        ``fingerprint``: an edit that moves declarations without changing them keeps it)."""
        if self.files is not None:
            h = hashlib.sha256()
            for part in self._parts:
                h.update(("%s\0%s\0" % (part.ref.path, part.digest)).encode("utf-8", "surrogateescape"))
            return h.hexdigest()
        rows: List[tuple] = []
        for decls in self._all()[0].values():
            rows.extend(("f", d.name, d.type_params, d.result_base, d.result_kind, d.result_text, d.param_decls,
                         d.builds_result, d.body_span is None) for d in decls)
        for decls in self._all()[1].values():
            rows.extend(("m", d.name, d.receiver, d.pointer_receiver, d.receiver_name, d.type_params, d.result_base,
                         d.result_kind, d.result_text, d.param_decls, d.builds_result, d.body_span is None)
                        for d in decls)
        for decls in self._all()[2].values():
            rows.extend(("t", d.name, d.spec, d.kind, d.type_text, d.type_kind, d.type_params,
                         tuple((f.name, f.type_text, f.embedded) for f in d.fields)) for d in decls)
        for decls in self._all()[3].values():
            rows.extend(("v", d.name, d.type_text, d.const) for d in decls)
        return hashlib.sha256(repr(rows).encode("utf-8", "surrogateescape")).hexdigest()

    @property
    def fingerprint(self) -> str:
        """The package's declarations (every file's ``digest``, by path): what a package-dependent fact of
        one file (its field summary) is valid for."""
        return self.digest

    # ------------------------------------------------------------------ queries
    def method(self, receiver: str, name: str) -> Optional[FuncDecl]:
        return self.methods.get((receiver, name))

    def methods_of(self, receiver: str) -> List[FuncDecl]:
        return [d for (r, _), d in sorted(self.methods.items(), key=lambda kv: kv[0]) if r == receiver]

    def struct(self, name: str) -> Optional[TypeDecl]:
        t = self.types.get(name)
        return t if t is not None and t.kind == "struct" else None

    def named_type(self, name: str, at: Optional[Node] = None) -> Optional[TypeDecl]:
        """The package-level type ``name`` as seen at ``at``: None when a type parameter or a local
        type declaration of that name is in scope there (``func F[Main any](m Main)`` never means a
        package struct ``Main``)."""
        t = self.types.get(name)
        if t is None or (at is not None and name in local_type_names(at)):
            return None
        return t

    def is_map_type(self, name: bytes, at: Node) -> bool:
        """Whether the type named ``name`` at ``at`` is a map type: a local ``type X map[...]`` of an
        enclosing block, else (unless a type parameter hides it) a package-level one."""
        text = name.decode("utf-8", "replace")
        local = _local_type_spec(at, text)
        if local is not None:
            typ = local.child_by_field_name("type")
            return typ is not None and typ.type == "map_type"
        if text in type_params_in_scope(at):
            return False
        return name in self.map_type_names

    # Name sets as bytes, for rules that compare ``node.text``.
    @functools.cached_property
    def var_names(self) -> FrozenSet[bytes]:
        """Package-level variables (not consts) of every file."""
        return frozenset(n.encode() for n, v in self.vars.items() if not v.const)

    @functools.cached_property
    def map_type_names(self) -> FrozenSet[bytes]:
        """Types declared as (or aliasing) a map type: ``type Counts map[string]int``."""
        return frozenset(n.encode() for n, t in self.types.items() if t.type_kind == "map_type")

    @functools.cached_property
    def interface_names(self) -> FrozenSet[bytes]:
        return frozenset(n.encode() for n, t in self.types.items() if t.kind == "interface")

    @functools.cached_property
    def error_types(self) -> FrozenSet[bytes]:
        """Receiver types with an ``Error() string`` method (value or pointer receiver)."""
        out: Set[bytes] = set()
        for (recv, name), d in self.methods.items():
            if name == "Error" and d.param_decls == 0 and d.result_kind == "type_identifier" \
                    and d.result_text == "string":
                out.add(recv.encode())
        return frozenset(out)


def _block_statements(block: Node) -> List[Node]:
    return [c for top in block.named_children
            for c in (top.named_children if top.type == "statement_list" else (top,))]


def _local_type_spec(node: Node, name: str) -> Optional[Node]:
    """The type_spec/type_alias of a local type ``name`` declared in a block enclosing ``node``."""
    n = node.parent
    while n is not None:
        if n.type == "block":
            for stmt in _block_statements(n):
                if stmt.type == "type_declaration":
                    for spec in stmt.named_children:
                        sname = spec.child_by_field_name("name")
                        if sname is not None and sname.text == name.encode():
                            return spec
        n = n.parent
    return None


def type_params_in_scope(node: Node) -> FrozenSet[str]:
    """Type parameters visible at ``node``: those of the enclosing function, of the method receiver
    (``func (g *G[T])``) or of the enclosing generic type declaration."""
    return _local_types(node, False)


def local_type_names(node: Node) -> FrozenSet[str]:
    """Type names declared between ``node`` and package level: the type parameters in scope and the
    local ``type`` declarations of enclosing blocks.  Any of them hides a package-level type of the
    same name."""
    return _local_types(node, True)


def _local_types(node: Node, blocks: bool) -> FrozenSet[str]:
    out: Set[str] = set()
    n = node.parent
    while n is not None:
        kind = n.type
        if kind in ("function_declaration", "type_spec", "type_alias"):
            out.update(_type_params(n))
        elif kind == "method_declaration":
            recv = n.child_by_field_name("receiver")
            for p in recv.named_children if recv is not None else ():
                if p.type != "parameter_declaration":
                    continue
                inner = p.child_by_field_name("type")
                while inner is not None and inner.type in ("pointer_type", "parenthesized_type"):
                    inner = next(iter(inner.named_children), None)
                args = inner.child_by_field_name("type_arguments") if inner is not None \
                    and inner.type == "generic_type" else None
                if args is not None:
                    out.update(node_text(a) for a in args.named_children)
        elif kind == "block" and blocks:
            for stmt in _block_statements(n):
                if stmt.type == "type_declaration":
                    for spec in stmt.named_children:
                        name = spec.child_by_field_name("name")
                        if name is not None:
                            out.add(node_text(name))
        n = n.parent
    return frozenset(out)


def _bind(ctx: FileContext, part: PackageModel) -> None:
    part.bind(ctx)


@provider(scope=KEPT, persistent=True, restore=_bind)
def file_part(ctx: FileContext) -> PackageModel:
    """The declarations of one file, kept with the file: a package rebuilt after an edit of one file
    (the language server) re-reads only that file's declarations.  Plain data (names, texts, byte
    ranges; nodes are found when asked), so it persists in the per-file facts store: a package whose
    siblings' parts come from the store needs none of them parsed to build its model."""
    part = PackageModel(None)
    part._add_file(ctx)
    part.digest  # noqa: B018 -- worked out now, so it is stored with the part
    return part


@provider(scope=PACKAGE, requires=(file_part,))
def model(ctx: FileContext) -> PackageModel:
    """The model of ``ctx``'s package, built once per package."""
    files = ctx.package
    with gc_paused():  # the files' parts, many read back from the facts store
        return PackageModel(files)


def fingerprint(ctx: FileContext) -> str:
    """The fingerprint of ``ctx``'s package model (``PackageModel.fingerprint``): what a package-dependent
    per-file fact is valid for (``depends_on`` of a kept provider)."""
    return model(ctx).fingerprint
