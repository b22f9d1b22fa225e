"""Shared machinery over tree-sitter-go trees, used by every rule family.

* import aliases: :func:`import_table`, :func:`package_selector`.
* scopes without types: :func:`resolve` finds the declaration an identifier
  refers to (params, receivers, named results, ``:=``, ``var``/``const``, range
  and for-clause variables, if/switch initializers, type-switch aliases,
  ``case v := <-ch``), honouring Go's rule that a local's scope starts after its
  declaration.  :func:`is_reference` tells variable uses from declarations,
  struct-literal keys and field names.
* loop variables: :func:`loop_vars`.

Nothing here knows about a particular rule.
"""

from __future__ import annotations

import re

import dataclasses
from typing import Dict, Iterator, List, Optional, Tuple

import tree_sitter
from tree_sitter import Node

from goexplint.analysis.package import model
from goexplint.core.filequeries import file_captures, file_query
from goexplint.core.providers import KEPT, PACKAGE, provider
from goexplint.core.parse import FileContext, active, captures, compile_query, node_text

FUNC_TYPES = ("func_literal", "function_declaration", "method_declaration")
_FUNC_SET = frozenset(FUNC_TYPES)
IDENT_QUERY = "(identifier) @id"


def package_selector(ctx: FileContext, operand: Node, import_path: str) -> bool:
    """True when ``operand`` (the X of ``X.F``) names package ``import_path`` and is not shadowed."""
    if operand is None or operand.type != "identifier":
        return False
    name = node_text(operand)
    if ctx.imports.get(name) != import_path:
        return False
    return resolve(operand) is None


def unparen(node: Optional[Node]) -> Optional[Node]:
    """``x`` of ``((x))``."""
    while node is not None and node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    return node


def outside_parens(node: Node) -> Tuple[Node, Optional[Node]]:
    """(the outermost ``( … )`` around ``node``, or ``node`` itself when there is none; its parent):
    where the value of ``node`` goes, whatever parentheses are written around it."""
    p = node.parent
    while p is not None and p.type == "parenthesized_expression":
        node, p = p, p.parent
    return node, p


@provider(scope=KEPT)
def file_has(ctx: FileContext, needle: bytes) -> bool:
    """The file's bytes contain ``needle`` (a test that needs no tree; kept with the file, so the language
    server's re-lint after an edit does not search every unchanged sibling again)."""
    return needle in ctx.source


@provider(scope=PACKAGE, requires=(file_has,))
def files_having(ctx: FileContext, needle: bytes) -> int:
    """How many files of the package contain ``needle`` (``file_has``): package byte tests, made once."""
    return sum(1 for f in ctx.package.files if file_has(f, needle))


_TOP_LEVEL_NAMES = file_query("(source_file (function_declaration name: (identifier) @f))"
                              "(type_spec name: (type_identifier) @t)")


@provider()
def top_level_names(ctx: FileContext) -> "set[bytes]":
    """Names of functions and types declared at file level (they hide dot-imported names)."""
    caps = file_captures(ctx, _TOP_LEVEL_NAMES)
    return {n.text for ns in caps.values() for n in ns}


def is_package_type(ctx: FileContext, typ: Optional[Node], path: str, name: str) -> bool:
    """For types: ``typ`` is ``pkg.Name`` of package ``path`` under any import name (a qualified
    type), or a bare ``Name`` through a dot import that no file-level declaration hides."""
    if typ is None:
        return False
    if typ.type == "qualified_type":
        pkg = typ.child_by_field_name("package")
        tname = typ.child_by_field_name("name")
        return tname is not None and node_text(tname) == name and pkg is not None \
            and ctx.imports.get(node_text(pkg)) == path
    if typ.type == "type_identifier" and ("." + path) in ctx.imports:
        return node_text(typ) == name and typ.text not in top_level_names(ctx)
    return False


def identifiers(node: Node) -> List[Node]:
    """All ``identifier`` nodes under ``node`` in document order."""
    found = captures(IDENT_QUERY, node).get("id", [])
    found.sort(key=lambda n: n.start_byte)
    return found


def is_ancestor(anc: Node, node: Node) -> bool:
    """``node`` lies within ``anc`` (same tree: byte-range containment is enough for non-empty nodes)."""
    return anc.start_byte <= node.start_byte and node.end_byte <= anc.end_byte


# --------------------------------------------------------------------------- scopes


@dataclasses.dataclass(frozen=True)
class Decl:
    """Where a name is declared: the declaring identifier and what kind of declaration it is."""

    ident: Node
    kind: str  # "var" | "param" | "range" | "for" | "const" | "type-switch" | "recv"

    def value(self) -> Optional[Node]:
        """The initializer bound to this name: ``x`` in ``a, x := f(), <x>`` or ``var a, x = f(), <x>``."""
        parent = self.ident.parent
        if parent is None:
            return None
        if parent.type == "expression_list" and parent.parent is not None \
                and parent.parent.type == "short_var_declaration":
            names = parent.named_children
            right = parent.parent.child_by_field_name("right")
        elif parent.type in ("var_spec", "const_spec"):
            names = list(_spec_names(parent))
            right = parent.child_by_field_name("value")
        else:
            return None
        values = right.named_children if right is not None else []
        idx = names.index(self.ident) if self.ident in names else -1
        return values[idx] if 0 <= idx < len(values) and len(values) == len(names) else None

    def written_type(self) -> Optional[Node]:
        """The type written for this name: a parameter's or ``var``'s type, or the type of a composite
        literal it is initialised with (``xs := []T{...}``)."""
        parent = self.ident.parent
        if parent is not None and parent.type in ("parameter_declaration", "var_spec"):
            typ = parent.child_by_field_name("type")
            if typ is not None:
                return typ
        value = self.value()
        if value is not None and value.type == "composite_literal":
            return value.child_by_field_name("type")
        return None


