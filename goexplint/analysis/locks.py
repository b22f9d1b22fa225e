"""Locks: which are held at a node, lock and unlock calls, and the paths that return holding one.

* Locks held at a node: :func:`locks_at` walks the statement lists from the enclosing function down to
  a node and returns the locks held there (write or read mode), never crossing a func literal;
  :func:`write_locked` says whether a write lock covers it.
* Lock calls: :func:`lock_call` recognises ``R.Lock()`` / ``R.RLock()`` / ``R.Unlock()`` /
  ``R.RUnlock()`` calls (``R`` not an import name); :func:`normalise` turns a receiver expression into
  comparable text (``c.stats.mu``; whitespace and parentheses dropped).
* :func:`mentions_unlock` is the "possible release" test: any identifier or field name containing
  ``unlock`` (``unlock()``, ``s.unlockAll()``, the method value ``mu.Unlock``, a closure that unlocks),
  except a plain ``Q.Unlock()`` call on a *different* receiver ``Q``.
* :func:`held_returns` asks the one control-flow walker (:mod:`goexplint.analysis.cfg`), with
  :class:`LockDomain`, which returns of a function are reached with a lock held: one abstract state per
  path for one lock site: not taken yet, held, released, unknown.  Joins where a held path meets a
  released or unknown one give "unknown" (a conditional unlock), so only paths on which the lock is known
  to be held count.  Calls that never return are :func:`cfg.never_returns`.  A site's walk starts at
  the top-level statement holding it (which statements a path reaches is found once per function) and
  ends when no path holds the lock any more, so N lock/unlock pairs cost linear work.
* :func:`called_with_lock_held`: a function whose name or comment says its caller holds the lock.

Func literals are separate functions: a lock never crosses their boundary.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

from tree_sitter import Node

from goexplint.analysis.cfg import EMPTY, Domain, Walker, never_returns, no_return_functions, statements
from goexplint.analysis.syntax import (FUNC_TYPES, ancestors_until, enclosing_function, match_rows, normal_text,
                                       outside_parens, resolve, root_identifier, scopes, unparen)
from goexplint.core.parse import FileContext, active, captures, node_text
from goexplint.core.providers import FILE, provider

# --------------------------------------------------------------------------- locks held at a node

LOCK_MODES = {b"Lock": "W", b"RLock": "R"}  # a lock method -> the mode it holds
UNLOCK_MODES = {b"Unlock": "W", b"RUnlock": "R"}  # an unlock method -> the mode it releases
UNKNOWN_LOCK = "?"  # key and mode of "an unknown lock helper ran"


def method_call(stmt: Node) -> Optional[Tuple[str, bytes]]:
    """``X.M()`` as an expression statement -> (normalised X, M)."""
    if stmt.type != "expression_statement" or not stmt.named_children:
        return None
    call = unparen(stmt.named_children[0])
    if call is None or call.type != "call_expression":
        return None
    fn = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    if fn is None or fn.type != "selector_expression" or (args is not None and args.named_children):
        return None
    operand = fn.child_by_field_name("operand")
    field = fn.child_by_field_name("field")
    if operand is None or field is None:
        return None
    return normal_text(operand), field.text


# lock helpers: lock(), rlock(), unlockAll(), s.lockShard(i), withLock(f), mu.TryLock() ("Block"/"clock" are not)
_LOCKISH = re.compile(rb"^(?:r?un)?r?lock|Lock|_lock")
_CALLS = "(call_expression function: [(identifier) @f (selector_expression field: (field_identifier) @f)])"


def apply_statement(held: Dict[str, str], stmt: Node) -> None:
    """Update ``held`` (as :func:`locks_at` returns it) for the statement ``stmt`` having run."""
    if b"ock" not in stmt.text:
        return  # every lock change names a call with "lock"/"Lock" in it (LOCK_MODES, UNLOCK_MODES, _LOCKISH)
    call = method_call(stmt)
    if call is not None:
        recv, method = call
        if method in LOCK_MODES:
            if held.get(recv) != "W":
                held[recv] = LOCK_MODES[method]
            return
        if method in UNLOCK_MODES:
            held.pop(recv, None)
            return
    if stmt.type == "defer_statement":
        return  # defer X.Unlock() keeps the lock held to the end of the function
    if _has_lock_helper(stmt):
        held[UNKNOWN_LOCK] = UNKNOWN_LOCK  # lock(), s.lockShard(i), withLock(func(){...}): state unknown from here on
        return
    if stmt.type in _COMPOUND:
        # a Lock inside a branch or loop may still be held after it, unless the same statement unlocks it
        locked, unlocked = lock_calls_in(stmt)
        if locked - unlocked:
            held[UNKNOWN_LOCK] = UNKNOWN_LOCK


_COMPOUND = ("if_statement", "for_statement", "expression_switch_statement", "type_switch_statement",
             "select_statement", "block", "labeled_statement")
_LOCK_CALLS = """
(call_expression function: (selector_expression operand: (_) @recv field: (field_identifier) @m)
  (#match? @m "^R?(Un)?[Ll]ock$"))
"""


def lock_calls_in(stmt: Node) -> Tuple[Set[str], Set[str]]:
    """Receivers locked and unlocked by direct calls inside ``stmt`` (func literals excluded)."""
    locked: Set[str] = set()
    unlocked: Set[str] = set()
    if b"ock" not in stmt.text:
        return locked, unlocked  # no Lock/Unlock name in it: the query would find nothing
    for row in match_rows(_LOCK_CALLS, stmt):
        recv, m = row["recv"], row["m"]
        if any(a.type == "func_literal" for a in ancestors_until(recv, stmt)):
            continue
        (unlocked if b"nlock" in m.text else locked).add(normal_text(recv))
    return locked, unlocked


def _has_lock_helper(stmt: Node) -> bool:
    text = stmt.text
    if b"lock" not in text and b"Lock" not in text:
        return False  # every name _LOCKISH matches contains one of them
    for f in captures(_CALLS, stmt).get("f", []):
        if _LOCKISH.search(f.text) and f.text not in LOCK_MODES and f.text not in UNLOCK_MODES:
            return True
    return False


def passed_to_lock_helper(lit: Node) -> bool:
    """``withLock(func(){…})``, ``s.mu.Do(func(){…})``-style: the literal may run under the helper's lock."""
    p = outside_parens(lit)[1]
    if p is None or p.type != "argument_list" or p.parent is None:
        return False
    fn = p.parent.child_by_field_name("function")
    name = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
    return name is not None and name.type in ("identifier", "field_identifier") and bool(_LOCKISH.search(name.text))


def locks_at(node: Node) -> Dict[str, str]:
    """The locks held at ``node`` (normalised receiver -> "W" | "R"; key "?" = an unknown lock helper ran).

    Walks the statement lists from the enclosing function (or func literal) body down to ``node``,
    applying the statements that precede it at each level.  ``defer X.Unlock()`` keeps X held; a branch
    that unlocks does not clear the lock for the statements after it; regions never cross a func literal.
    While a file is being linted the state before every statement of a list is computed once per list.
    """
    ctx = active()
    if ctx is not None:
        return dict(_held_before(ctx, node))
    chain: List[Node] = []
    n = node
    while n is not None and n.type not in FUNC_TYPES:
        chain.append(n)
        n = n.parent
    held: Dict[str, str] = {}
    if n is not None and n.type == "func_literal" and passed_to_lock_helper(n):
        held[UNKNOWN_LOCK] = UNKNOWN_LOCK
    for child in reversed(chain):
        parent = child.parent
        if parent is None or parent.type != "statement_list":
            continue
        for stmt in parent.named_children:
            if stmt == child:
                break
            apply_statement(held, stmt)
    return held


def _initial_held(func: Optional[Node]) -> Dict[str, str]:
    if func is not None and func.type == "func_literal" and passed_to_lock_helper(func):
        return {UNKNOWN: UNKNOWN}
    return {}


def _held_before(ctx: FileContext, node: Node) -> Dict[str, str]:
    """``locks_at`` from per-statement-list prefix states (:func:`held_in_list`; do not mutate the result)."""
    if node.type in FUNC_TYPES:
        return _initial_held(node)
    return _held_above(ctx, node)


def _held_above(ctx: FileContext, node: Node) -> Dict[str, str]:
    """The locks held before ``node`` runs: the statement lists above it, outermost first, each from
    its memoised prefix states (:func:`held_in_list`)."""
    chain = []  # (statement list, its child on the way up), innermost first
    child = node
    while True:
        parent = ctx.parent(child)
        if parent is None:
            base: Dict[str, str] = {}
            break
        if parent.type in FUNC_TYPES:
            base = _initial_held(parent)
            break
        if parent.type == "statement_list":
            chain.append((parent, child))
        child = parent
    for stmts, child in reversed(chain):
        base = held_in_list(ctx, stmts, tuple(base.items()))[child.id]
    return base


@provider(scope=FILE)
def held_in_list(ctx: FileContext, stmts: Node, entry: Tuple[Tuple[str, str], ...]) -> Dict[int, Dict[str, str]]:
    """Statement id -> the locks held before it, for each statement of the statement list ``stmts``
    entered with the locks ``entry`` held (receiver, mode pairs)."""
    held = dict(entry)
    states: Dict[int, Dict[str, str]] = {}
    for stmt in stmts.named_children:
        states[stmt.id] = dict(held)
        apply_statement(held, stmt)
    return states


def write_locked(node: Node) -> Optional[str]:
    """"W" when a write lock (or an unknown lock helper) covers ``node``, "R" when only read locks do, else None."""
    held = locks_at(node)
    if not held:
        return None
    if any(mode in ("W", UNKNOWN_LOCK) for mode in held.values()):
        return "W"
    return "R"


# --------------------------------------------------------------------------- lock calls

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


@provider(scope=FILE)
def lock_call(ctx: FileContext, node: Optional[Node]) -> Optional[LockCall]:
    """``node`` (a call, or an expression/defer/go statement holding one) is ``R.Lock()`` & co."""
    if node is None:
        return None
    if node.type in ("expression_statement", "defer_statement", "go_statement"):
        node = unparen(node.named_children[0]) if node.named_children else None
    if node is None or node.type != "call_expression":
        return None
    fn = unparen(node.child_by_field_name("function"))
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
    function while a file is being linted, :func:`function_own_nodes`; do not mutate the result)."""
    ctx = active()
    if ctx is None:
        return _own_nodes(func, query, name)
    return function_own_nodes(ctx, func, query, name)


@provider(scope=FILE)
def function_own_nodes(ctx: FileContext, func: Node, query: str, name: str) -> List[Node]:
    """:func:`own_nodes` of a function of the file being linted."""
    return _own_nodes(func, query, name)


def _own_nodes(func: Node, query: str, name: str) -> List[Node]:
    out = []
    for n in captures(query, func).get(name, []):
        if enclosing_function(n) == func:
            out.append(n)
    out.sort(key=lambda n: n.start_byte)
    return out


def is_intent_comment(ctx: FileContext, comment: Node) -> bool:
    return not _MACHINE_COMMENT.match(node_text(comment))


@provider(scope=FILE)
def comments_by_row(ctx: FileContext) -> Dict[int, List[Node]]:
    """The comments of the file by each row they cover."""
    found: Dict[int, List[Node]] = {}
    for c in captures("(comment) @c", ctx.root).get("c", []):
        for row in range(c.start_point[0], c.end_point[0] + 1):
            found.setdefault(row, []).append(c)
    return found


# --------------------------------------------------------------------------- returns reached holding a lock

NONE, HELD, RELEASED, UNKNOWN = "none", "held", "released", "unknown"


def join(states: FrozenSet[str]) -> FrozenSet[str]:
    """Merge paths at a join point: a held path meeting a released/unknown one is unknown."""
    if HELD in states and (RELEASED in states or UNKNOWN in states):
        return (states - {HELD, RELEASED}) | {UNKNOWN}
    return states


class LockDomain(Domain):
    """The states of one lock site on the :mod:`goexplint.analysis.cfg` walker: not taken yet, held,
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
            return frozenset((UNKNOWN if s == HELD else HELD,))  # taken twice: a double lock, not a missing unlock
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
                return frozenset((UNKNOWN,))  # defer X.Lock(): a misuse of its own, not a missing unlock
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


@provider(scope=FILE, requires=(no_return_functions, scopes))
def body_plan(ctx: FileContext, body: Node):
    """The top-level statements of ``body``, their start offsets, and for each whether a path reaches it;
    None when the body holds a statement the parser could not complete (``LockDomain.broken`` turns a
    "not taken yet" state into "unknown" there, so a site's walk must then start at the function entry).
    Computed once per body while a file is being linted."""
    stmts = statements(body)
    walker = Walker(_Reach(ctx))
    cur = frozenset((NONE,))
    reached = []
    for stmt in stmts:
        reached.append(bool(cur))
        if cur:
            cur = walker.step(stmt, cur).fall
    return None if walker.domain.broken_seen else (stmts, [s.start_byte for s in stmts], reached)


def held_returns(ctx: FileContext, site_stmt: Node, lock: LockCall) -> List[Node]:
    """The ``return`` statements of the site's function reached with ``lock`` held, in order, and
    the closing ``}`` of the body when a path falls off the end holding it (an implicit return).

    The walk starts at the top-level statement of the body holding the site, not at the function entry:
    before it every path is "not taken yet" (the site is not behind a loop of the body's top level), which
    :func:`body_plan` knows once for all the sites of the function.  It stops after the first top-level
    statement that no path leaves holding the lock: later statements cannot take it again (they do not
    hold the site), so they cannot reach a return with it held.  Each site thus costs the statements its
    lock is held across (and the top-level statement it sits in), not the rest of the function."""
    func = enclosing_function(site_stmt)
    body = func.child_by_field_name("body") if func is not None else None
    if body is None:
        return []
    domain = LockDomain(ctx, site_stmt, lock)
    walker = Walker(domain)
    plan = body_plan(ctx, body)
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
        return list(function_unlock_calls(ctx_active, func, key, method))
    return _unlock_calls(ctx, func, key, method)


@provider(scope=FILE, requires=(function_own_nodes, lock_call))
def function_unlock_calls(ctx: FileContext, func: Node, key: str, method: Optional[str]) -> List[LockCall]:
    """:func:`unlock_calls` of a function of the file being linted (do not mutate the result)."""
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
        first = first_lock_call(ctx_active, func, key)
        return first is not None and first[0] < site.start_byte and not first[1]
    for call in own_nodes(func, "(call_expression) @c", "c"):
        if call.start_byte >= site.start_byte:
            return False
        lc = lock_call(ctx, call)
        if lc is not None and lc.key == key:
            return not lc.is_lock
    return False


@provider(scope=FILE, requires=(function_own_nodes, lock_call))
def first_lock_call(ctx: FileContext, func: Node, key: str) -> Optional[Tuple[int, bool]]:
    """(start byte, is a lock) of the first lock or unlock call on ``key`` in ``func`` itself, or None."""
    for call in own_nodes(func, "(call_expression) @c", "c"):
        lc = lock_call(ctx, call)
        if lc is not None and lc.key == key:
            return call.start_byte, lc.is_lock
    return None


# --------------------------------------------------------------------------- functions called with a lock held

HELD_ON_ENTRY_NAME = re.compile(r"(?:(?<![Uu]n)[Ll]ocked|WithLock|Locked_)$")  # not …Unlocked
# "Lock should be held.", "Server lock is held on entry", "The caller must hold gsb.mu.", "filestore lock
# will be held", "Must be called with c.mu locked", "Assumes the lock is held", "the caller holds d.mu",
# "No locking as this is called from FindLeaf" (the caller's context takes the lock)
_LOCK_WORD = r"\b(?:lock|mutex|mu|mtx|[\w.]+\.(?:mu|mtx|lock|mutex|Mutex))\b"
_LOCKED_DOC = re.compile(r"(?i)\b(?:lock|mutex|mu|mtx)\b[^.\n]*\b(?:held|hold|holding|locked|acquired)\b"
                         r"|\bcaller must hold\b|\bmust be called with\b[^.\n]*\b(?:lock|mu|mutex)"
                         r"|\bassumes?\b[^.\n]*\block"
                         r"|\bcallers? (?:must |should |already )?(?:holds?|has|have|owns?)\b"
                         r"(?:[^.\n]|\.(?=\w))*?" + _LOCK_WORD
                         + r"|\bno lock(?:ing)? (?:as|because|since)\b[^.\n]*\bcalled (?:from|by|with(?:in)?|under)\b")


def _leading_body_comments(decl: Node) -> List[str]:
    """The comments at the top of the declaration's body, before its first statement."""
    body = decl.child_by_field_name("body")
    out: List[str] = []
    if body is None:
        return out
    nodes = list(body.named_children)
    while nodes:
        node = nodes.pop(0)
        if node.type == "comment":
            out.append(node_text(node))
        elif node.type == "statement_list":
            nodes = list(node.named_children) + nodes
        else:
            break
    return out


def doc_says_locked(decl: Node) -> bool:
    """The declaration's own comment says its caller holds the lock: the doc comment right above it, or
    the comments at the top of its body (``// No locking as this is called from FindLeaf``)."""
    lines: List[str] = []
    prev = decl.prev_sibling
    end_row = decl.start_point[0]
    while prev is not None and prev.type == "comment" and prev.end_point[0] >= end_row - 1:
        lines.append(node_text(prev))
        end_row = prev.start_point[0]
        prev = prev.prev_sibling
    if lines and _LOCKED_DOC.search(" ".join(reversed(lines))):
        return True
    body = _leading_body_comments(decl)
    return bool(body) and bool(_LOCKED_DOC.search(" ".join(body)))


def called_with_lock_held(func: Node) -> bool:
    """A method whose name (``…Locked``, ``…WithLock``) or own comment says its caller holds the lock."""
    if func.type != "method_declaration":
        return False
    name = func.child_by_field_name("name")
    return doc_says_locked(func) or (name is not None and bool(HELD_ON_ENTRY_NAME.search(node_text(name))))
