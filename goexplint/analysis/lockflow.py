"""S4 lock regions for the lock rules (GXL208, GXL209): lock calls, receivers, a CFG-lite walk.

* :func:`normalise` turns a receiver expression into comparable text (``c.stats.mu``; whitespace and
  parentheses dropped), :func:`lock_call` recognises ``R.Lock()`` / ``R.RLock()`` / ``R.Unlock()`` /
  ``R.RUnlock()`` calls (``R`` not an import name).
* :func:`mentions_unlock` is the "possible release" test: any identifier or field name containing
  ``unlock`` (``unlock()``, ``s.unlockAll()``, the method value ``mu.Unlock``, a closure that unlocks),
  except a plain ``Q.Unlock()`` call on a *different* receiver ``Q``.
* :func:`held_returns` is the path walk of GXL209: from function entry, through ``if``/``switch``/
  ``select``/``for`` (loops iterate to a fixed point), with one abstract state per path for one lock
  site: not taken yet, held, released, unknown.  Joins where a held path meets a released or unknown
  one give "unknown" (a conditional unlock: no report), so reports only come from paths on which the
  lock is known to be held.

Func literals are separate functions: a lock never crosses their boundary.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Dict, Iterator, List, Optional, Set

from tree_sitter import Node

from goexplint.core.parse import FileContext, active, captures
from goexplint.analysis.syntax import FUNC_TYPES, enclosing_function, node_text, resolve, unparen  # noqa: F401

LOCKS = {"Lock": "Unlock", "RLock": "RUnlock"}
UNLOCKS = {"Unlock": "Lock", "RUnlock": "RLock"}
_NORM = re.compile(r"\s+")
_NAME_QUERY = "[(identifier) (field_identifier)] @name"
# Calls after which the path does not go on (no report there: the process or goroutine is going away,
# or the panic is someone else's problem -- see GXL209's documentation).
TERMINATORS = frozenset(("Exit", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln", "FailNow",
                         "Goexit", "Skip", "Skipf", "SkipNow"))
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


def statements(stmt_list: Optional[Node]) -> List[Node]:
    """The statements of a statement list / block (comments dropped)."""
    if stmt_list is None:
        return []
    if stmt_list.type == "block":
        inner = [c for c in stmt_list.named_children if c.type == "statement_list"]
        stmt_list = inner[0] if inner else None
        if stmt_list is None:
            return []
    return [c for c in stmt_list.named_children if c.type != "comment"]


# --------------------------------------------------------------------------- GXL209 path walk

NONE, HELD, RELEASED, UNKNOWN = "none", "held", "released", "unknown"


def join(states: Set[str]) -> Set[str]:
    """Merge paths at a join point: a held path meeting a released/unknown one is unknown."""
    if HELD in states and (RELEASED in states or UNKNOWN in states):
        return (states - {HELD, RELEASED}) | {UNKNOWN}
    return states


@dataclasses.dataclass
class Flow:
    """Exits of a statement (list): fall-through states and break/continue states by label (None = unlabelled)."""

    fall: Set[str] = dataclasses.field(default_factory=set)
    breaks: Dict[Optional[bytes], Set[str]] = dataclasses.field(default_factory=dict)
    continues: Dict[Optional[bytes], Set[str]] = dataclasses.field(default_factory=dict)

    def absorb_exits(self, other: "Flow") -> None:
        for label, states in other.breaks.items():
            self.breaks.setdefault(label, set()).update(states)
        for label, states in other.continues.items():
            self.continues.setdefault(label, set()).update(states)


class _Walker:
    """Walks one function for one lock site and collects the returns reached while the lock is held."""

    def __init__(self, ctx: FileContext, site_stmt: Node, lock: LockCall):
        self.ctx = ctx
        self.site = site_stmt
        self.lock = lock
        self.key = lock.key
        self.returns: List[Node] = []
        self._seen: Set[int] = set()

    # -- helpers
    def _releases(self, node: Optional[Node]) -> bool:
        return node is not None and mentions_unlock(self.ctx, node, self.key)

    # -- statements
    def run_list(self, stmts: List[Node], states: Set[str]) -> Flow:
        out = Flow()
        cur = set(states)
        for stmt in stmts:
            if not cur:
                break
            f = self.run_stmt(stmt, cur)
            out.absorb_exits(f)
            cur = f.fall
        out.fall = cur
        return out

    def run_stmt(self, stmt: Node, states: Set[str], label: Optional[bytes] = None) -> Flow:
        flow = Flow()
        for s in states:
            f = self._one(stmt, s, label)
            flow.fall |= f.fall
            flow.absorb_exits(f)
        flow.fall = join(flow.fall)
        return flow

    def _one(self, stmt: Node, s: str, label: Optional[bytes]) -> Flow:
        t = stmt.type
        if stmt == self.site:
            return Flow(fall={UNKNOWN if s == HELD else HELD})  # taken twice: GXL208's business
        if t in ("block", "statement_list"):
            return self.run_list(statements(stmt), {s})
        if t == "labeled_statement":
            inner = [c for c in stmt.named_children if c.type not in ("label_name", "comment")]
            lab = stmt.named_children[0].text if stmt.named_children else None
            if not inner:
                return Flow(fall={s})
            f = self.run_stmt(inner[0], {s}, lab)
            # a labelled break of a non-loop statement (if/block) ends here
            f.fall = join(f.fall | f.breaks.pop(lab, set()))
            return f
        if t == "if_statement":
            return self._if(stmt, s)
        if t in ("expression_switch_statement", "type_switch_statement", "select_statement"):
            return self._switch(stmt, s, label)
        if t == "for_statement":
            return self._for(stmt, s, label)
        if s == HELD:
            return self._held_simple(stmt)
        # not held on this path: only the way the statement leaves matters
        if t == "return_statement":
            return Flow()
        if t in ("break_statement", "continue_statement"):
            lab = stmt.named_children[0].text if stmt.named_children else None
            return Flow(breaks={lab: {s}}) if t == "break_statement" else Flow(continues={lab: {s}})
        return Flow(fall={s})

    def _held_simple(self, stmt: Node) -> Flow:
        t = stmt.type
        if t == "return_statement":
            if not self._releases(stmt):
                self._report(stmt)
            return Flow()
        if t == "break_statement":
            lab = stmt.named_children[0].text if stmt.named_children else None
            return Flow(breaks={lab: {HELD}})
        if t == "continue_statement":
            lab = stmt.named_children[0].text if stmt.named_children else None
            return Flow(continues={lab: {HELD}})
        if t in ("fallthrough_statement", "goto_statement"):
            return Flow(fall={UNKNOWN})
        if t == "expression_statement":
            lc = lock_call(self.ctx, stmt)
            if lc is not None and lc.key == self.key:
                return Flow(fall={RELEASED if not lc.is_lock else UNKNOWN})
            if _terminates(stmt):
                return Flow()
        if t == "defer_statement":
            lc = lock_call(self.ctx, stmt)
            if lc is not None and lc.key == self.key and lc.is_lock:
                return Flow(fall={UNKNOWN})  # defer X.Lock(): GXL208's finding, not a missing unlock
            # a deferred unlock (direct, closure or helper) protects every later return of this path
            return Flow(fall={UNKNOWN} if self._releases(stmt) else {HELD})
        if self._releases(stmt):
            return Flow(fall={UNKNOWN})
        return Flow(fall={HELD})

    def _report(self, stmt: Node) -> None:
        if stmt.id not in self._seen:
            self._seen.add(stmt.id)
            self.returns.append(stmt)

    def _header(self, node: Optional[Node], s: str) -> str:
        """State after evaluating a header part (initializer, condition, switch value)."""
        if node is None or s != HELD:
            return s
        if node.type in ("expression_statement", "assignment_statement", "short_var_declaration",
                         "inc_statement", "dec_statement", "send_statement"):
            f = self._held_simple(node)
            return next(iter(f.fall)) if f.fall else UNKNOWN
        return UNKNOWN if self._releases(node) else s

    def _if(self, stmt: Node, s: str) -> Flow:
        s = self._header(stmt.child_by_field_name("initializer"), s)
        s = self._header(stmt.child_by_field_name("condition"), s)
        out = Flow()
        consequence = stmt.child_by_field_name("consequence")
        cons = self.run_stmt(consequence, {s}) if consequence is not None else Flow(fall={s})
        out.fall |= cons.fall
        out.absorb_exits(cons)
        alt = stmt.child_by_field_name("alternative")
        if alt is None:
            out.fall.add(s)
        else:
            f = self.run_stmt(alt, {s})
            out.fall |= f.fall
            out.absorb_exits(f)
        out.fall = join(out.fall)
        return out

    def _switch(self, stmt: Node, s: str, label: Optional[bytes]) -> Flow:
        s = self._header(stmt.child_by_field_name("initializer"), s)
        s = self._header(stmt.child_by_field_name("value"), s)
        out = Flow()
        has_default = False
        cases = [c for c in stmt.named_children
                 if c.type in ("expression_case", "type_case", "default_case", "communication_case")]
        for case in cases:
            cs = s
            if case.type == "default_case":
                has_default = True
            comm = case.child_by_field_name("communication")
            if comm is not None:
                cs = self._header(comm, cs)
            value = case.child_by_field_name("value")
            if value is not None and case.type == "expression_case":
                cs = self._header(value, cs)
            body = [c for c in case.named_children if c.type == "statement_list"]
            f = self.run_list(statements(body[0]) if body else [], {cs})
            out.fall |= f.fall
            out.fall |= f.breaks.pop(None, set())
            if label is not None:
                out.fall |= f.breaks.pop(label, set())
            out.absorb_exits(f)
        if not has_default and stmt.type != "select_statement":
            out.fall.add(s)  # no case matched
        out.fall = join(out.fall)
        return out

    def _for(self, stmt: Node, s: str, label: Optional[bytes]) -> Flow:
        body = stmt.child_by_field_name("body")
        if body is None:  # a broken parse: stop following this path
            return Flow(fall={UNKNOWN})
        clause = [c for c in stmt.named_children if c != body and c.type != "comment"]
        infinite = not clause
        if clause:
            s = self._header(clause[0], s)
        entry = {s}
        out = Flow()
        for _ in range(6):  # the state set only grows; a handful of rounds reaches the fixed point
            f = self.run_stmt(body, entry)
            back = set(f.fall) | f.continues.pop(None, set())
            if label is not None:
                back |= f.continues.pop(label, set())
            # a lock taken inside the body and still held at the end of an iteration: the next
            # iteration's Lock deadlocks or the loop ends holding it; neither is this rule's finding
            if body.start_byte <= self.site.start_byte < body.end_byte and HELD in back:
                back = (back - {HELD}) | {UNKNOWN}
            breaks = f.breaks.pop(None, set())
            if label is not None:
                breaks |= f.breaks.pop(label, set())
            new_entry = join(entry | back)
            out.fall |= breaks
            out.absorb_exits(f)
            if new_entry == entry:
                break
            entry = new_entry
        if not infinite:
            out.fall |= entry
        out.fall = join(out.fall)
        return out


def _terminates(stmt: Node) -> bool:
    call = _strip_parens(stmt.named_children[0]) if stmt.named_children else None
    if call is None or call.type != "call_expression":
        return False
    fn = _strip_parens(call.child_by_field_name("function"))
    if fn is None:
        return False
    if fn.type == "identifier":
        return fn.text == b"panic"
    if fn.type == "selector_expression":
        field = fn.child_by_field_name("field")
        return field is not None and node_text(field) in TERMINATORS
    return False


def function_has_goto(func: Node) -> bool:
    return bool(own_nodes(func, "(goto_statement) @g", "g"))


def held_returns(ctx: FileContext, site_stmt: Node, lock: LockCall) -> List[Node]:
    """GXL209: the ``return`` statements of the site's function reached with ``lock`` held, in order, and
    the closing ``}`` of the body when a path falls off the end holding it (an implicit return)."""
    func = enclosing_function(site_stmt)
    body = func.child_by_field_name("body") if func is not None else None
    if body is None:
        return []
    walker = _Walker(ctx, site_stmt, lock)
    end = walker.run_list(statements(body), {NONE})
    if HELD in end.fall:
        walker.returns.append(body.children[-1])
    return sorted(walker.returns, key=lambda n: n.start_byte)


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


def later_siblings(stmt: Node) -> List[Node]:
    """Statements after ``stmt`` in its statement list (comments included, in order)."""
    out = []
    n = stmt.next_named_sibling
    while n is not None:
        out.append(n)
        n = n.next_named_sibling
    return out


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