def _expr_list_idents(node: Optional[Node]) -> Iterator[Node]:
    if node is None:
        return
    for c in node.named_children:
        if c.type == "identifier":
            yield c


def _spec_names(spec: Node) -> Iterator[Node]:
    for i in range(spec.child_count):
        if spec.field_name_for_child(i) == "name":
            c = spec.children[i]
            if c.type == "identifier":
                yield c


def _stmt_decls(stmt: Node) -> Iterator[Tuple[Node, str]]:
    """Names a statement declares into its enclosing statement list."""
    t = stmt.type
    if t == "short_var_declaration":
        for ident in _expr_list_idents(stmt.child_by_field_name("left")):
            yield ident, "var"
    elif t in ("var_declaration", "const_declaration"):
        kind = "var" if t == "var_declaration" else "const"
        for spec in stmt.named_children:
            specs = spec.named_children if spec.type in ("var_spec_list", "const_spec_list") else [spec]
            for s in specs:
                if s.type in ("var_spec", "const_spec"):
                    for ident in _spec_names(s):
                        yield ident, kind
    elif t == "labeled_statement":
        for c in stmt.named_children:
            if c.type != "label_name":
                yield from _stmt_decls(c)


def _params(plist: Optional[Node]) -> Iterator[Node]:
    if plist is None:
        return
    for p in plist.named_children:
        if p.type in ("parameter_declaration", "variadic_parameter_declaration"):
            for i in range(p.child_count):
                if p.field_name_for_child(i) == "name" and p.children[i].type == "identifier":
                    yield p.children[i]


def scope_decls(parent: Node, child: Node, ident_start: int) -> Iterator[Tuple[Node, str]]:
    """Names that ``parent`` puts in scope for its descendant ``child`` (declared before ``ident_start``)."""
    t = parent.type
    if t in ("statement_list", "block", "source_file"):
        for stmt in parent.named_children:
            if stmt.start_byte >= child.start_byte:
                break
            if stmt.end_byte <= ident_start:
                yield from _stmt_decls(stmt)
    elif t in ("expression_case", "default_case", "type_case"):
        pass
    elif t == "communication_case":
        comm = parent.child_by_field_name("communication")
        if comm is not None and comm != child and comm.type == "receive_statement":
            if any(c.type == ":=" for c in comm.children):
                for ident in _expr_list_idents(comm.child_by_field_name("left")):
                    yield ident, "recv"
    elif t in FUNC_TYPES:
        if child.type == "block":
            for field in ("receiver", "parameters", "result"):
                for ident in _params(parent.child_by_field_name(field)):
                    yield ident, "param"
    elif t == "for_statement":
        body = parent.child_by_field_name("body")
        if child == body:
            for c in parent.named_children:
                if c.type == "range_clause" and any(x.type == ":=" for x in c.children):
                    for ident in _expr_list_idents(c.child_by_field_name("left")):
                        yield ident, "range"
                elif c.type == "for_clause":
                    init = c.child_by_field_name("initializer")
                    if init is not None and init.type == "short_var_declaration":
                        for ident in _expr_list_idents(init.child_by_field_name("left")):
                            yield ident, "for"
    elif t == "for_clause":
        init = parent.child_by_field_name("initializer")
        if init is not None and init != child and init.type == "short_var_declaration":
            for ident in _expr_list_idents(init.child_by_field_name("left")):
                yield ident, "for"
    elif t in ("if_statement", "expression_switch_statement", "type_switch_statement"):
        init = parent.child_by_field_name("initializer")
        if init is not None and init != child and init.type == "short_var_declaration":
            for ident in _expr_list_idents(init.child_by_field_name("left")):
                yield ident, "var"
        if t == "type_switch_statement" and child.type == "type_case":
            for ident in _expr_list_idents(parent.child_by_field_name("alias")):
                yield ident, "type-switch"


def resolve(ident: Node, stop: Optional[Node] = None) -> Optional[Decl]:
    """The local declaration ``ident`` refers to, or None (package level, builtin or unknown).

    The walk goes up from ``ident``; when ``stop`` is given it ends there (exclusive):
    the result then says whether something *between* ``ident`` and ``stop`` declares the name.
    Package-level declarations are not returned (None means "not a local").

    While a file is being linted (``parse.active``) the walk visits only the ancestors that
    declare names at all and looks a name up in a per-block index built once, so resolving
    every identifier of a file costs about linear time; otherwise it scans (same answers).
    """
    ctx = active()
    if ctx is not None:
        return _resolve_indexed(ctx, ident, stop)
    name = ident.text
    start = ident.start_byte
    child = ident
    parent = ident.parent
    while parent is not None and parent != stop and parent.type != "source_file":
        for decl_ident, kind in scope_decls(parent, child, start):
            if decl_ident.text == name:
                return Decl(decl_ident, kind)
        child = parent
        parent = parent.parent
    return None


