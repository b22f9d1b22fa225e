"""WaitGroup facts for the waitgroup family, without types.

A receiver is a ``sync.WaitGroup`` when its declaration says so (``var wg sync.WaitGroup``,
``wg := &sync.WaitGroup{}``, ``new(sync.WaitGroup)``, a ``*sync.WaitGroup`` parameter, a same-file
struct field of that type, ``sync`` under any import name) or, failing that, when the same receiver
has ``Add``, ``Done`` and ``Wait`` calls in the function.
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional

from tree_sitter import Node

from goexplint.core.filequeries import file_captures, file_query
from goexplint.core.parse import FileContext, captures
from goexplint.core.providers import FILE, provider
from goexplint.analysis.package import model
from goexplint.analysis.syntax import (Decl, FUNC_TYPES, is_ancestor, is_package_type, match_rows, normal_text,
                                       resolve, root_identifier, unparen)

SYNC = "sync"

_CALLS = """
(call_expression
  function: (selector_expression operand: (_) @recv field: (field_identifier) @method
    (#match? @method "^(Add|Done|Wait|Go)$"))) @call
"""


def is_sync_type(ctx: FileContext, typ: Optional[Node], name: bytes = b"WaitGroup") -> Optional[str]:
    """"value" / "pointer" when ``typ`` is ``sync.<name>`` / ``*sync.<name>`` (any import name), else None."""
    kind = "value"
    if typ is not None and typ.type == "pointer_type" and typ.named_children:
        typ, kind = typ.named_children[0], "pointer"
    return kind if is_package_type(ctx, typ, SYNC, name.decode()) else None


def _value_kind(ctx: FileContext, value: Optional[Node]) -> Optional[str]:
    value = unparen(value)
    if value is None:
        return None
    if value.type == "composite_literal":
        return is_sync_type(ctx, value.child_by_field_name("type"))
    if value.type == "unary_expression" and value.named_children:
        inner = unparen(value.named_children[-1])
        if inner is not None and inner.type == "composite_literal" and is_sync_type(
                ctx, inner.child_by_field_name("type")):
            return "pointer"
    if value.type == "call_expression":
        fn = value.child_by_field_name("function")
        args = value.child_by_field_name("arguments")
        if fn is not None and fn.text == b"new" and args is not None and args.named_children \
                and is_sync_type(ctx, args.named_children[0]):
            return "pointer"
    return None


def decl_kind(ctx: FileContext, decl: Decl) -> Optional[str]:
    return is_sync_type(ctx, decl.written_type()) or _value_kind(ctx, decl.value())


_FIELD_NAMES = file_query("(field_declaration name: (field_identifier) @n type: (_) @t)")


def _field_is_waitgroup(ctx: FileContext, field: bytes) -> bool:
    for d in file_captures(ctx, _FIELD_NAMES).get("n", []):
        if d.text == field and is_sync_type(ctx, d.parent.child_by_field_name("type")):
            return True
    return False


def _package_var_kind(ctx: FileContext, name: bytes) -> Optional[str]:
    for row in match_rows("(source_file (var_declaration [(var_spec name: (identifier) @n)"
                          " (var_spec_list (var_spec name: (identifier) @n))]))", ctx.root):
        if row["n"].text == name:
            return decl_kind(ctx, Decl(row["n"], "var"))
    return None


def outer_function(node: Node) -> Optional[Node]:
    """The outermost function (declaration) containing ``node``; func literals are part of it."""
    found = None
    n = node.parent
    while n is not None:
        if n.type in FUNC_TYPES:
            found = n
        n = n.parent
    return found


@dataclasses.dataclass
class WGCall:
    call: Node
    recv: Node
    method: str
    key: str  # normalised receiver text


@provider(scope=FILE)
def wg_calls(ctx: FileContext, func: Node) -> List[WGCall]:
    """The ``X.Add`` / ``X.Done`` / ``X.Wait`` / ``X.Go`` calls in ``func`` (nested literals included), in
    document order."""
    found = [WGCall(r["call"], r["recv"], r["method"].text.decode(), normal_text(r["recv"]))
             for r in match_rows(_CALLS, func)]
    found.sort(key=lambda c: c.call.start_byte)
    return found


def is_waitgroup(ctx: FileContext, recv: Node) -> bool:
    recv = unparen(recv)
    if recv is None:
        return False
    if recv.type == "identifier":
        decl = resolve(recv)
        if decl is not None:
            if decl_kind(ctx, decl):
                return True
        elif recv.text in model(ctx).var_names and _package_var_kind(ctx, recv.text):
            return True
    elif recv.type == "selector_expression":
        field = recv.child_by_field_name("field")
        if field is not None and _field_is_waitgroup(ctx, field.text):
            return True
    func = outer_function(recv)
    if func is None:
        return False
    methods = {c.method for c in wg_calls(ctx, func) if c.key == normal_text(recv)}
    return {"Add", "Done", "Wait"} <= methods


def declared_inside(recv: Node, scope: Node) -> bool:
    root = root_identifier(recv)
    if root is None:
        return False
    decl = resolve(root)
    return decl is not None and is_ancestor(scope, decl.ident)


def body_calls(ctx: FileContext, lit: Node, key: str, method: str) -> List[WGCall]:
    func = outer_function(lit) or lit
    return [c for c in wg_calls(ctx, func) if c.key == key and c.method == method and is_ancestor(lit, c.call)]


def calls_in(ctx: FileContext, node: Node, key: str, method: str) -> List[WGCall]:
    func = outer_function(node) or node
    return [c for c in wg_calls(ctx, func) if c.key == key and c.method == method and is_ancestor(node, c.call)]


def first_statement(lit: Node) -> Optional[Node]:
    body = lit.child_by_field_name("body")
    if body is None:
        return None
    for c in body.named_children:
        if c.type == "statement_list":
            stmts = [s for s in c.named_children if s.type != "comment"]
            return stmts[0] if stmts else None
    return None


def call_of_statement(stmt: Optional[Node]) -> Optional[Node]:
    if stmt is None or stmt.type != "expression_statement" or not stmt.named_children:
        return None
    call = unparen(stmt.named_children[0])
    return call if call is not None and call.type == "call_expression" else None


_WORK = "[(call_expression) (send_statement) (unary_expression operator: \"<-\")] @w"


def work_between(ctx: FileContext, launch: Node, wait_stmt: Node) -> Optional[Node]:
    """The first statement that does work (a call, a send or a receive) after the statement of
    ``launch`` and before ``wait_stmt`` in their statement list, i.e. while the launched goroutine runs:
    a fork-join inside one iteration.  Calls of ``Add`` on any receiver do not count."""
    stmts = wait_stmt.parent
    if stmts is None:
        return None
    top = launch
    while top.parent is not None and top.parent != stmts:
        top = top.parent
    if top.parent != stmts:
        return None
    for stmt in stmts.named_children:
        if stmt.start_byte < top.end_byte or stmt.type == "comment":
            continue
        if stmt.start_byte >= wait_stmt.start_byte:
            break
        for w in captures(_WORK, stmt).get("w", []):
            if w.type == "call_expression":
                fn = w.child_by_field_name("function")
                field = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" \
                    else None
                if field is not None and field.text == b"Add":
                    continue
            return stmt
    return None
