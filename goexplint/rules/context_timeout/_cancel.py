"""Where the cancel function of ``context.With*`` goes (GXL407): the paths of the function on which it is
never used (:class:`CancelWalk` on the :mod:`goexplint.analysis.cfg` walker), and two checks that need no
paths of the function itself:

* :func:`lost_in_fields`: every later use of the cancel variable stores it into a struct field (or a
  slice/map held in one), and no code of the package ever reads that field (``x.cancel()``,
  ``defer x.cancel()``, ``for _, c := range x.cancels``, passing ``x.cancel`` on, even a nil check):
  nothing can call it.  Exported fields are skipped (another package may call them).
* :func:`conditional_deferred_cancel`: every later use sits in one deferred closure that calls the
  cancel function only on some paths (``defer func(){ if err != nil { cancel() } }()``), while the
  context itself outlives the function (returned, stored, put in a literal).
"""

from __future__ import annotations

from typing import List, Optional, Set, Tuple

from tree_sitter import Node

from goexplint.analysis.cfg import Domain, Walker, never_returns, statements
from goexplint.analysis.syntax import outside_parens, resolve, scopes
from goexplint.analysis.values import references
from goexplint.core.parse import FileContext, captures, node_text
from goexplint.analysis.package import PackageModel, model
from goexplint.analysis.summaries import flow_up, package_type_name
from goexplint.core.providers import PACKAGE, provider

# --------------------------------------------------------------------------- the path walk

SAFE, LEAK = 1, 2  # LEAK = reachable with the cancel not yet used on some path


class CancelDomain(Domain):
    """The states on the :mod:`goexplint.analysis.cfg` walker: the cancel var used (SAFE) or not
    (LEAK) since the ``With*`` call; a path merging both is LEAK."""

    def __init__(self, ctx: FileContext, fn: Node, def_stmt: Node, decl_ident: Node, named_result: bool):
        self.ctx = ctx
        self.def_stmt = def_stmt
        self.named_result = named_result
        self.leaks: List[Node] = []
        self._seen: Set[int] = set()
        self._refs = {r.id for r in references(fn, decl_ident)}

    def _uses(self, node: Node) -> bool:
        if not self._refs:
            return False
        return any(ident.id in self._refs for ident in captures("(identifier) @id", node).get("id", []))

    def join(self, states):
        return frozenset((LEAK,)) if LEAK in states else states

    def no_return(self, call: Node) -> bool:
        return never_returns(self.ctx, call)

    def simple(self, node: Node, state: int):
        """Uses make the path safe; the definition makes it leak."""
        if node == self.def_stmt or (node.start_byte <= self.def_stmt.start_byte
                                     and self.def_stmt.end_byte <= node.end_byte):
            return frozenset((LEAK,))
        return frozenset((SAFE,)) if self._uses(node) else frozenset((state,))

    def reached_return(self, stmt: Node, state: int) -> None:
        if state != LEAK or self._uses(stmt) or (self.named_result and not stmt.named_children):
            return
        if stmt.id not in self._seen:
            self._seen.add(stmt.id)
            self.leaks.append(stmt)


class CancelWalk:
    """Paths from a ``With*`` call to the function's exits on which the cancel var is never used.

    Follows vet's lostcancel: any reference to the variable (nested closures included) is a use, a
    naked return uses a named result, paths ending in a call that never returns are not leaks, loops
    may run zero times and ``for {}`` without ``break`` never ends.  ``goto`` makes it give up.
    """

    def __init__(self, ctx: FileContext, fn: Node, def_stmt: Node, decl_ident: Node, named_result: bool):
        self.fn = fn
        self.domain = CancelDomain(ctx, fn, def_stmt, decl_ident, named_result)

    def run(self) -> Optional[List[Node]]:
        """Return statements (or the closing brace) reached with the cancel unused; None: gave up."""
        body = self.fn.child_by_field_name("body") if self.fn is not None else None
        if body is None:
            return []
        if captures("(goto_statement) @g", body).get("g"):
            return None
        end = Walker(self.domain).walk(body, frozenset((SAFE,)))
        leaks = list(self.domain.leaks)
        if LEAK in end.fall:
            leaks.append(body.children[-1] if body.children else body)
        return leaks


# --------------------------------------------------------------------------- cancel functions kept in fields