# every identifier a function body may declare (a superset: ``=`` range clauses included)
_BODY_DECLS = """
(short_var_declaration left: (expression_list (identifier) @d))
(range_clause left: (expression_list (identifier) @d))
(receive_statement left: (expression_list (identifier) @d))
(type_switch_statement alias: (expression_list (identifier) @d))
(var_spec name: (identifier) @d)
(const_spec name: (identifier) @d)
(parameter_declaration name: (identifier) @d)
(variadic_parameter_declaration name: (identifier) @d)
"""


def resolve_in_function(fn: Node, ident: Node) -> Optional[Decl]:
    """``resolve(ident)`` for an identifier whose innermost function is ``fn``, without the upward walk
    when the name is a parameter (receiver, named result) of ``fn`` that nothing in its body declares
    again: then the parameter is what it refers to.  For walks that visit a function's identifiers
    with the function at hand (most of them are receivers and parameters)."""
    ctx = active()
    if ctx is None:
        return resolve(ident)
    params = scopes(ctx).function_params(fn)
    name = ident.text
    if name in params and name not in scopes(ctx).body_declared_names(fn):
        return params[name]
    return resolve(ident)


_LIST_TYPES = frozenset(("statement_list", "block"))


# How ``resolve_within`` classifies a declaring identifier of a top-level declaration:
_IN_BLOCK, _PARAM, _OTHER = 0, 1, 2


def _declaring_statement(node: Node) -> Optional[Node]:
    """The statement of a statement list that declares through ``node`` (a short variable declaration or
    a var/const declaration, possibly labeled): what ``_block_index`` records; None when ``node`` is not
    a statement of a list (an ``if``/``for``/``switch`` initializer, a package-level declaration...)."""
    parent = node.parent
    while parent is not None and parent.type == "labeled_statement":
        node, parent = parent, parent.parent
    return node if parent is not None and parent.type in _LIST_TYPES else None


def _classify(d: Node, top: Node) -> Optional[Tuple[Node, str, int, Node, int, int]]:
    """(declaring ident, kind, how, scope node, start, end) for one capture of ``_BODY_DECLS``, or None
    when ``resolve`` can never return it.

    * ``_IN_BLOCK``: a name of a statement of list ``scope``; in scope for identifiers inside ``scope``
      that start at or after ``end`` (the end of the statement).
    * ``_PARAM``: a parameter (receiver, result) of function ``scope``; in scope inside the body
      (``start``, ``end``).
    * ``_OTHER``: anything else (for/if/switch initializers, range clauses, type-switch aliases, select
      receives, and whatever is not understood); ``resolve`` can return it only for an identifier inside
      node ``scope``, where the caller then falls back to ``resolve``."""
    parent = d.parent
    t = parent.type
    if t in ("parameter_declaration", "variadic_parameter_declaration"):
        plist = parent.parent
        fn = plist.parent if plist is not None else None
        if fn is None or fn.type not in _FUNC_SET:
            return None  # a parameter of a function type: never a declaration in scope
        if not any(fn.child_by_field_name(f) == plist for f in ("receiver", "parameters", "result")):
            return None
        body = fn.child_by_field_name("body")
        if body is None:
            return None
        return d, "param", _PARAM, fn, body.start_byte, body.end_byte
    if t in ("var_spec", "const_spec"):
        decl = parent.parent
        if decl is not None and decl.type in ("var_spec_list", "const_spec_list"):
            decl = decl.parent
        stmt = _declaring_statement(decl) if decl is not None else None
        if stmt is not None and decl.type in ("var_declaration", "const_declaration"):
            kind = "var" if decl.type == "var_declaration" else "const"
            return d, kind, _IN_BLOCK, stmt.parent, stmt.start_byte, stmt.end_byte
        return d, "", _OTHER, top, 0, 0
    if t == "expression_list":
        owner = parent.parent
        if owner is not None and owner.type == "short_var_declaration":
            stmt = _declaring_statement(owner)
            if stmt is not None:
                return d, "var", _IN_BLOCK, stmt.parent, stmt.start_byte, stmt.end_byte
            region = owner.parent
            if region is not None and region.type == "for_clause":
                region = region.parent
            if region is not None and region.type in ("for_statement", "if_statement",
                                                      "expression_switch_statement", "type_switch_statement"):
                return d, "", _OTHER, region, 0, 0
            return d, "", _OTHER, top, 0, 0
        if owner is not None and owner.type in ("range_clause", "receive_statement"):
            region = owner.parent  # the for statement, the communication case
            if region is None or region.type not in ("for_statement", "communication_case"):
                region = top
            return d, "", _OTHER, region, 0, 0
        if owner is not None and owner.type == "type_switch_statement":
            return d, "", _OTHER, owner, 0, 0
    return d, "", _OTHER, top, 0, 0


