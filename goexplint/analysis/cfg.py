"""One control-flow walker for the path questions of every family (layout.md §5).

:class:`Walker` follows the statements of one function body from its entry, with a set of abstract
states per program point, through blocks, ``if`` (a constant ``true``/``false`` condition makes the other
branch dead), ``switch``/``select`` (``fallthrough`` carries into the next case), ``for`` (iterated to a
fixed point; a ``for`` without condition ends only by ``break``), labels, ``break``/``continue`` (labelled
or not), ``return`` and calls that never return.  What a state *means* belongs to a :class:`Domain`:

* ``locks.LockDomain``: not taken / held / released / unknown for one lock site;
* the context family's ``CancelDomain``: the cancel function of a ``context.With*`` call used or not.

:func:`never_returns` is the one "this call never returns" check (``panic``, ``os.Exit``,
``log.Fatal*``, ``t.Fatal*`` … and same-file functions that always end that way) of the domains, the
function summaries and the lock and goroutine analyses.

The walk is **iterative** (handlers are generators driven from one explicit stack, so an else-if chain
of thousands of branches or hundreds of nested blocks cannot raise RecursionError) and **linear**: the
result of walking one statement from one state is memoised, so every statement is walked at most once
per abstract state whatever the nesting of loops.  :data:`STATS` counts the statement visits (a
deterministic work counter for the scaling tests).

Func literals are other functions: the walker never enters them (a domain may look inside a simple
statement, e.g. for a deferred closure that unlocks).
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Generator, Hashable, List, Optional, Set

from tree_sitter import Node

from goexplint.analysis.syntax import package_member, resolve, scopes, unparen
from goexplint.core.parse import FileContext, node_text
from goexplint.core.providers import FILE, provider

State = Hashable
States = FrozenSet[State]
EMPTY: States = frozenset()
LOOP_ROUNDS = 8  # a safety cap; the domains' state sets only grow at a loop head and settle in a few rounds
STATS = {"visits": 0}  # statements walked since the process started (see module doc)

SWITCHES = ("expression_switch_statement", "type_switch_statement", "select_statement")
CASES = ("expression_case", "type_case", "default_case", "communication_case")


class Flow:
    """How a statement (list) is left: the states falling through, and the states of ``break``/``continue``
    by label (None = unlabelled).  Never mutated once built (the walker memoises them)."""

    __slots__ = ("fall", "breaks", "continues")

    def __init__(self, fall: States = EMPTY, breaks: Optional[Dict] = None, continues: Optional[Dict] = None):
        self.fall = fall
        self.breaks: Dict[Optional[bytes], States] = breaks or {}
        self.continues: Dict[Optional[bytes], States] = continues or {}


def _add(into: Dict[Optional[bytes], States], exits: Dict[Optional[bytes], States]) -> None:
    for label, states in exits.items():
        into[label] = into.get(label, EMPTY) | states


class Domain:
    """What the states mean.  Every hook gets one state and answers a set of states."""

    def join(self, states: States) -> States:
        """Merge the paths meeting at a join point."""
        return states

    def simple(self, node: Node, state: State) -> States:
        """A simple statement, or a header part (``if`` initializer/condition, ``switch`` value, ``case``
        expression, ``for`` clause part), evaluated in ``state``."""
        return frozenset((state,))

    def reached_return(self, stmt: Node, state: State) -> None:
        """A ``return`` statement reached in ``state`` (the path ends there)."""

    def goto(self, stmt: Node, state: State) -> States:
        """A ``goto``: the walker does not follow it; the states that fall through instead."""
        return frozenset((state,))

    def back_edge(self, loop: Node, states: States) -> States:
        """States going round ``loop`` again (after the body and the post statement)."""
        return states

    def broken(self, node: Node, state: State) -> States:
        """A statement the parser could not complete (a ``for`` without a body)."""
        return frozenset((state,))

    def no_return(self, call: Node) -> bool:
        """``call`` never returns (``panic``, ``os.Exit``, ``t.Fatal`` …): the path ends there."""
        return False


def statements(node: Optional[Node]) -> List[Node]:
    """The statements of a block, statement list or case clause (comments dropped)."""
    if node is None:
        return []
    if node.type == "statement_list":
        return [s for s in node.named_children if s.type != "comment"]
    out: List[Node] = []
    for c in node.named_children:
        if c.type == "statement_list":
            out.extend(s for s in c.named_children if s.type != "comment")
    return out


def constant_condition(cond: Optional[Node]) -> Optional[bool]:
    """``True``/``False`` for a literal ``true``/``false`` condition (parentheses allowed), else None."""
    cond = unparen(cond)
    if cond is not None and cond.type in ("true", "false"):
        return cond.type == "true"
    return None


def _label_of(stmt: Node) -> Optional[bytes]:
    for c in stmt.named_children:
        if c.type == "label_name":
            return c.text
    return None


Gen = Generator[tuple, Flow, Flow]


class Walker:
    """Walks one function body for one :class:`Domain` (see the module doc)."""

    def __init__(self, domain: Domain):
        self.domain = domain
        self.visits = 0
        self._memo: Dict[tuple, Flow] = {}

    def walk(self, body: Node, start: States) -> Flow:
        """Walk the statements of ``body`` (a block) from ``start``."""
        return self._drive(self._list(statements(body), start))

    def step(self, stmt: Node, states: States) -> Flow:
        """Walk one statement of a list from ``states``: a caller going through the list itself, one
        statement at a time, gets what :meth:`walk` computes for it (the memo is kept between calls)."""
        return self._drive(self._set(stmt, states, None))

    # -- the driver: one explicit stack of generators instead of Python recursion
    def _drive(self, first: Gen) -> Flow:
        stack: List[tuple] = [(first, None)]
        value: Optional[Flow] = None
        while True:
            gen, key = stack[-1]
            try:
                request = gen.send(value)
            except StopIteration as stop:
                stack.pop()
                value = stop.value
                if key is not None:
                    self._memo[key] = value
                if not stack:
                    return value
                continue
            kind = request[0]
            value = None
            if kind == "one":
                _, node, state, label = request
                key = (node.id, state, label)
                found = self._memo.get(key)
                if found is not None:
                    value = found
                    continue
                self.visits += 1
                STATS["visits"] += 1
                stack.append((self._one(node, state, label), key))
            elif kind == "set":
                stack.append((self._set(request[1], request[2], request[3]), None))
            else:  # "list"
                stack.append((self._list(request[1], request[2]), None))

    # -- generators: ``yield ("one"|"set"|"list", …)`` asks the driver for a sub-walk and receives its Flow
    def _set(self, node: Node, states: States, label: Optional[bytes]) -> Gen:
        fall = EMPTY
        breaks: Dict = {}
        continues: Dict = {}
        for state in sorted(states, key=repr):  # a fixed order: the domain's reports come out the same every run
            f = yield ("one", node, state, label)
            fall |= f.fall
            _add(breaks, f.breaks)
            _add(continues, f.continues)
        return Flow(self.domain.join(fall), breaks, continues)

    def _list(self, stmts: List[Node], states: States) -> Gen:
        breaks: Dict = {}
        continues: Dict = {}
        cur = states
        for stmt in stmts:
            if not cur:
                break
            f = yield ("set", stmt, cur, None)
            _add(breaks, f.breaks)
            _add(continues, f.continues)
            cur = f.fall
        return Flow(cur, breaks, continues)

    def _eval(self, node: Optional[Node], states: States) -> States:
        """A header part in every state of ``states``."""
        if node is None or not states:
            return states
        out = EMPTY
        for state in states:
            out |= self.domain.simple(node, state)
        return self.domain.join(out)

    def _one(self, node: Node, state: State, label: Optional[bytes]) -> Gen:
        t = node.type
        d = self.domain
        one = frozenset((state,))
        if t in ("block", "statement_list"):
            return (yield ("list", statements(node), one))
        if t == "labeled_statement":
            inner = [c for c in node.named_children if c.type not in ("label_name", "comment")]
            if not inner:
                return Flow(one)
            lab = node.named_children[0].text
            f = yield ("set", inner[0], one, lab)
            breaks = dict(f.breaks)
            done = breaks.pop(lab, EMPTY)  # a labelled break of a labelled block/if ends here
            return Flow(d.join(f.fall | done), breaks, f.continues)
        if t == "if_statement":
            return (yield from self._if(node, one))
        if t in SWITCHES:
            return (yield from self._switch(node, one, label))
        if t == "for_statement":
            return (yield from self._for(node, state, label))
        if t == "return_statement":
            d.reached_return(node, state)
            return Flow()
        if t == "break_statement":
            return Flow(breaks={_label_of(node): one})
        if t == "continue_statement":
            return Flow(continues={_label_of(node): one})
        if t == "goto_statement":
            return Flow(d.goto(node, state))
        if t == "fallthrough_statement":
            return Flow(one)  # the switch carries the case's end state into the next case
        if t == "expression_statement" and node.named_children:
            call = unparen(node.named_children[0])
            if call is not None and call.type == "call_expression" and d.no_return(call):
                return Flow()
        return Flow(d.simple(node, state))

    def _if(self, node: Node, cur: States) -> Gen:
        cur = self._eval(node.child_by_field_name("initializer"), cur)
        cond = node.child_by_field_name("condition")
        cur = self._eval(cond, cur)
        constant = constant_condition(cond)
        fall = EMPTY
        breaks: Dict = {}
        continues: Dict = {}
        branches = []
        if constant is not False:
            branches.append(node.child_by_field_name("consequence"))
        if constant is not True:
            branches.append(node.child_by_field_name("alternative"))
        for branch in branches:
            if branch is None:  # no else: the condition was false
                fall |= cur
                continue
            f = yield ("set", branch, cur, None)
            fall |= f.fall
            _add(breaks, f.breaks)
            _add(continues, f.continues)
        return Flow(self.domain.join(fall), breaks, continues)

    def _switch(self, node: Node, cur: States, label: Optional[bytes]) -> Gen:
        select = node.type == "select_statement"
        if not select:
            for part in ("initializer", "value", "alias"):
                cur = self._eval(node.child_by_field_name(part), cur)
        fall = EMPTY
        breaks: Dict = {}
        continues: Dict = {}
        carry = EMPTY
        has_default = False
        for case in node.named_children:
            if case.type not in CASES:
                continue
            entry = cur
            if case.type == "default_case":
                has_default = True
            elif case.type == "communication_case":
                entry = self._eval(case.child_by_field_name("communication"), entry)
            elif case.type == "expression_case":
                entry = self._eval(case.child_by_field_name("value"), entry)
            if carry:
                entry = self.domain.join(entry | carry)
            stmts = statements(case)
            f = yield ("list", stmts, entry)
            exits = dict(f.breaks)
            fall |= exits.pop(None, EMPTY)
            if label is not None:
                fall |= exits.pop(label, EMPTY)
            _add(breaks, exits)
            _add(continues, f.continues)
            if stmts and stmts[-1].type == "fallthrough_statement":
                carry = f.fall
            else:
                carry = EMPTY
                fall |= f.fall
        if not has_default and not select:
            fall |= cur  # no case matched
        return Flow(self.domain.join(fall), breaks, continues)

    def _for(self, node: Node, state: State, label: Optional[bytes]) -> Gen:
        d = self.domain
        body = node.child_by_field_name("body")
        if body is None:
            return Flow(d.broken(node, state))
        header = [c for c in node.named_children if c != body and c.type != "comment"]
        infinite = not header
        cond = update = None
        cur = frozenset((state,))
        for h in header:
            if h.type == "for_clause":
                cur = self._eval(h.child_by_field_name("initializer"), cur)
                cond = h.child_by_field_name("condition")
                update = h.child_by_field_name("update")
                infinite = cond is None
            elif h.type == "range_clause":
                cur = self._eval(h.child_by_field_name("right"), cur)
                cond = h.child_by_field_name("left")
            else:
                cond = h
        if constant_condition(cond) is True:
            infinite = True
        entry = cur
        out = EMPTY
        breaks: Dict = {}
        continues: Dict = {}
        for _ in range(LOOP_ROUNDS):
            head = self._eval(cond, entry)
            f = yield ("set", body, head, None)
            exits, conts = dict(f.breaks), dict(f.continues)
            back = f.fall | conts.pop(None, EMPTY)
            out |= exits.pop(None, EMPTY)
            if label is not None:
                back |= conts.pop(label, EMPTY)
                out |= exits.pop(label, EMPTY)
            _add(breaks, exits)
            _add(continues, conts)
            back = d.back_edge(node, self._eval(update, d.join(back)))
            new_entry = d.join(entry | back)
            if new_entry == entry:
                break
            entry = new_entry
        if not infinite:
            out |= self._eval(cond, entry)
        return Flow(d.join(out), breaks, continues)


# --------------------------------------------------------------------------- calls that never return

_FATAL_METHODS = {"Fatal", "Fatalf", "Fatalln", "FailNow", "SkipNow", "Skip", "Skipf", "Panic", "Panicf",
                  "Panicln", "Exit", "Exitf"}
_LOG_FATAL = ("Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln")
# Names trusted on any receiver or package with ``by_name`` (klog.Fatalf, logrus.Panic, t.Goexit).
TERMINATORS = frozenset(("Exit", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln", "FailNow",
                         "Goexit", "Skip", "Skipf", "SkipNow"))


def no_return_call(ctx: FileContext, stmt: Node) -> bool:
    """An expression statement that never returns: ``panic``, ``os.Exit``, ``log.Fatal*``,
    ``runtime.Goexit``, ``t.Fatal*``/``FailNow``/``Skip*`` and similar methods, or a call to a
    same-file function whose body always ends that way."""
    return _no_return_statement(ctx, stmt, None)


def never_returns(ctx: FileContext, call: Optional[Node], by_name: bool = False) -> bool:
    """The call expression of :func:`no_return_call`; the one "this call never returns" check.
    ``by_name`` also trusts another package's function or any method named in :data:`TERMINATORS`
    (``klog.Fatalf``, ``logger.Exit``), which the lock analyses want and vet's lostcancel (types, no
    names) does not."""
    return _never_returns(ctx, call, by_name, None)


@provider(scope=FILE, requires=(scopes,))
def no_return_functions(ctx: FileContext) -> Set[bytes]:
    """Names of the file's functions whose body ends in a call that never returns (a call of another
    function of the file counts when that one is declared above; a function calling itself last does not)."""
    found: Set[bytes] = set()
    for fn in [c for c in ctx.root.named_children if c.type == "function_declaration"]:
        stmts = statements(fn.child_by_field_name("body"))
        if stmts and stmts[-1].type == "expression_statement":
            last = stmts[-1]
            call = unparen(last.named_children[0]) if last.named_children else None
            if call is not None and call.type == "call_expression":
                f = call.child_by_field_name("function")
                if f is not None and f.type == "identifier" and f.text == fn.child_by_field_name("name").text:
                    continue
            if _no_return_statement(ctx, last, found):
                found.add(fn.child_by_field_name("name").text)
    return found


def _no_return_statement(ctx: FileContext, stmt: Node, known: Optional[Set[bytes]]) -> bool:
    if stmt.type != "expression_statement" or not stmt.named_children:
        return False
    return _never_returns(ctx, unparen(stmt.named_children[0]), False, known)


def _never_returns(ctx: FileContext, call: Optional[Node], by_name: bool, known: Optional[Set[bytes]]) -> bool:
    """:func:`never_returns`, with the same-file functions found so far (``known``, while
    :func:`no_return_functions` works them out) or, when ``known`` is None, all of them."""
    if call is None or call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    if fn is None:
        return False
    if fn.type == "identifier":  # the name first: resolve() is the costly part
        if fn.text != b"panic" and fn.text not in (known if known is not None else no_return_functions(ctx)):
            return False
        return resolve(fn) is None
    if fn.type == "selector_expression":
        if package_member(ctx, fn, "os", ("Exit",)) or package_member(ctx, fn, "log", _LOG_FATAL) \
                or package_member(ctx, fn, "runtime", ("Goexit",)):
            return True
        operand = fn.child_by_field_name("operand")
        field = fn.child_by_field_name("field")
        name = node_text(field) if field is not None else ""
        if by_name and name in TERMINATORS:
            return True
        if operand is not None and operand.type == "identifier" and ctx.imports.get(node_text(operand)) \
                and resolve(operand) is None:
            return False  # another package's function: unknown
        return name in _FATAL_METHODS and name != "Exit"
    return False
