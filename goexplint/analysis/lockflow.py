"""S4 lock regions for the lock rules (GXL208, GXL209): lock calls, receivers, a CFG-lite walk.

* :func:`normalise` turns a receiver expression into comparable text (``c.stats.mu``; whitespace and
  parentheses dropped), :func:`lock_call` recognises ``R.Lock()`` / ``R.RLock()`` / ``R.Unlock()`` /
  ``R.RUnlock()`` calls (``R`` not an import name).
* :func:`mentions_unlock` is the "possible release" test: any identifier or field name containing
  ``unlock`` (``unlock()``, ``s.unlockAll()``, the method value ``mu.Unlock``, a closure that unlocks),
  except a plain ``Q.Unlock()`` call on a *different* receiver ``Q``.
* :func:`held_returns` is the path question of GXL209, asked of the one control-flow walker
  (:mod:`goexplint.analysis.cfg`) with :class:`LockDomain`: one abstract state per path for one lock
  site: not taken yet, held, released, unknown.  Joins where a held path meets a released or unknown
  one give "unknown" (a conditional unlock: no report), so reports only come from paths on which the
  lock is known to be held.  Calls that never return are :func:`ctxflow.never_returns`.  A site's walk
  starts at the top-level statement holding it (which statements a path reaches is found once per
  function) and ends when no path holds the lock any more, so N lock/unlock pairs cost linear work.

Func literals are separate functions: a lock never crosses their boundary.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import Dict, FrozenSet, Iterator, List, Optional, Set

from tree_sitter import Node

from goexplint.core.parse import FileContext, active, captures
from goexplint.analysis.cfg import EMPTY, Domain, Walker, statements
from goexplint.analysis.ctxflow import never_returns
from goexplint.analysis.syntax import FUNC_TYPES, enclosing_function, node_text, resolve, unparen  # noqa: F401

LOCKS = {"Lock": "Unlock", "RLock": "RUnlock"}
UNLOCKS = {"Unlock": "Lock", "RUnlock": "RLock"}
_NORM = re.compile(r"\s+")
_NAME_QUERY = "[(identifier) (field_identifier)] @name"
# Comments that are tool directives or fixture markers, not prose written by the author.
_MACHINE_COMMENT = re.compile(r"^//\s*(?:goexplint:|nolint\b|lint:|(?:want|ok|todo-want|todo-ok)(?:\s+GXL\d{3})+)")


def normalise(node: Node) -> str:
    """Expression text without whitespace, comments or redundant parentheses: ``( s . mu )`` -> ``s.mu``.
    Parentheses around a ``*p`` dereference stay (``(*p).mu``)."""
    if node.type == "parenthesized_expression" and node.named_children:
        inner = normalise(node.named_children[0])
        return "(%s)" % inner if inner.startswith("*") and node.parent is not None \
            and node.parent.type == "selector_expression" else inner
    if node.child_count == 0:
        return _NORM.sub("", node_text(node))
    return "".join(normalise(c) for c in node.children if c.type != "comment")


@dataclasses.dataclass(frozen=True)
class LockCall:
    call: Node  # the call_expression
    recv: Node  # the receiver expression R of R.Lock()
    key: str  # normalised receiver text
    method: str  # Lock | RLock | Unlock | RUnlock

    @property
    def is_lock(self) -> bool:
        return self.method in LOCKS


_strip_parens = unparen


def lock_call(ctx: FileContext, node: Optional[Node]) -> Optional[LockCall]:
    """``node`` (a call, or an expression/defer/go statement holding one) is ``R.Lock()`` & co."""
    if node is None:
        return None
    key = ("lockflow.lock_call", node.id)
    try:
        return ctx.cache[key]
    except KeyError:
        found = ctx.cache[key] = _lock_call(ctx, node)
        return found


def _lock_call(ctx: FileContext, node: Node) -> Optional[LockCall]:
    if node.type in ("expression_statement", "defer_statement", "go_statement"):
        node = _strip_parens(node.named_children[0]) if node.named_children else None
    if node is None or node.type != "call_expression":
        return None
    fn = _strip_parens(node.child_by_field_name("function"))
    args = node.child_by_field_name("arguments")
    if fn is None or fn.type != "selector_expression" or args is None or args.named_child_count:
        return None
    field = fn.child_by_field_name("field")
    recv = fn.child_by_field_name("operand")
    method = node_text(field) if field is not None else ""
    if recv is None or (method not in LOCKS and method not in UNLOCKS):
        return None
    if recv.type == "identifier" and node_text(recv) in ctx.imports and resolve(recv) is None:
        return None  # pkg.Lock(): a package function, not a mutex method
    return LockCall(node, recv, normalise(recv), method)


def simple_receiver(call: LockCall) -> bool:
    """Receivers made of names, selectors, ``*``/``&`` and parentheses only (no calls, no indexing)."""
    return all(n.type in ("identifier", "field_identifier", "selector_expression", "parenthesized_expression",
                          "unary_expression", "pointer_type")
               or not n.is_named for n in _descendants(call.recv))


def _descendants(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.children)


def root_identifier(node: Node) -> Optional[Node]:
    """``s`` of ``s.a.b`` / ``(*s).mu``."""
    n = node
    while n is not None:
        if n.type == "identifier":
            return n
        if n.type == "selector_expression":
            n = n.child_by_field_name("operand")
        elif n.type in ("parenthesized_expression", "unary_expression"):
            n = n.named_children[-1] if n.named_children else None
        elif n.type == "index_expression":
            n = n.child_by_field_name("operand")
        else:
            return None
    return None


def mentions_unlock(ctx: FileContext, node: Node, key: Optional[str]) -> bool:
    """``node`` may release the lock keyed ``key``: a name containing "unlock" anywhere in it, except a plain
    ``Q.Unlock()``/``Q.RUnlock()`` call on a different receiver ``Q``.  With ``key=None`` every name
    containing "unlock" counts, whatever its receiver."""
    if b"unlock" not in node.text.lower():
        return False
    for name in captures(_NAME_QUERY, node).get("name", []):
        if b"unlock" not in name.text.lower():
            continue
        if name.type == "field_identifier" and name.text in (b"Unlock", b"RUnlock"):
            sel = name.parent
            call = sel.parent if sel is not None else None
            if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == sel:
                lc = lock_call(ctx, call)
                if lc is not None and key is not None and lc.key != key:
                    continue
        return True
    return False


def own_nodes(func: Node, query: str, name: str) -> List[Node]:
    """Captures ``name`` of ``query`` inside ``func`` but not inside a nested func literal (memoised per
    function while a file is being linted; do not mutate the result)."""
    ctx = active()
    if ctx is None:
        return _own_nodes(func, query, name)
    key = ("lockflow.own_nodes", func.id, query, name)
    found = ctx.cache.get(key)
    if found is None:
        found = ctx.cache[key] = _own_nodes(func, query, name)
    return found


def _own_nodes(func: Node, query: str, name: str) -> List[Node]:
    out = []
    for n in captures(query, func).get(name, []):
        if enclosing_function(n) == func:
            out.append(n)
    out.sort(key=lambda n: n.start_byte)
    return out


def is_intent_comment(ctx: FileContext, comment: Node) -> bool:
    return not _MACHINE_COMMENT.match(node_text(comment))


def comments_by_row(ctx: FileContext) -> Dict[int, List[Node]]:
    key = ("lockflow_comments",)
    found = ctx.cache.get(key)
    if found is None:
        found = {}
        for c in captures("(comment) @c", ctx.root).get("c", []):
            for row in range(c.start_point[0], c.end_point[0] + 1):
                found.setdefault(row, []).append(c)
        ctx.cache[key] = found
    return found


# --------------------------------------------------------------------------- GXL209 path walk

NONE, HELD, RELEASED, UNKNOWN = "none", "held", "released", "unknown"


def join(states: FrozenSet[str]) -> FrozenSet[str]:
    """Merge paths at a join point: a held path meeting a released/unknown one is unknown."""
    if HELD in states and (RELEASED in states or UNKNOWN in states):
        return (states - {HELD, RELEASED}) | {UNKNOWN}
    return states


class LockDomain(Domain):
    """GXL209's states for one lock site on the :mod:`goexplint.analysis.cfg` walker: not taken yet, held,
    released, unknown; collects the returns reached while the lock is held."""

    def __init__(self, ctx: FileContext, site_stmt: Node, lock: LockCall):
        self.ctx = ctx
        self.site = site_stmt
        self.key = lock.key
        self.returns: List[Node] = []
        self._seen: Set[int] = set()

    def _releases(self, node: Optional[Node]) -> bool:
        return node is not None and mentions_unlock(self.ctx, node, self.key)

    def join(self, states):
        return join(states)

    def no_return(self, call: Node) -> bool:
        # other packages' Fatal*/Exit/Panic*/Goexit/Skip* are trusted by name too (klog.Fatalf, t.Goexit)
        return never_returns(self.ctx, call, by_name=True)

    def simple(self, node: Node, s: str):
        if node == self.site:
            return frozenset((UNKNOWN if s == HELD else HELD,))  # taken twice: GXL208's business
        if s != HELD:
            return frozenset((s,))
        t = node.type
        if t == "expression_statement":
            lc = lock_call(self.ctx, node)
            if lc is not None and lc.key == self.key:
                return frozenset((RELEASED if not lc.is_lock else UNKNOWN,))
        if t == "defer_statement":
            lc = lock_call(self.ctx, node)
            if lc is not None and lc.key == self.key and lc.is_lock:
                return frozenset((UNKNOWN,))  # defer X.Lock(): GXL208's finding, not a missing unlock
            # a deferred unlock (direct, closure or helper) protects every later return of this path
        return frozenset((UNKNOWN if self._releases(node) else HELD,))

    def reached_return(self, stmt: Node, s: str) -> None:
        if s == HELD and not self._releases(stmt) and stmt.id not in self._seen:
            self._seen.add(stmt.id)
            self.returns.append(stmt)

    def goto(self, stmt: Node, s: str):
        return frozenset((UNKNOWN if s == HELD else s,))

    def back_edge(self, loop: Node, states):
        # a lock taken inside the body and still held at the end of an iteration: the next iteration's
        # Lock deadlocks or the loop ends holding it; neither is this rule's finding
        body = loop.child_by_field_name("body")
        if body is not None and body.start_byte <= self.site.start_byte < body.end_byte and HELD in states:
            return (states - {HELD}) | {UNKNOWN}
        return states

    def broken(self, node: Node, s: str):
        return frozenset((UNKNOWN,))  # a broken parse: stop following this path


def function_has_goto(func: Node) -> bool:
    return bool(own_nodes(func, "(goto_statement) @g", "g"))


class _Reach(Domain):
    """One state, "a path gets here": which top-level statements of a body some path reaches.  Whether a
    path goes on is the same in every domain (no hook of the walker ends a path; returns, ``break``,
    ``continue`` and calls that never return do), so this walk answers it for every lock site at once."""

    def __init__(self, ctx: FileContext):
        self.ctx = ctx
        self.broken_seen = False

    def no_return(self, call: Node) -> bool:
        return never_returns(self.ctx, call, by_name=True)  # the same calls as LockDomain.no_return

    def broken(self, node: Node, s: str):
        self.broken_seen = True
        return frozenset((s,))


def _body_plan(ctx: FileContext, body: Node):
    """The top-level statements of ``body``, their start offsets, and for each whether a path reaches it;
    None when the body holds a statement the parser could not complete (``LockDomain.broken`` turns a
    "not taken yet" state into "unknown" there, so a site's walk must then start at the function entry).
    Computed once per body while a file is being linted."""
    key = ("lockflow.body_plan", body.id)
    try:
        return ctx.cache[key]
    except KeyError:
        pass
    stmts = statements(body)
    walker = Walker(_Reach(ctx))
    cur = frozenset((NONE,))
    reached = []
    for stmt in stmts:
        reached.append(bool(cur))
        if cur:
            cur = walker.step(stmt, cur).fall
    plan = None if walker.domain.broken_seen else (stmts, [s.start_byte for s in stmts], reached)
    ctx.cache[key] = plan
    return plan


def held_returns(ctx: FileContext, site_stmt: Node, lock: LockCall) -> List[Node]:
    """GXL209: the ``return`` statements of the site's function reached with ``lock`` held, in order, and
    the closing ``}`` of the body when a path falls off the end holding it (an implicit return).

    The walk starts at the top-level statement of the body holding the site, not at the function entry:
    before it every path is "not taken yet" (the site is not behind a loop of the body's top level), which
    :func:`_body_plan` knows once for all the sites of the function.  It stops after the first top-level
    statement that no path leaves holding the lock: later statements cannot take it again (they do not
    hold the site), so they cannot reach a return with it held.  Each site thus costs the statements its
    lock is held across (and the top-level statement it sits in), not the rest of the function."""
    func = enclosing_function(site_stmt)
    body = func.child_by_field_name("body") if func is not None else None
    if body is None:
        return []
    domain = LockDomain(ctx, site_stmt, lock)
    walker = Walker(domain)
    plan = _body_plan(ctx, body)
    if plan is None:
        fall = walker.walk(body, frozenset((NONE,))).fall
    else:
        stmts, starts, reached = plan
        first = bisect.bisect_right(starts, site_stmt.start_byte) - 1
        fall = frozenset((NONE,)) if first >= 0 and reached[first] else EMPTY
        for stmt in stmts[first:] if fall else ():
            fall = walker.step(stmt, fall).fall
            if HELD not in fall:
                break
    if HELD in fall:
        domain.returns.append(body.children[-1])
    return sorted(domain.returns, key=lambda n: n.start_byte)


def unlock_calls(ctx: FileContext, func: Node, key: str, method: Optional[str] = None) -> List[LockCall]:
    """``key.Unlock()`` / ``key.RUnlock()`` calls of ``func`` itself (not of nested func literals); with
    ``method`` (``Lock``/``RLock``) only the matching unlock.  Memoised per function while a file is
    being linted (a fresh list is returned)."""
    ctx_active = active()
    if ctx_active is not None:
        memo_key = ("lockflow.unlock_calls", func.id, key, method)
        found = ctx_active.cache.get(memo_key)
        if found is None:
            found = ctx_active.cache[memo_key] = _unlock_calls(ctx, func, key, method)
        return list(found)
    return _unlock_calls(ctx, func, key, method)


def _unlock_calls(ctx: FileContext, func: Node, key: str, method: Optional[str]) -> List[LockCall]:
    out = []
    for call in own_nodes(func, "(call_expression) @c", "c"):
        lc = lock_call(ctx, call)
        if lc is not None and not lc.is_lock and lc.key == key and (method is None or UNLOCKS[lc.method] == method):
            out.append(lc)
    return out


def deferred_releases_before(ctx: FileContext, func: Node, site: Node, key: str) -> bool:
    """A ``defer`` of ``func`` before ``site`` that may unlock ``key`` (``defer mu.Unlock(); mu.Lock()``)."""
    for d in own_nodes(func, "(defer_statement) @d", "d"):
        if d.start_byte < site.start_byte and mentions_unlock(ctx, d, key):
            return True
    return False


def is_lock_statement(ctx: FileContext, stmt: Node) -> Optional[LockCall]:
    if stmt.type != "expression_statement":
        return None
    lc = lock_call(ctx, stmt)
    return lc if lc is not None and lc.is_lock else None


def later_siblings(stmt: Node) -> Iterator[Node]:
    """Statements after ``stmt`` in its statement list (comments included, in order), one at a time: a
    caller that stops at the first few does not pay for the rest of the list."""
    n = stmt.next_named_sibling
    while n is not None:
        yield n
        n = n.next_named_sibling


def assigns_to(node: Node, name: bytes) -> bool:
    """``node`` (a statement) assigns or redeclares identifier ``name`` at top level of its left side."""
    for kind in ("assignment_statement", "short_var_declaration", "inc_statement", "dec_statement"):
        for st in captures("(%s) @s" % kind, node).get("s", []):
            left = st.child_by_field_name("left") if kind in ("assignment_statement", "short_var_declaration") \
                else st
            if left is None:
                continue
            for ident in captures("(identifier) @i", left).get("i", []):
                if ident.text == name:
                    return True
    return False


def _result_names(func: Node) -> Set[bytes]:
    result = func.child_by_field_name("result")
    if result is None or result.type != "parameter_list":
        return set()
    return {n.text for n in captures("(parameter_declaration name: (identifier) @n)", result).get("n", [])}


def hands_over(ctx: FileContext, func: Node, ret: Node, lock: LockCall) -> bool:
    """``return`` gives the caller the value whose lock is held: an operand that is the lock's path or a
    prefix of it (``return i`` for ``i.mu``), or a naked return when the path's root is a named result."""
    operands = [c for c in ret.named_children if c.type != "comment"]
    if operands and operands[0].type == "expression_list":
        operands = operands[0].named_children
    if not operands:  # naked return: the named results, and what the function assigned to them
        root = root_identifier(lock.recv)
        names = _result_names(func)
        if root is not None and root.text in names:
            return True
        for st in own_nodes(func, "(assignment_statement) @a", "a"):
            left, right = st.child_by_field_name("left"), st.child_by_field_name("right")
            if left is None or right is None or len(left.named_children) != len(right.named_children):
                continue
            for target, value in zip(left.named_children, right.named_children):
                if target.text in names:
                    operands.append(value)
    for op in operands:
        text = normalise(op).lstrip("&")
        if text and (lock.key == text or lock.key.startswith(text + ".")):
            return True
    return False


def relock_site(ctx: FileContext, func: Node, site: Node, key: str) -> bool:
    """``site`` re-takes a lock the caller holds: the function's first lock call on ``key`` is an unlock
    that comes before ``site`` (``mu.Unlock(); slow(); mu.Lock()`` in a function called with ``mu`` held)."""
    ctx_active = active()
    if ctx_active is not None:
        memo_key = ("lockflow.first_lock_call", func.id, key)
        if memo_key not in ctx_active.cache:
            first = None
            for call in own_nodes(func, "(call_expression) @c", "c"):
                lc = lock_call(ctx, call)
                if lc is not None and lc.key == key:
                    first = (call.start_byte, lc.is_lock)
                    break
            ctx_active.cache[memo_key] = first
        first = ctx_active.cache[memo_key]
        return first is not None and first[0] < site.start_byte and not first[1]
    for call in own_nodes(func, "(call_expression) @c", "c"):
        if call.start_byte >= site.start_byte:
            return False
        lc = lock_call(ctx, call)
        if lc is not None and lc.key == key:
            return not lc.is_lock
    return False