def resolve_within(top: Node, ident: Node) -> Optional[Decl]:
    """``resolve(ident)`` (the same answer) for an identifier inside ``top``, a top-level declaration of
    the file, mostly without walking up the tree: from every declaration inside ``top`` (listed once per
    ``top``), a name declared nowhere there is not a local, and a name declared only by plain statements
    of blocks and by parameters resolves to the innermost one whose scope holds ``ident``.  A name also
    declared by an initializer, a range clause, a select receive or a type switch whose statement holds
    ``ident`` goes through ``resolve``."""
    ctx = active()
    start = ident.start_byte
    end = ident.end_byte
    if ctx is None or not (top.start_byte <= start and end <= top.end_byte) or start == end \
            or ctx.parent(top) is None or ctx.parent(top).type != "source_file":
        return resolve(ident)
    cands = scopes(ctx).top_declarations(top)[0].get(ident.text)
    if cands is None:
        return None
    best = None
    for cand in cands:
        d, kind, how, scope, lo, hi = cand
        if how == _IN_BLOCK:
            if not (scope.start_byte <= start and end <= scope.end_byte and hi <= start):
                continue
        elif how == _PARAM:
            if not (lo <= start and end <= hi):
                continue
        else:
            if scope.start_byte <= start and end <= scope.end_byte:
                return resolve(ident)
            continue
        if best is None:
            best = cand
            continue
        b_scope = best[3]
        if scope.start_byte == b_scope.start_byte and scope.end_byte == b_scope.end_byte:
            if scope != b_scope or how != _IN_BLOCK:
                return resolve(ident)  # parameters named alike, nodes of one span: let the walk decide
            if lo < best[4]:
                best = cand  # the first declaration of the block (``_block_index``)
        elif b_scope.start_byte <= scope.start_byte and scope.end_byte <= b_scope.end_byte:
            best = cand  # nearer to ``ident``: the walk meets it first
    return Decl(best[0], best[1]) if best is not None else None


def resolve_in_function_within(top: Node, fn: Node, ident: Node) -> Optional[Decl]:
    """``resolve_in_function(fn, ident)`` (the same answers) for a function ``fn`` inside ``top`` (a
    top-level declaration of the file), with "does the body of ``fn`` declare the name again" taken from
    ``top``'s list of declarations instead of a query over every function body, and other names resolved
    with ``resolve_within``."""
    ctx = active()
    if ctx is None or not (top.start_byte <= fn.start_byte and fn.end_byte <= top.end_byte):
        return resolve_in_function(fn, ident)
    name = ident.text
    param = scopes(ctx).function_params(fn).get(name)
    if param is not None:
        body = fn.child_by_field_name("body")
        if body is None:
            return param
        lo, hi = body.start_byte, body.end_byte
        if not any(lo <= at < hi for at in scopes(ctx).top_declarations(top)[1].get(name, ())):
            return param
    return resolve_within(top, ident)


def _short_var_init(node: Node) -> bool:
    init = node.child_by_field_name("initializer")
    return init is not None and init.type == "short_var_declaration"


def _can_declare(node: Node) -> bool:
    """Whether ``scope_decls(node, child, ...)`` yields anything for some child (not for lists)."""
    t = node.type
    if t in FUNC_TYPES:
        return True
    if t in ("if_statement", "expression_switch_statement", "for_clause"):
        return _short_var_init(node)
    if t == "type_switch_statement":
        return _short_var_init(node) or node.child_by_field_name("alias") is not None
    if t == "for_statement":
        for c in node.named_children:
            if c.type == "range_clause" and any(x.type == ":=" for x in c.children):
                return True
            if c.type == "for_clause" and _short_var_init(c):
                return True
        return False
    if t == "communication_case":
        comm = node.child_by_field_name("communication")
        return comm is not None and comm.type == "receive_statement" and any(c.type == ":=" for c in comm.children)
    return False


def _declaring_above(ctx: FileContext, node: Node) -> Optional[Tuple[Node, Node]]:
    """(nearest strict ancestor that declares names, its child on the way from ``node``), stopping
    at ``source_file`` (None).  Memoised along the path, so every lookup is amortised O(1)."""
    declares = scopes(ctx).declares_names
    found = ctx.search_above(node, "syntax.declaring_above", lambda p: p.type == "source_file" or declares(p))
    return found if found is not None and found[0].type != "source_file" else None


def _below(ctx: FileContext, node: Node, stop: Node) -> bool:
    """``node`` (an ancestor of the identifier being resolved) is a strict descendant of ``stop``."""
    if node == stop:
        return False
    same = (node.start_byte, node.end_byte) == (stop.start_byte, stop.end_byte)
    if not same:
        return stop.start_byte <= node.start_byte and node.end_byte <= stop.end_byte
    n = ctx.parent(node)  # same byte range: look up through the nodes spanning it
    while n is not None and (n.start_byte, n.end_byte) == (stop.start_byte, stop.end_byte):
        if n == stop:
            return True
        n = ctx.parent(n)
    return False


def _resolve_indexed(ctx: FileContext, ident: Node, stop: Optional[Node]) -> Optional[Decl]:
    name = ident.text
    start = ident.start_byte
    # a ``stop`` that is not above ``ident`` is never met by the walk (which then goes on to the top)
    stop_above = stop is not None and stop != ident and stop.start_byte <= start and ident.end_byte <= stop.end_byte
    step = _declaring_above(ctx, ident)
    block_index = scopes(ctx).block_index
    while step is not None:
        parent, child = step
        if stop_above and not _below(ctx, parent, stop):
            return None
        if parent.type in _LIST_TYPES:
            hit = block_index(parent).get(name)
            if hit is not None and hit[0] < child.start_byte and hit[1] <= start:
                return Decl(hit[2], hit[3])
        else:
            for decl_ident, kind in scope_decls(parent, child, start):
                if decl_ident.text == name:
                    return Decl(decl_ident, kind)
        step = _declaring_above(ctx, parent)
    return None


