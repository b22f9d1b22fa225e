"""Typed-nil facts: interface result slots, ``(*T)(nil)`` conversions, same-package functions returning
pointers to error types (for the whole package, from the package model), and where a variable is
assigned."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from tree_sitter import Node

from goexplint.analysis.package import local_type_names, model
from goexplint.analysis.syntax import outside_parens, resolve, scopes, unparen
from goexplint.core.parse import FileContext, captures, node_text
from goexplint.core.providers import FILE, KEPT, PACKAGE, provider


def _returns_nil(body: Node) -> bool:
    return any(r.named_children and r.named_children[0].named_children
               and [c.type for c in r.named_children[0].named_children] == ["nil"]
               for r in captures("(return_statement) @r", body).get("r", []))


@provider(scope=KEPT, persistent=True)
def nil_pointer_funcs_of_file(ctx: FileContext) -> List[Tuple[str, bytes]]:
    """(name, T) of the functions of one file declared to return ``*T`` that have a ``return nil`` (kept
    with the file: an edit of another file of the package does not recompute it)."""
    got = []
    for node in ctx.root.named_children:
        if node.type != "function_declaration":
            continue
        name = node.child_by_field_name("name")
        result = node.child_by_field_name("result")
        body = node.child_by_field_name("body")
        if name is None or result is None or result.type != "pointer_type" or body is None:
            continue
        target = next(iter(result.named_children), None)
        if target is not None and target.type == "type_identifier" and _returns_nil(body):
            got.append((name.text.decode("utf-8", "replace"), target.text))
    return got


@provider(scope=PACKAGE, requires=(model, nil_pointer_funcs_of_file))
def nil_pointer_funcs(ctx: FileContext) -> Dict[bytes, bytes]:
    """Function name -> T, for the package's functions declared to return ``*T`` that have a
    ``return nil`` (the first declaration of a name wins)."""
    m = model(ctx)
    out: Dict[bytes, bytes] = {}
    for f in ctx.package.files:
        for name, target in nil_pointer_funcs_of_file(f):
            if m.funcs.get(name) is not None and m.funcs[name].file is f:  # the first declaration wins
                out[name.encode()] = target
    return out


@provider(scope=PACKAGE, requires=(model, nil_pointer_funcs))
def nil_error_pointer_funcs(ctx: FileContext) -> Dict[bytes, bytes]:
    """The :func:`nil_pointer_funcs` whose ``T`` has an ``Error() string`` method."""
    errors = model(ctx).error_types
    return {name: t for name, t in nil_pointer_funcs(ctx).items() if t in errors}


def interface_name(ctx: FileContext, typ: Optional[Node]) -> Optional[str]:
    """"error", "any", "interface{…}" or a same-package interface type name; None for concrete types."""
    if typ is None:
        return None
    if typ.type == "type_identifier":
        if typ.text in (b"error", b"any") or (typ.text in model(ctx).interface_names
                                              and typ.text.decode() not in local_type_names(typ)):
            return typ.text.decode()
        return None
    if typ.type == "interface_type":
        return "interface{}" if not typ.named_children else "an interface"
    return None


def result_slots(func: Node) -> List[Tuple[Optional[Node], Optional[Node]]]:
    """(name identifier or None, type) per result slot."""
    result = func.child_by_field_name("result")
    if result is None:
        return []
    if result.type != "parameter_list":
        return [(None, result)]
    slots = []
    for p in result.named_children:
        if p.type != "parameter_declaration":
            continue
        typ = p.child_by_field_name("type")
        names = [c for c in p.named_children if c.type == "identifier"]
        for n in names or [None]:
            slots.append((n, typ))
    return slots


def nil_conversion(node: Optional[Node]) -> Optional[Node]:
    """``(*T)(nil)`` -> the ``*T`` type expression, else None."""
    node = unparen(node)
    if node is None or node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    if fn is None or fn.type != "parenthesized_expression" or args is None or len(args.named_children) != 1:
        return None
    inner = fn.named_children[0] if fn.named_children else None
    if inner is None or inner.type not in ("unary_expression", "pointer_type"):
        return None
    if inner.type == "unary_expression" and inner.child_by_field_name("operator").type != "*":
        return None
    return inner if args.named_children[0].type == "nil" else None


# --------------------------------------------------------------------------- assignments

_ASSIGNED = """
(assignment_statement left: (expression_list (identifier) @x))
(receive_statement left: (expression_list (identifier) @x))
"""


def _plain_assign(ident: Node) -> Optional[Node]:
    """The ``=`` assignment or select receive (``case x = <-ch``) statement that assigns ``ident``."""
    stmt = ident.parent.parent if ident.parent is not None else None
    if stmt is None:
        return None
    if stmt.type == "assignment_statement":
        op = stmt.child_by_field_name("operator")
        return stmt if op is not None and op.type == "=" else None
    if stmt.type == "receive_statement" and not any(c.type == ":=" for c in stmt.children):
        return stmt
    return None


@provider(scope=FILE)
def plain_assignments(ctx: FileContext, func: Node) -> Dict[bytes, List[Node]]:
    """Name -> the identifiers of ``func`` (nested closures included) of that name that ``=`` assigns
    (assignment statements and select receives), in document order."""
    table: Dict[bytes, List[Node]] = {}
    for x in captures(_ASSIGNED, func).get("x", []):
        if _plain_assign(x) is not None:
            table.setdefault(x.text, []).append(x)
    return table


def assignments(ctx: FileContext, func: Node, decl_ident: Node) -> List[Node]:
    """The identifiers of ``func`` (nested closures included) that ``=`` assigns the variable declared by
    ``decl_ident`` (assignment statements and select receives), in document order."""
    out = []
    for x in plain_assignments(ctx, func).get(decl_ident.text, ()):
        d = resolve(x)
        if d is not None and d.ident == decl_ident:
            out.append(x)
    return out


def in_closure(node: Node, func: Node) -> Optional[Node]:
    """The outermost func literal between ``node`` and ``func``, if any."""
    found = None
    n = node.parent
    while n is not None and n != func:
        if n.type == "func_literal":
            found = n
        n = n.parent
    return found


def assigned_by_closure(ctx: FileContext, func: Node, decl_ident: Node) -> Optional[Node]:
    """A func literal of ``func`` (not a deferred one) that assigns the variable: the function it is handed
    to (``walk(…, func() { x = … })``), or the code that calls it, may run it before any later use, so the
    variable is not known to keep its value (the same answer as for ``&x``).  Returns the literal."""
    for x in assignments(ctx, func, decl_ident):
        lit = in_closure(x, func)
        if lit is None:
            continue
        p = outside_parens(lit)[1]
        if p is not None and p.type == "call_expression" and p.parent is not None \
                and p.parent.type == "defer_statement":
            continue  # runs after the function's results are evaluated
        return lit
    return None


def _terminates(stmt: Node) -> bool:
    """The statement leaves the statement list for good: ``return``, ``continue``, ``goto``, ``panic(…)``."""
    t = stmt.type
    if t in ("return_statement", "continue_statement", "goto_statement"):
        return True
    if t == "expression_statement" and stmt.named_children:
        call = unparen(stmt.named_children[0])
        fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        return fn is not None and fn.type == "identifier" and fn.text == b"panic" and resolve(fn) is None
    return False


def _list_statements(node: Optional[Node]) -> List[Node]:
    if node is None:
        return []
    out = []
    for c in node.named_children:
        if c.type == "statement_list":
            out.extend(s for s in c.named_children if s.type != "comment")
        elif c.type != "comment" and node.type != "block":
            out.append(c)
    return out


def _block_settles(stmts: List[Node], assigns) -> bool:
    """Every path through the statements assigns (``assigns(stmt)``) or leaves the list."""
    for stmt in stmts:
        if definitely_assigns(stmt, assigns) or _terminates(stmt):
            return True
    return False


_CASES = frozenset(("communication_case", "expression_case", "type_case", "default_case"))


def definitely_assigns(stmt: Node, assigns) -> bool:
    """Every path through ``stmt`` that continues after it has assigned the variable: ``stmt`` is an
    assignment of it (``assigns(stmt)``), a block doing so, an ``if``/``else`` whose branches both do
    (or leave), a ``select`` or a ``switch`` with a ``default`` whose every case does (or leaves)."""
    t = stmt.type
    if assigns(stmt):
        return True
    if t == "labeled_statement":
        inner = [c for c in stmt.named_children if c.type != "label_name"]
        return bool(inner) and definitely_assigns(inner[0], assigns)
    if t == "block":
        return _block_settles(_list_statements(stmt), assigns)
    if t == "if_statement":
        alt = stmt.child_by_field_name("alternative")
        if alt is None:
            return False
        cons = stmt.child_by_field_name("consequence")
        ok = _block_settles(_list_statements(cons), assigns)
        if not ok:
            return False
        if alt.type == "if_statement":
            return definitely_assigns(alt, assigns)
        return _block_settles(_list_statements(alt), assigns)
    if t in ("select_statement", "expression_switch_statement", "type_switch_statement"):
        cases = [c for c in stmt.named_children if c.type in _CASES]
        if not cases or (t != "select_statement" and not any(c.type == "default_case" for c in cases)):
            return False
        for case in cases:
            comm = case.child_by_field_name("communication") if case.type == "communication_case" else None
            if comm is not None and assigns(comm):
                continue
            body = [s for c in case.named_children if c.type == "statement_list" for s in c.named_children
                    if s.type != "comment"]
            if any(s.type == "fallthrough_statement" for s in body):
                return False
            if not _block_settles(body, assigns):
                return False
        return True
    return False


@provider(scope=FILE, requires=(plain_assignments, scopes))
def statements_assigning(ctx: FileContext, func: Node, decl_ident: Node) -> frozenset:
    """The ids of the statements of ``func`` itself (not of its closures) that assign the variable
    declared by ``decl_ident`` with ``=`` or a select receive."""
    return frozenset(_plain_assign(x).id for x in assignments(ctx, func, decl_ident) if in_closure(x, func) is None)


@provider(scope=FILE, requires=(statements_assigning,))
def settles(ctx: FileContext, func: Node, decl_ident: Node, stmt: Node) -> bool:
    """Every path through ``stmt`` of ``func`` that continues after it has assigned the variable
    declared by ``decl_ident`` (:func:`definitely_assigns` with the statements of
    :func:`statements_assigning`)."""
    stmts = statements_assigning(ctx, func, decl_ident)

    def assigns(s: Node) -> bool:
        return s.id in stmts

    return definitely_assigns(stmt, assigns)


def assigned_on_every_path(ctx: FileContext, func: Node, decl_ident: Node, at: Node) -> bool:
    """Every path from the declaration to ``at`` has assigned the variable (with ``=`` or a select receive):
    a statement before ``at``, in a statement list that holds it, definitely assigns it (see
    :func:`definitely_assigns`)."""
    if not statements_assigning(ctx, func, decl_ident):
        return False
    n = at
    while n is not None and n != func:
        parent = n.parent
        if parent is not None and parent.type == "statement_list":
            for prior in parent.named_children:
                if prior.start_byte >= n.start_byte:
                    break
                if prior.end_byte <= decl_ident.start_byte:
                    continue
                if settles(ctx, func, decl_ident, prior):
                    return True
        n = parent
    return False


# --------------------------------------------------------------------------- addresses and nil checks

@provider(scope=FILE, requires=(scopes,))
def address_taken(ctx: FileContext, func: Node) -> frozenset:
    """The ids of the declaring identifiers of the variables whose address ``func`` takes (``&x``
    anywhere in it, closures included)."""
    taken = set()
    for op in captures('(unary_expression operator: "&" operand: (identifier) @x)', func).get("x", []):
        d = resolve(op)
        if d is not None:
            taken.add(d.ident.id)
    return frozenset(taken)


def _is_nil_comparison(cond: Optional[Node], name: bytes, op: str) -> bool:
    """``cond`` is ``name <op> nil`` or ``nil <op> name`` (spaces aside)."""
    text = node_text(cond).replace(" ", "")
    return text in (name.decode() + op + "nil", "nil" + op + name.decode())


@provider(scope=FILE)
def after_nil_return(ctx: FileContext, stmts: Node, name: bytes) -> frozenset:
    """The ids of the statements of the statement list ``stmts`` that come after an
    ``if name == nil { … return … }`` in it."""
    after = set()
    seen = False
    for stmt in stmts.named_children:
        if seen:
            after.add(stmt.id)
        elif stmt.type == "if_statement":
            if _is_nil_comparison(stmt.child_by_field_name("condition"), name, "==") \
                    and captures("(return_statement) @r", stmt.child_by_field_name("consequence")):
                seen = True
    return frozenset(after)


def is_nil_checked(ctx: FileContext, node: Node, func: Node, name: bytes) -> bool:
    """``node`` of ``func`` runs only where the variable ``name`` is not nil: inside ``if name != nil
    {…}``, or after ``if name == nil { return … }`` in a statement list around it."""
    n = node
    while n is not None and n != func:
        parent = ctx.parent(n)
        if parent is not None and parent.type == "if_statement" and parent.child_by_field_name("consequence") == n \
                and _is_nil_comparison(parent.child_by_field_name("condition"), name, "!="):
            return True
        if parent is not None and parent.type == "statement_list" and n.id in after_nil_return(ctx, parent, name):
            return True
        n = parent
    return False
