"""The safe fix of the loop-capture rules (GXL101, GXL102): a per-iteration copy ``v := v`` as the
first statement of the loop body.

It is offered only where it cannot change what the loop does:

* the body starts on its own line after ``{`` (the copy goes on a new line with the indentation of
  the body's first statement, so a gofmt-clean file stays gofmt-clean);
* for a three-clause loop (``for i := 0; i < n; i++``) the body never writes the variable (an
  assignment, ``i++``, ``&i``): the loop's own ``i++`` and condition see the original, so a write
  inside the body would no longer steer the loop.  A range loop re-assigns its variables from the
  ranged value every iteration, so writes in the body never steered it.

With the copy, every reference in the body -- the captured ones included -- denotes a variable that
belongs to one iteration, which is exactly the Go 1.22 semantics the capture relied on.
"""

from __future__ import annotations

from typing import Optional, Tuple

from tree_sitter import Node

from goexplint.core.data import Edit, Fix
from goexplint.analysis.syntax import identifiers
from goexplint.core.parse import FileContext

_WRITES = ("assignment_statement", "inc_statement", "dec_statement")


def _first_statement(block: Node) -> Optional[Node]:
    for child in block.named_children:
        if child.type == "statement_list":
            return next((c for c in child.named_children if c.type != "comment"), None)
        if child.type != "comment":
            return child
    return None


def _writes(body: Node, name: bytes) -> bool:
    for ident in identifiers(body):
        if ident.text != name:
            continue
        node, parent = ident, ident.parent
        wrappers = ("parenthesized_expression", "selector_expression", "index_expression")
        while parent is not None and parent.type in wrappers and parent.named_children \
                and parent.named_children[0] == node:
            node, parent = parent, parent.parent
        if parent is None:
            continue
        if parent.type == "unary_expression" and parent.child_by_field_name("operator").type == "&":
            return True
        if parent.type in ("inc_statement", "dec_statement"):
            return True
        if parent.type == "expression_list" and parent.parent is not None and parent.parent.type in _WRITES \
                and parent.parent.child_by_field_name("left") == parent:
            return True
    return False


def copy_fix(ctx: FileContext, loop: Node, name: bytes) -> Tuple[Fix, ...]:
    """``(Fix,)`` inserting ``name := name`` at the top of ``loop``'s body, or ``()`` when unsafe."""
    body = loop.child_by_field_name("body")
    if body is None:
        return ()
    first = _first_statement(body)
    if first is None or first.start_point[0] == body.start_point[0]:
        return ()  # an empty body or a one-line loop
    if any(c.type == "for_clause" for c in loop.named_children) and _writes(body, name):
        return ()
    line_start = ctx.line_starts[first.start_point[0]]
    indent = ctx.source[line_start:first.start_byte]
    if indent.strip():
        return ()  # something precedes the first statement on its line
    var = name.decode("utf-8")
    text = "%s%s := %s\n" % (indent.decode("utf-8"), var, var)
    title = "Copy %s at the top of the loop body (%s := %s)" % (var, var, var)
    return (Fix(title, (Edit(line_start, line_start, text),)),)