def enclosing_function(node: Node) -> Optional[Node]:
    """The innermost function (declaration, method or literal) strictly enclosing ``node``."""
    ctx = active()
    if ctx is not None:
        return ctx.nearest_above(node, _FUNC_SET)
    n = node.parent
    while n is not None and n.type not in FUNC_TYPES:
        n = n.parent
    return n


def is_declaration_site(ident: Node) -> bool:
    """True when the identifier *declares* a name (LHS of ``:=``, a param, a var spec name...)."""
    p = ident.parent
    if p is None:
        return False
    t = p.type
    if t == "expression_list":
        gp = p.parent
        if gp is not None and gp.type in ("short_var_declaration", "range_clause", "receive_statement",
                                          "type_switch_statement"):
            if gp.child_by_field_name("left") == p or gp.child_by_field_name("alias") == p:
                return gp.type == "short_var_declaration" or any(c.type == ":=" for c in gp.children)
        return False
    if t in ("parameter_declaration", "variadic_parameter_declaration", "var_spec", "const_spec"):
        for i in range(p.child_count):
            if p.children[i] == ident:
                return p.field_name_for_child(i) == "name"
    return False


def is_reference(ident: Node, ctx: Optional[FileContext] = None) -> bool:
    """True when the identifier is a use of a variable (not a declaration, not a struct key, not ``_``).

    With ``ctx``, keys of literals of named map types declared anywhere in the package count as uses.
    """
    if ident.text == b"_" or is_declaration_site(ident):
        return False
    p = ident.parent
    if p is not None and p.type == "literal_element":
        kv = p.parent
        if kv is not None and kv.type == "keyed_element" and kv.child_by_field_name("key") == p:
            lit = kv.parent  # literal_value
            comp = lit.parent if lit is not None else None
            typ = comp.child_by_field_name("type") if comp is not None and comp.type == "composite_literal" else None
            # A key is an expression only in map literals.  Without a type (nested literal with an
            # elided type) we cannot know; struct literals are far more common.
            if typ is None:
                return False
            if typ.type == "map_type":
                return True
            return typ.type == "type_identifier" and ctx is not None and model(ctx).is_map_type(typ.text, typ)
    return True


# --------------------------------------------------------------------------- loop variables


@dataclasses.dataclass(frozen=True)
class LoopVars:
    """The iteration variables of one ``for`` statement.

    ``declared`` are per-loop (``:=``) variables, fresh per iteration only in Go >= 1.22 files;
    ``outer`` are variables declared outside and assigned by the loop (``for v = range``, the
    update clause of ``for p = head; p != nil; p = p.next``): shared in every Go version.
    """

    loop: Node
    declared: Dict[bytes, Node]
    outer: Dict[bytes, Node]

    @property
    def names(self):
        return set(self.declared) | set(self.outer)


@provider()
def loop_vars(ctx: FileContext, loop: Node) -> LoopVars:
    """The variables a ``for`` statement declares (per iteration from Go 1.22) and the outer ones it assigns."""
    declared: Dict[bytes, Node] = {}
    outer: Dict[bytes, Node] = {}
    for c in loop.named_children:
        if c.type == "range_clause":
            left = c.child_by_field_name("left")
            target = declared if any(x.type == ":=" for x in c.children) else outer
            for ident in _expr_list_idents(left):
                if ident.text != b"_":
                    target[ident.text] = ident
        elif c.type == "for_clause":
            init = c.child_by_field_name("initializer")
            if init is not None and init.type == "short_var_declaration":
                for ident in _expr_list_idents(init.child_by_field_name("left")):
                    if ident.text != b"_":
                        declared[ident.text] = ident
            update = c.child_by_field_name("update")
            for ident in _assigned_idents(update):
                if ident.text not in declared and ident.text != b"_":
                    outer[ident.text] = ident
    return LoopVars(loop, declared, outer)


def _assigned_idents(stmt: Optional[Node]) -> Iterator[Node]:
    if stmt is None:
        return
    if stmt.type in ("inc_statement", "dec_statement"):
        target = stmt.named_children[0] if stmt.named_children else None
        if target is not None and target.type == "identifier":
            yield target
    elif stmt.type == "assignment_statement":
        yield from _expr_list_idents(stmt.child_by_field_name("left"))


def inside_within(node: Node, fn: Node, node_type: str) -> bool:
    """``node`` lies inside a node of type ``node_type`` that is itself inside ``fn``."""
    n = node.parent
    while n is not None and n != fn:
        if n.type == node_type:
            return True
        n = n.parent
    return False


def in_loop_within(node: Node, fn: Node) -> bool:
    """``node`` lies inside a ``for`` statement that is itself inside ``fn`` (header or body)."""
    return inside_within(node, fn, "for_statement")


def parameters(plist: Optional[Node]) -> List[Tuple[Optional[Node], bool]]:
    """One entry per parameter of a parameter list, in order: its name (None when unnamed) and whether
    it is variadic (``xs ...T``)."""
    out: List[Tuple[Optional[Node], bool]] = []
    for p in plist.named_children if plist is not None else ():
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        variadic = p.type == "variadic_parameter_declaration"
        names = [p.children[i] for i in range(p.child_count)
                 if p.field_name_for_child(i) == "name" and p.children[i].type == "identifier"]
        out.extend((n, variadic) for n in names) if names else out.append((None, variadic))
    return out