@provider(scope=PACKAGE, requires=(model, scopes))
def read_fields(ctx: FileContext, name: bytes) -> Set[Optional[str]]:
    """Owner structs of every read of a field called ``name`` anywhere in the package: anything but a
    plain assignment target or the first argument of ``append``.  The owner is the package struct the
    operand's written type names when the source says so (a parameter, receiver or local declared
    with a type or a literal), None when unknown (then the read counts for every struct).  Only the
    files whose bytes hold the name are searched, for the names asked about; the answer is names, so
    a big package's trees can be freed (``providers.Resident``) after it."""
    pkg = model(ctx)  # a sibling's FileContext does not know its package: use this file's model
    owners: Set[Optional[str]] = set()
    for f in ctx.package.files:
        if name not in f.source:
            continue
        for field in captures("(selector_expression field: (field_identifier) @f)", f.root).get("f", []):
            if field.text == name and not _written_only(field.parent):
                owners.add(owner_struct(pkg, field.parent))
    return owners


def owner_struct(pkg: PackageModel, sel: Node) -> Optional[str]:
    """The package struct whose field ``sel`` (``x.f``) is, when ``x``'s written type says so."""
    operand = sel.child_by_field_name("operand")
    field = sel.child_by_field_name("field")
    if operand is None or field is None or operand.type != "identifier":
        return None
    decl = resolve(operand)
    typ = None
    if decl is not None:
        typ = decl.written_type()
        if typ is None:
            value = decl.value()
            if value is not None and value.type == "unary_expression" and value.named_children:
                value = value.named_children[-1]
            if value is not None and value.type == "composite_literal":
                typ = value.child_by_field_name("type")
    base = package_type_name(typ)
    struct = pkg.struct(base) if base is not None else None
    if struct is None or struct.field(node_text(field)) is None:
        return None
    return base


def literal_struct(ctx: FileContext, key: Node) -> Optional[str]:
    """The package struct of the composite literal a keyed element ``key`` belongs to."""
    n = key
    while n is not None and n.type != "composite_literal":
        n = n.parent
    base = package_type_name(n.child_by_field_name("type") if n is not None else None)
    return base if base is not None and model(ctx).struct(base) is not None else None


def _written_only(sel: Node) -> bool:
    """``x.f = …`` or ``x.f[k] = …`` (a plain ``=`` assignment target)."""
    n, p = outside_parens(sel)
    if p is not None and p.type == "index_expression" and p.child_by_field_name("operand") == n:
        n = p
        p = n.parent
    if p is not None and p.type == "argument_list" and p.named_children and p.named_children[0] == n:
        call = p.parent
        fn = call.child_by_field_name("function") if call is not None else None
        return fn is not None and fn.type == "identifier" and fn.text == b"append"
    if p is None or p.type != "expression_list":
        return False
    stmt = p.parent
    if stmt is None or stmt.type != "assignment_statement" or stmt.child_by_field_name("left") != p:
        return False
    op = stmt.child_by_field_name("operator")
    return op is not None and op.type == "="


def field_of_store(ctx: FileContext, node: Node) -> Optional[Tuple[str, Node, Optional[str]]]:
    """(field name, where) when the value of ``node`` is stored into a struct field: ``x.f = v``,
    ``x.f[k] = v``, ``x.f = append(x.f, v)``, ``T{f: v}``, ``ctx, x.f = context.With…``."""
    if node.type == "selector_expression":
        return node_text(node.child_by_field_name("field")), node, owner_struct(model(ctx), node)
    n = node
    while n.parent is not None and n.parent.type in ("parenthesized_expression", "literal_element"):
        n = n.parent
    p = n.parent
    if p is not None and p.type == "keyed_element" and p.named_children and p.named_children[-1] == n:
        key = p.named_children[0]
        key = key.named_children[0] if key.type == "literal_element" and key.named_children else key
        if key.type in ("identifier", "field_identifier"):
            return node_text(key), key, literal_struct(ctx, key)  # T{f: v}
        return None
    top, parent = flow_up(node)
    if parent.type == "expression_list":
        stmt = parent.parent
        if stmt is not None and stmt.type == "assignment_statement" and stmt.child_by_field_name("right") == parent:
            idx = parent.named_children.index(top) if top in parent.named_children else -1
            left = stmt.child_by_field_name("left").named_children
            target = left[idx] if 0 <= idx < len(left) else None
            if target is not None and target.type == "index_expression":
                target = target.child_by_field_name("operand")
            if target is not None and target.type == "selector_expression":
                return node_text(target.child_by_field_name("field")), target, owner_struct(model(ctx), target)
        return None
    return None


def _is_literal_key(ident: Node) -> bool:
    p = ident.parent
    if p is not None and p.type == "literal_element":
        ident, p = p, p.parent
    return p is not None and p.type == "keyed_element" and p.named_children and p.named_children[0] == ident


