"""S3 goroutine bodies and S6 iteration-local synchronisation.

* :func:`launch_of` recognises a launch (``go``, ``defer``, ``errgroup.Go``) and
  the func literals that run *later* because of it: the launched literal, a
  local closure variable (``f := func(){…}; go f()``) and literals passed as
  arguments of the launched call.
* :func:`iteration_synced` answers S6 with the control-flow walker
  (:mod:`goexplint.analysis.cfg`): on every path from the launching statement to
  the end of the iteration, does the iteration wait for the goroutine
  (``wg.Wait()`` of a WaitGroup the body ``Done``s, the errgroup's ``Wait``, a
  receive from a channel the body sends on or closes) or leave the loop
  (``return``, ``break``, ``goto``, ``panic``, ``os.Exit``, ``log.Fatal``)?
  If so the loop variable cannot change under the goroutine.  Given the loop
  variable's reads in the bodies, a channel handed to a same-package callee
  whose summary sends on or closes that parameter counts too, when every read
  comes before the signal (see :func:`callee_signals`).
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional, Sequence, Set

from tree_sitter import Node

from goexplint.analysis.cfg import EMPTY, Domain, Walker
from goexplint.analysis.ctxflow import never_returns
from goexplint.analysis.summaries import callee_summary
from goexplint.core.parse import FileContext, captures
from goexplint.analysis.syntax import FUNC_TYPES, is_ancestor, node_text, resolve

ERRGROUP = "golang.org/x/sync/errgroup"

_BODY_FACTS = """
(call_expression function: (selector_expression operand: (_) @done_recv field: (field_identifier) @done)
  (#eq? @done "Done"))
(send_statement channel: (_) @sent)
(call_expression function: (identifier) @close arguments: (argument_list . (_) @closed .) (#eq? @close "close"))
"""


@dataclasses.dataclass
class Launch:
    kind: str  # "go" | "defer" | "errgroup"
    stmt: Node  # the statement that launches (go/defer statement, or the expression statement)
    closures: List[Node]  # func literals that run after the launch
    receiver: Optional[str] = None  # errgroup receiver text


def _closure_of_identifier(ident: Node) -> Optional[Node]:
    """``f`` in ``go f()`` -> the func literal assigned to local ``f`` by its declaration."""
    decl = resolve(ident)
    value = decl.value() if decl is not None else None
    return value if value is not None and value.type == "func_literal" else None


def _closures_of_call(call: Node) -> List[Node]:
    out: List[Node] = []
    fn = call.child_by_field_name("function")
    while fn is not None and fn.type == "parenthesized_expression" and fn.named_children:
        fn = fn.named_children[0]
    if fn is not None and fn.type == "func_literal":
        out.append(fn)
    elif fn is not None and fn.type == "identifier":
        lit = _closure_of_identifier(fn)
        if lit is not None:
            out.append(lit)
    args = call.child_by_field_name("arguments")
    if args is not None:
        for a in args.named_children:
            if a.type == "func_literal":
                out.append(a)
    return out


def is_errgroup_receiver(ctx: FileContext, recv: Node) -> bool:
    """``g`` in ``g.Go(...)`` is declared from x/sync/errgroup (``var g errgroup.Group``, ``WithContext``...)."""
    aliases = ctx.aliases_of(ERRGROUP)
    if not aliases or recv.type != "identifier":
        return False
    decl = resolve(recv)
    if decl is None:
        return False
    owner = decl.ident.parent
    while owner is not None and owner.type not in ("short_var_declaration", "var_spec", "parameter_declaration",
                                                   "assignment_statement"):
        owner = owner.parent
    if owner is None:
        return False
    text = node_text(owner)
    return any(a + "." in text for a in aliases)


def launch_of(ctx: FileContext, node: Node) -> Optional[Launch]:
    """Classify a ``go_statement``, ``defer_statement`` or ``X.Go(...)`` call as a launch."""
    if node.type in ("go_statement", "defer_statement"):
        call = next((c for c in node.named_children if c.type == "call_expression"), None)
        if call is None:
            return None
        kind = "go" if node.type == "go_statement" else "defer"
        return Launch(kind, node, _closures_of_call(call))
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "selector_expression":
            return None
        field = fn.child_by_field_name("field")
        recv = fn.child_by_field_name("operand")
        if field is None or field.text != b"Go" or recv is None or not is_errgroup_receiver(ctx, recv):
            return None
        args = node.child_by_field_name("arguments")
        lits = [a for a in args.named_children if a.type == "func_literal"] if args is not None else []
        stmt = node.parent if node.parent is not None and node.parent.type == "expression_statement" else node
        return Launch("errgroup", stmt, lits, receiver=node_text(recv))
    return None


# --------------------------------------------------------------------------- S6


def _normal(text: str) -> str:
    return "".join(text.split())


def body_sync_facts(ctx: FileContext, closures: List[Node]):
    """(WaitGroup receivers the bodies call Done on, channels they send on or close)."""
    wgs: Set[str] = set()
    chans: Set[str] = set()
    for lit in closures:
        key = ("sync_facts", lit.id)
        facts = ctx.cache.get(key)
        if facts is None:
            caps = captures(_BODY_FACTS, lit)
            facts = ({_normal(node_text(n)) for n in caps.get("done_recv", [])},
                     {_normal(node_text(n)) for n in caps.get("sent", []) + caps.get("closed", [])})
            ctx.cache[key] = facts
        wgs |= facts[0]
        chans |= facts[1]
    return wgs, chans


def _statement_of(node: Node, top: Node) -> Node:
    n = node
    while n.parent is not None and n.parent != top and n.parent.type not in ("block", "statement_list"):
        n = n.parent
    return n


def _plain_within(node: Node, lit: Node) -> bool:
    """``node`` is in ``lit``'s own body, not in a func literal nested in it (which runs who knows when)."""
    n = node.parent
    while n is not None and n != lit:
        if n.type in FUNC_TYPES:
            return False
        n = n.parent
    return n == lit


def read_before(ref: Node, call: Node, lit: Node) -> bool:
    """The read ``ref`` happens before the call ``call`` runs, on every execution of ``lit``'s body:
    both in ``lit``'s own body, ``ref`` in the call's arguments or before the call's statement, and no
    loop around the call (inside ``lit``) repeats the read after it."""
    if not _plain_within(ref, lit) or not _plain_within(call, lit):
        return False
    n = call.parent
    while n is not None and n != lit:
        if n.type == "for_statement" and is_ancestor(n, ref):
            return False
        n = n.parent
    args = call.child_by_field_name("arguments")
    if args is not None and is_ancestor(args, ref):
        return True
    return ref.end_byte <= _statement_of(call, lit).start_byte


def callee_signals(ctx: FileContext, closures: List[Node], reads: Sequence[Node]) -> Set[str]:
    """Channels the bodies hand to same-package callees that send on or close them (their summaries'
    ``signals``), when every one of ``reads`` happens before every such call (:func:`read_before`)."""
    ok: Dict[str, bool] = {}
    for lit in closures:
        for call in captures("(call_expression) @c", lit).get("c", []):
            summ = callee_summary(ctx, call)
            if summ is None or not summ.signals:
                continue
            args = call.child_by_field_name("arguments")
            for i, arg in enumerate(args.named_children if args is not None else ()):
                if summ.param_at(i) not in summ.signals:
                    continue
                text = _normal(node_text(arg))
                ok[text] = ok.get(text, True) and all(read_before(r, call, lit) for r in reads)
    return {text for text, good in ok.items() if good}


def _call_target(stmt: Node) -> Optional[Node]:
    """The call of ``f()``, ``x := f()`` or ``x = f()``."""
    if stmt.type == "expression_statement" and stmt.named_children:
        expr = stmt.named_children[0]
    elif stmt.type in ("short_var_declaration", "assignment_statement"):
        right = stmt.child_by_field_name("right")
        expr = right.named_children[0] if right is not None and len(right.named_children) == 1 else None
    else:
        return None
    return expr if expr is not None and expr.type == "call_expression" else None


def _receive_channel(expr: Optional[Node]) -> Optional[str]:
    while expr is not None and expr.type == "parenthesized_expression" and expr.named_children:
        expr = expr.named_children[0]
    if expr is not None and expr.type == "unary_expression":
        op = expr.child_by_field_name("operator")
        if op is not None and op.type == "<-":
            return _normal(node_text(expr.child_by_field_name("operand")))
    return None


def _waits(stmt: Node, launch: Launch, wgs, chans) -> bool:
    """``stmt`` (a simple statement or a header part) waits for the launched bodies: ``wg.Wait()`` of a
    WaitGroup they ``Done``, the errgroup's ``Wait``, a receive from a channel they send on or close, or a
    ``select`` whose every case is such a receive."""
    t = stmt.type
    call = _call_target(stmt)
    if call is not None:
        fn = call.child_by_field_name("function")
        if fn is not None and fn.type == "selector_expression" and fn.child_by_field_name("field").text == b"Wait":
            recv = _normal(node_text(fn.child_by_field_name("operand")))
            if recv in wgs or (launch.receiver is not None and recv == _normal(launch.receiver)):
                return True
    if t == "expression_statement" and stmt.named_children:
        ch = _receive_channel(stmt.named_children[0])
        if ch is not None and ch in chans:
            return True
    if t == "receive_statement":  # a select case
        ch = _receive_channel(stmt.child_by_field_name("right"))
        if ch is not None and ch in chans:
            return True
    if t in ("assignment_statement", "short_var_declaration"):
        right = stmt.child_by_field_name("right")
        if right is not None and right.named_children:
            ch = _receive_channel(right.named_children[0])
            if ch is not None and ch in chans:
                return True
    return False


BEFORE, PENDING, SYNCED = 0, 1, 2  # the launch not reached yet / reached, not waited for / waited for


class IterationDomain(Domain):
    """S6 on the :mod:`goexplint.analysis.cfg` walker, over one loop body: paths leave the iteration
    (``return``, ``goto``, a call that never returns, ``break`` or ``continue`` of an outer statement) or
    wait for the launch (with ``waits``), or reach the next iteration still PENDING."""

    def __init__(self, ctx: FileContext, launch: Launch, wgs, chans, waits: bool):
        self.ctx = ctx
        self.launch = launch
        self.wgs = wgs
        self.chans = chans
        self.waits = waits

    def no_return(self, call: Node) -> bool:
        return never_returns(self.ctx, call)

    def goto(self, stmt: Node, state: int):
        return EMPTY

    def simple(self, node: Node, state: int):
        if state == BEFORE:
            launch = self.launch.stmt
            inside = node.start_byte <= launch.start_byte and launch.end_byte <= node.end_byte
            return frozenset((PENDING if inside else BEFORE,))
        if state == PENDING and self.waits and _waits(node, self.launch, self.wgs, self.chans):
            return frozenset((SYNCED,))
        return frozenset((state,))


def iteration_synced(ctx: FileContext, launch: Launch, loop: Node, waits: bool = True,
                     reads: Optional[Sequence[Node]] = None) -> bool:
    """S6: on every path from the launch to the end of this iteration of ``loop`` (its body's end or a
    ``continue`` of it), is there sync (``waits``) or a loop exit?  A path that leaves the iteration
    another way (``return``, ``break``, ``goto``, ``panic``, ``os.Exit``, ``log.Fatal``, ``continue``
    of an outer loop) cannot see the loop variable change under the goroutine.

    ``waits=False`` accepts only loop exits (for ``defer``, which waiting cannot help).  ``reads`` (the
    loop variable's references in the bodies) lets channels signalled by a callee count
    (:func:`callee_signals`); without it only the bodies' own sends and closes do.
    """
    body = loop.child_by_field_name("body")
    n = launch.stmt
    while n is not None and n != body:
        if n.type in FUNC_TYPES:
            return False  # launched in a func literal of the loop: runs whenever that is called
        n = n.parent
    if n is None:
        return False
    wgs, chans = body_sync_facts(ctx, launch.closures) if waits else (set(), set())
    if waits and reads:
        chans = chans | callee_signals(ctx, launch.closures, reads)
    domain = IterationDomain(ctx, launch, wgs, chans, waits)
    flow = Walker(domain).walk(body, frozenset((BEFORE,)))
    label = loop.parent.named_children[0].text \
        if loop.parent is not None and loop.parent.type == "labeled_statement" else None
    again = flow.fall | flow.continues.get(None, EMPTY) | (flow.continues.get(label, EMPTY) if label else EMPTY)
    return PENDING not in again