def enclosing_loops(node: Node) -> Iterator[Node]:
    """``for`` statements whose *body* contains ``node``, innermost first, within the same function."""
    child = node
    parent = node.parent
    while parent is not None and parent.type not in FUNC_TYPES:
        if parent.type == "for_statement" and parent.child_by_field_name("body") == child:
            yield parent
        child = parent
        parent = parent.parent


_LOOPS = file_query("(for_statement) @loop")


def file_loop_var_names(ctx: FileContext, outer: bool = False) -> set:
    """Every loop variable name in the file (a cheap pre-filter for candidate nodes); with ``outer``
    only those of loops that assign variables declared before the loop (``for v = range``)."""
    got = loop_var_names(ctx)
    return got[1] if outer else got[0]


@provider(requires=(loop_vars,))
def loop_var_names(ctx: FileContext) -> Tuple[set, set]:
    """(every loop variable name of the file, those of loops that assign outer variables)."""
    names, outers = set(), set()
    for loop in file_captures(ctx, _LOOPS).get("loop", []):
        lv = loop_vars(ctx, loop)
        names |= lv.names
        outers |= set(lv.outer)
    return names, outers


def element_type_text(type_text: str) -> Optional[str]:
    """``T`` of a type written ``[]T``, ``[N]T`` or ``map[K]T`` (as text); None for anything else."""
    t = type_text.strip()
    if t.startswith("map["):
        depth = 0
        for i, ch in enumerate(t):
            depth += ch == "["
            depth -= ch == "]"
            if depth == 0 and ch == "]":
                return t[i + 1:].strip()
        return None
    m = re.match(r"^\[[^\]]*\]", t)
    return t[m.end():].strip() if m else None


def package_member(ctx: FileContext, node: Optional[Node], path: str, names) -> Optional[str]:
    """The name ``F`` when ``node`` is the expression ``pkg.F`` for the package ``path`` (any alias, not
    shadowed, or a bare ``F`` through a dot import) and ``F`` is one of ``names``."""
    if node is None:
        return None
    if node.type == "selector_expression":
        field = node.child_by_field_name("field")
        name = node_text(field) if field is not None else ""
        if name in names and package_selector(ctx, node.child_by_field_name("operand"), path):
            return name
    elif node.type == "identifier" and ("." + path) in ctx.imports:
        name = node_text(node)
        if name in names and resolve(node) is None and node.text not in top_level_names(ctx):
            return name
    return None


def package_func(ctx: FileContext, call: Optional[Node], path: str, names) -> Optional[str]:
    """The name ``F`` when ``call`` is ``pkg.F(...)`` (see :func:`package_member`)."""
    if call is None or call.type != "call_expression":
        return None
    return package_member(ctx, call.child_by_field_name("function"), path, names)


def strip_pointer(typ: Optional[Node]) -> Optional[Node]:
    """``T`` of a type written ``*T``, ``**T`` or ``(*T)``."""
    while typ is not None and typ.type in ("pointer_type", "parenthesized_type"):
        inner = [c for c in typ.named_children]
        typ = inner[0] if inner else None
    return typ


def scope_body(node: Node, ctx: FileContext) -> Node:
    """The body of the function enclosing ``node``, or the file for package-level code."""
    fn = enclosing_function(node)
    body = fn.child_by_field_name("body") if fn is not None else None
    return body if body is not None else ctx.root


def is_named_result(fn: Node, name: bytes) -> bool:
    """``name`` is one of the named results of the function ``fn``."""
    result = fn.child_by_field_name("result")
    if result is None or result.type != "parameter_list":
        return False
    for p in result.named_children:
        for i in range(p.child_count):
            if p.field_name_for_child(i) == "name" and p.children[i].text == name:
                return True
    return False


# --------------------------------------------------------------------------- expressions and statements


def match_rows(query_source: str, node: Node) -> List[Dict[str, Node]]:
    """One dict per query match (capture name -> node).  Unlike zipping the per-name lists of
    ``captures()``, the nodes of a row always come from the same match."""
    rows = []
    for _, caps in tree_sitter.QueryCursor(compile_query(query_source)).matches(node):
        rows.append({name: nodes[0] for name, nodes in caps.items() if nodes})
    return rows


def normal_text(node: Node) -> str:
    """Whitespace- and paren-free text of an expression: the key of a variable path (``s.stats.n``)."""
    text = "".join(node_text(node).split())
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return text


def root_identifier(expr: Optional[Node]) -> Optional[Node]:
    """Root identifier of ``x``, ``x.f.g``, ``x[i].f``, ``x[a:b]``, ``(*x).f``, ``*x`` (None through
    anything else: a call, ``&x``, a literal)."""
    n = expr
    while n is not None:
        t = n.type
        if t == "identifier":
            return n
        if t in ("selector_expression", "index_expression", "slice_expression"):
            n = n.child_by_field_name("operand")
        elif t == "parenthesized_expression" or (t == "unary_expression"
                                                 and n.child_by_field_name("operator").type == "*"):
            n = n.named_children[-1] if n.named_children else None
        else:
            return None
    return None


def line_of(node: Node) -> int:
    """The 1-based line ``node`` starts on."""
    return node.start_point[0] + 1


