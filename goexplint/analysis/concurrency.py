"""S3 goroutine bodies and S6 iteration-local synchronisation.

* :func:`launch_of` recognises a launch (``go``, ``defer``, ``errgroup.Go``) and
  the func literals that run *later* because of it: the launched literal, a
  local closure variable (``f := func(){…}; go f()``) and literals passed as
  arguments of the launched call.
* :func:`iteration_synced` answers S6: after the launching statement, does
  the iteration wait for the goroutine (``wg.Wait()`` of a WaitGroup the body
  ``Done``s, the errgroup's ``Wait``, a receive from a channel the body sends
  on or closes), or leave the loop (``return``, ``break``, ``panic``,
  ``os.Exit``, ``log.Fatal``)?  If so the loop variable cannot change under
  the goroutine.
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional, Set

from tree_sitter import Node

from goexplint.analysis.ctxflow import never_returns
from goexplint.core.parse import FileContext, captures
from goexplint.analysis.syntax import FUNC_TYPES, node_text, resolve

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


def _breaks_loop(stmt: Node, loop: Node) -> bool:
    """A ``break`` statement that leaves ``loop`` (an unlabeled one only when no switch/select/for is between)."""
    if stmt.named_children:  # labeled break: leaves some enclosing statement, assume the loop
        return True
    n = stmt.parent
    while n is not None and n != loop:
        if n.type in ("for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"):
            return False
        n = n.parent
    return n == loop


def _sync_stmt(ctx: FileContext, stmt: Node, loop: Node, launch: Launch, wgs, chans, waits: bool) -> Optional[bool]:
    """True: the iteration is synchronised here; False: the iteration may end unsynchronised; None: neither."""
    t = stmt.type
    if t == "if_statement":
        init = stmt.child_by_field_name("initializer")  # if err := g.Wait(); err != nil {...}
        if init is not None and waits:
            wrapped = _sync_stmt(ctx, init, loop, launch, wgs, chans, waits)
            if wrapped:
                return True
        return None
    if t == "return_statement" or t == "goto_statement":
        return True
    if t == "break_statement":
        return True if _breaks_loop(stmt, loop) else None
    if t == "continue_statement":
        return False
    call = _call_target(stmt)
    if never_returns(ctx, call):  # panic, os.Exit, log.Fatal*, t.Fatal*, runtime.Goexit, …
        return True
    if not waits:
        return None
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
    if t in ("assignment_statement", "short_var_declaration"):
        right = stmt.child_by_field_name("right")
        if right is not None and right.named_children:
            ch = _receive_channel(right.named_children[0])
            if ch is not None and ch in chans:
                return True
    if t == "select_statement":
        cases = [c for c in stmt.named_children if c.type in ("communication_case", "default_case")]
        if cases and all(c.type == "communication_case" for c in cases):
            ok, waited = True, False
            for c in cases:
                comm = c.child_by_field_name("communication")
                if comm is None:
                    ok = False
                    break
                if comm.type == "receive_statement":
                    ch = _receive_channel(comm.child_by_field_name("right"))
                else:
                    ch = _receive_channel(comm.named_children[0] if comm.named_children else None)
                if ch is not None and ch in chans:
                    waited = True
                elif not _case_leaves(ctx, c, loop, launch):
                    ok = False  # e.g. a timeout case that carries on with the next iteration
                    break
            if ok and waited:  # select { case <-done: case <-time.After(d): t.Fatal(…) }
                return True
    return None


def _case_leaves(ctx: FileContext, case: Node, loop: Node, launch: Launch) -> bool:
    """A select case whose statements end the iteration for good: return, a break out of ``loop``,
    or a call that never returns (t.Fatal, panic, os.Exit…)."""
    comm = case.child_by_field_name("communication")
    for st in case.named_children:
        if st == comm or st.type == "comment":
            continue
        stmts = st.named_children if st.type == "statement_list" else [st]
        for x in stmts:
            if x.type != "comment" and _sync_stmt(ctx, x, loop, launch, set(), set(), False) is True:
                return True
    return False


def iteration_synced(ctx: FileContext, launch: Launch, loop: Node, waits: bool = True) -> bool:
    """S6: is the launch followed, in the same iteration of ``loop``, by sync or a loop exit?

    ``waits=False`` accepts only loop exits (for ``defer``, which waiting cannot help).
    """
    wgs, chans = body_sync_facts(ctx, launch.closures) if waits else (set(), set())
    n = launch.stmt
    while n is not None and n != loop:
        p = n.parent
        if p is not None and p.type == "statement_list":
            siblings = p.named_children
            after = False
            for s in siblings:
                if s == n:
                    after = True
                    continue
                if not after or s.type == "comment":
                    continue
                verdict = _sync_stmt(ctx, s, loop, launch, wgs, chans, waits)
                if verdict is True:
                    return True
                if verdict is False:
                    return False
        if p is not None and p.type in FUNC_TYPES:
            return False
        n = p
    return False