def lost_in_fields(ctx: FileContext, direct: Optional[Node], refs: List[Node]) -> Optional[Tuple[str, Node]]:
    """(field, where) when the cancel function is only stored into unexported fields that nothing in
    the package reads.  ``direct`` is a field target of the ``With*`` call itself (``ctx, x.f = …``);
    ``refs`` are the later references of the cancel variable."""
    stores: List[Tuple[str, Node, Optional[str]]] = []
    if direct is not None:
        got = field_of_store(ctx, direct)
        if got is None:
            return None
        stores.append(got)
    for ref in refs:
        if _is_literal_key(ref):
            continue  # the field name in T{cancel: cancel}, not a use
        got = field_of_store(ctx, ref)
        if got is None:
            return None  # used some other way: called, passed, returned, captured
        stores.append(got)
    if not stores:
        return None
    for name, _, owner in stores:
        if owner is None or not (name[0].islower() or name[0] == "_"):
            return None  # unknown struct, or exported: another package may call it
        reads = read_fields(ctx, name.encode())
        if owner in reads or None in reads:
            return None
    return stores[0][0], stores[0][1]


def conditional_deferred_cancel(ctx: FileContext, fn: Node, refs: List[Node],
                                context_var: Optional[Node]) -> Optional[Node]:
    """The ``defer`` statement when every reference in ``refs`` lies in one deferred func literal that
    calls the cancel function on some paths only, and the context ``context_var`` (its declaring
    identifier) outlives the function.  None otherwise."""
    if not refs or context_var is None:
        return None
    lit = _deferred_literal(refs[0])
    if lit is None or any(_deferred_literal(r) != lit for r in refs):
        return None
    body = lit.child_by_field_name("body")
    names = {r.text for r in refs}
    if body is None or _always_calls(statements(body), names):
        return None
    if not _context_outlives(fn, context_var):
        return None
    return lit.parent.parent if lit.parent.parent is not None else lit


def _deferred_literal(ref: Node) -> Optional[Node]:
    n = ref.parent
    while n is not None and n.type != "func_literal":
        if n.type in ("function_declaration", "method_declaration"):
            return None
        n = n.parent
    if n is None:
        return None
    call = n.parent
    if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == n and \
            call.parent is not None and call.parent.type == "defer_statement":
        return n
    return None


def _calls_cancel(stmt: Node, names: Set[bytes]) -> bool:
    if stmt.type != "expression_statement" or not stmt.named_children:
        return False
    call = stmt.named_children[0]
    fn = call.child_by_field_name("function") if call.type == "call_expression" else None
    return fn is not None and fn.type == "identifier" and fn.text in names


def _always_calls(stmts: List[Node], names: Set[bytes]) -> bool:
    """Every path through ``stmts`` calls the cancel function (returns before it are paths without)."""
    for s in stmts:
        if _calls_cancel(s, names):
            return True
        if s.type == "return_statement":
            return False
        if s.type == "block" and _always_calls(statements(s), names):
            return True
        if s.type == "if_statement":
            cons = s.child_by_field_name("consequence")
            alt = s.child_by_field_name("alternative")
            if alt is not None:
                alt_ok = _always_calls(statements(alt), names) if alt.type == "block" else _always_calls([alt], names)
                if _always_calls(statements(cons), names) and alt_ok:
                    return True
            if captures("(return_statement) @r", s).get("r"):
                return False
        elif s.type not in ("expression_statement", "assignment_statement", "short_var_declaration",
                            "inc_statement", "dec_statement", "var_declaration"):
            # loops, switches, selects: if they use it, treat as unconditional (precision first)
            if any(i.text in names for i in captures("(identifier) @i", s).get("i", [])):
                return True
    return False


def _context_outlives(fn: Node, var: Node) -> bool:
    """The context variable is returned (possibly inside a literal), stored in a field/element, or
    put in a composite literal."""
    body = fn.child_by_field_name("body")
    if body is None:
        return False
    for ident in captures("(identifier) @i", body).get("i", []):
        if ident.text != var.text or ident.start_byte <= var.end_byte:
            continue
        top, parent = flow_up(ident)
        holder = parent.parent if parent.type == "expression_list" else parent
        if holder is not None and holder.type == "return_statement":
            return True
        if top != ident and top.type in ("composite_literal", "literal_value", "unary_expression"):
            return True
        if parent.type == "expression_list" and parent.parent is not None and \
                parent.parent.type == "assignment_statement" and parent.parent.child_by_field_name("right") == parent:
            left = parent.parent.child_by_field_name("left").named_children
            if any(t.type in ("selector_expression", "index_expression") for t in left):
                return True
    return False