def ancestors_until(node: Node, stop: Node) -> Iterator[Node]:
    """The ancestors of ``node`` below ``stop``, innermost first."""
    n = node.parent
    while n is not None and n != stop:
        yield n
        n = n.parent


def statements_after(node: Node, stop: Node, cross_loops: bool) -> Iterator[Node]:
    """The statements that run after ``node`` in program order, up to the end of ``stop`` (the enclosing
    function): following siblings, then those of each enclosing statement list.  Without
    ``cross_loops`` it ends at the first enclosing loop (the next iteration is another matter)."""
    while node is not None and node != stop:
        parent = node.parent
        if parent is not None and parent.type == "statement_list":
            after = False
            for stmt in parent.named_children:
                if after:
                    yield stmt
                elif stmt == node:
                    after = True
        if parent is not None and parent.type == "for_statement" and not cross_loops:
            return
        node = parent


def named_results(func: Optional[Node]) -> Dict[bytes, Node]:
    """The named results of a function (name -> identifier), ``_`` excluded."""
    if func is None:
        return {}
    result = func.child_by_field_name("result")
    out: Dict[bytes, Node] = {}
    if result is not None and result.type == "parameter_list":
        for p in result.named_children:
            for c in p.named_children:
                if c.type == "identifier" and c.text != b"_":
                    out[c.text] = c
    return out


def is_init(func: Optional[Node]) -> bool:
    """``func`` is a package's ``func init()``."""
    if func is None or func.type != "function_declaration":
        return False
    name = func.child_by_field_name("name")
    return name is not None and name.text == b"init"


# --------------------------------------------------------------------------- value copies of roots

# written types whose values share what they point to: a path through one of them reaches shared memory
REFERENCE_PREFIXES = ("*", "map[", "[]", "chan ", "chan<-", "<-chan", "func(", "func ", "interface")


def type_of_text(text: str) -> Tuple[Optional[str], bool]:
    """(package struct name or None, reference) of a written type: ``*T`` / maps / slices / chans / funcs /
    interfaces are references (their values share memory); ``T``, ``pkg.T``, ``[4]T`` are values."""
    t = text.strip()
    if t.startswith(REFERENCE_PREFIXES):
        return None, True
    if t.startswith("["):
        t = t[t.index("]") + 1:].strip() if "]" in t else ""  # [N]T: an array value holds its elements
        return type_of_text(t) if t else (None, False)
    t = t.split("[", 1)[0]  # G[int]
    if "." in t:
        return None, False  # another package's named type: a value as far as we can tell
    return (t if t.isidentifier() else None), False


def root_type_text(ctx: FileContext, ident: Node, depth: int = 0) -> Optional[str]:
    """The written type of a local identifier's variable, as text: a parameter's or ``var``'s type, the
    type of a composite literal it is initialised with, or the type of the value it copies (``v :=
    s.stats``, ``v := *p``, ``v := s.items[i]``, a range value over a typed slice or map)."""
    decl = resolve(ident)
    if decl is None or depth > 4:
        return None
    typ = decl.written_type()
    if typ is not None:
        return node_text(typ)
    if decl.kind == "var":
        value = unparen(decl.value())
        if value is not None and value.type == "unary_expression" and value.child_by_field_name("operator").type == "&":
            inner = unparen(value.child_by_field_name("operand"))
            if inner is not None and inner.type == "composite_literal":
                return "*" + node_text(inner.child_by_field_name("type"))
            return None
        return expr_type_text(ctx, value, depth + 1)
    if decl.kind == "range":
        clause = decl.ident.parent.parent if decl.ident.parent is not None else None
        if clause is None or clause.type != "range_clause":
            return None
        left = clause.child_by_field_name("left")
        names = left.named_children if left is not None else []
        if len(names) != 2 or names[1] != decl.ident:
            return None  # the key or index of a range: an int or a map key, not the element
        ranged = expr_type_text(ctx, clause.child_by_field_name("right"), depth + 1)
        return element_type_text(ranged) if ranged is not None else None
    return None


def expr_type_text(ctx: FileContext, expr: Optional[Node], depth: int = 0) -> Optional[str]:
    """The written type of ``expr`` as text when the package's declarations say it: a typed local, a
    field of a package struct (``s.stats``), ``*p`` of a typed pointer, an element ``x.items[i]`` of a
    typed slice or map.  None when it cannot be read without types."""
    expr = unparen(expr)
    if expr is None or depth > 6:
        return None
    if expr.type == "identifier":
        return root_type_text(ctx, expr, depth)
    if expr.type == "selector_expression":
        owner = expr_type_text(ctx, expr.child_by_field_name("operand"), depth + 1)
        field = expr.child_by_field_name("field")
        if owner is None or field is None:
            return None
        name = owner.lstrip("*").strip().split("[", 1)[0]
        st = model(ctx).struct(name) if name.isidentifier() else None
        fd = st.field(node_text(field)) if st is not None else None
        return fd.type_text if fd is not None and not fd.embedded else None
    if expr.type == "unary_expression" and expr.child_by_field_name("operator").type == "*":
        inner = expr_type_text(ctx, expr.child_by_field_name("operand"), depth + 1)
        return inner[1:] if inner is not None and inner.startswith("*") else None
    if expr.type == "index_expression":
        container = expr_type_text(ctx, expr.child_by_field_name("operand"), depth + 1)
        return element_type_text(container) if container is not None else None
    if expr.type == "composite_literal":
        typ = expr.child_by_field_name("type")
        return node_text(typ) if typ is not None else None
    return None


def value_copy_root(ctx: FileContext, root: Node, path: Optional[Node] = None) -> bool:
    """``root`` (a local identifier) holds its function's own value, not the shared one: a by-value
    parameter or receiver (``func (p *M) add(q M)``), a named result, a local of a struct type (declared,
    built with ``T{…}``, or a copy: ``v := s.stats``, ``v := *p``, a range value over ``[]T``), and
    ``path`` (``q.n``, ``v.stats.n``) does not go through a pointer, map, slice, chan or interface field,
    which would reach shared memory again.  False when the written types do not say so."""
    decl = resolve(root)
    if decl is None or decl.kind not in ("param", "var", "range"):
        return False
    text = root_type_text(ctx, root)
    if text is None:
        return False
    name, reference = type_of_text(text)
    if reference or name is None or model(ctx).struct(name) is None:
        return False
    if path is None:
        return True
    fields = normal_text(path)[len(node_text(root)):].lstrip(".").split(".")
    cur = name
    for seg in fields[:-1]:
        if not seg.isidentifier():
            return False  # an index or a call along the path: not followed
        st = model(ctx).struct(cur) if cur is not None else None
        fd = st.field(seg) if st is not None else None
        if fd is None or fd.embedded:
            return False
        cur, reference = type_of_text(fd.type_text)
        if reference:
            return False  # v.stats.n with stats *Stats: the copy points at the shared Stats
    return True


# --------------------------------------------------------------------------- the scope index of a file
class Scopes:
    """The scope index of one file, filled as its identifiers are resolved: per block the first
    declaration of each name, per node whether it can declare names at all, per top-level declaration
    every declaration inside it, per function its parameters and the names its body declares.  One
    fact (the :func:`scopes` provider) rather than five, because every analysis that resolves a name
    needs all of them; ``resolve`` and its variants read it."""

    __slots__ = ("blocks", "declares", "tops", "params", "body_names")

    def __init__(self):
        self.blocks: Dict[int, Dict[bytes, Tuple[int, int, Node, str]]] = {}
        self.declares: Dict[int, bool] = {}
        self.tops: Dict[int, tuple] = {}
        self.params: Dict[int, Dict[bytes, Decl]] = {}
        self.body_names: Dict[int, "set[bytes]"] = {}

    def block_index(self, block: Node) -> Dict[bytes, Tuple[int, int, Node, str]]:
        """name -> (start and end of the declaring statement, declaring identifier, kind) of the *first*
        declaration of each name among the statements of ``block`` (what ``scope_decls`` finds first)."""
        index = self.blocks.get(block.id)
        if index is None:
            index = self.blocks[block.id] = {}
            for stmt in block.named_children:
                for decl_ident, kind in _stmt_decls(stmt):
                    if decl_ident.text not in index:
                        index[decl_ident.text] = (stmt.start_byte, stmt.end_byte, decl_ident, kind)
        return index

    def declares_names(self, node: Node) -> bool:
        """Whether ``node`` can put any name in scope for a descendant."""
        found = self.declares.get(node.id)
        if found is None:
            found = self.declares[node.id] = (bool(self.block_index(node)) if node.type in _LIST_TYPES
                                              else _can_declare(node))
        return found

    def top_declarations(self, top: Node
                         ) -> Tuple[Dict[bytes, List[Tuple[Node, str, int, Node, int, int]]], Dict[bytes, List[int]]]:
        """(name -> every declaration of the name inside ``top`` that ``resolve`` may return, name -> where
        every capture of ``_BODY_DECLS`` inside ``top`` starts).  The captures come in document order
        (``parse.captures``): the first declaration of a block comes first."""
        found = self.tops.get(top.id)
        if found is None:
            decls: Dict[bytes, List[Tuple[Node, str, int, Node, int, int]]] = {}
            starts: Dict[bytes, List[int]] = {}
            for d in captures(_BODY_DECLS, top).get("d", []):
                starts.setdefault(d.text, []).append(d.start_byte)
                got = _classify(d, top)
                if got is not None:
                    decls.setdefault(d.text, []).append(got)
            found = self.tops[top.id] = (decls, starts)
        return found

    def function_params(self, fn: Node) -> Dict[bytes, Decl]:
        """Name -> the receiver, parameter or named result of ``fn`` that declares it (the first)."""
        params = self.params.get(fn.id)
        if params is None:
            params = self.params[fn.id] = {}
            for field in ("receiver", "parameters", "result"):
                for p in _params(fn.child_by_field_name(field)):
                    if p.text not in params:
                        params[p.text] = Decl(p, "param")
        return params

    def body_declared_names(self, fn: Node) -> "set[bytes]":
        """Every name a declaration inside ``fn``'s body declares."""
        names = self.body_names.get(fn.id)
        if names is None:
            body = fn.child_by_field_name("body")
            names = self.body_names[fn.id] = ({d.text for d in captures(_BODY_DECLS, body).get("d", [])}
                                              if body is not None else set())
        return names


@provider()
def scopes(ctx: FileContext) -> Scopes:
    """The scope index of ``ctx``'s file (see :class:`Scopes`)."""
    return Scopes()
