"""Lock rules (GXL208, GXL209) against small generated Go functions and an independent path model.

The generator builds function bodies from ``mu.Lock()``, ``mu.Unlock()``, ``work()``, ``return``,
``if c() {…} else {…}`` and ``for c() {…}``.  The model below enumerates paths over that little AST
directly (no tree-sitter), so it shares no code with goexplint/analysis/locks.py.
"""

from typing import List, Optional, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goexplint.core.engine import Options, lint_source
from goexplint.analysis.cfg import Walker
from goexplint.analysis.locks import HELD, NONE, LockDomain, held_returns, is_lock_statement, normalise
from goexplint.analysis.syntax import enclosing_function
from goexplint.core.parse import FileContext, activate, captures, parse_bytes

LOCK, UNLOCK, WORK, RETURN = "lock", "unlock", "work", "return"


def stmts(allow_loops=True, allow_unlock=True, allow_lock=True):
    leaves = [WORK, RETURN]
    if allow_lock:
        leaves.append(LOCK)
    if allow_unlock:
        leaves.append(UNLOCK)
    leaf = st.sampled_from(leaves)

    def extend(children):
        block = st.lists(children, max_size=4)
        options = [st.tuples(st.just("if"), block, st.one_of(st.none(), block))]
        if allow_loops:
            options.append(st.tuples(st.just("for"), block))
        return st.one_of(*options)

    return st.lists(st.recursive(leaf, extend, max_leaves=12), min_size=1, max_size=7)


class Rendered:
    """Go source for a body plus, for every leaf statement, its 1-based line."""

    def __init__(self, body, defer_after_lock=False, name="f"):
        self.lines: List[str] = ["package p", "", "import \"sync\"", "", "var mu sync.Mutex", "",
                                 "func c() bool { return true }", "", "func work() {}", "",
                                 "func %s() {" % name]
        self.leaf_lines = {}  # id(leaf tuple position) -> line
        self.defer = defer_after_lock
        self.body = self._number(body)
        self._emit(self.body, 1)
        self.lines.append("}")
        self.end_line = len(self.lines)  # the closing brace: where a path falling off the end is reported

    def _number(self, body):
        """Give every leaf a unique identity: (kind, serial)."""
        out = []
        for s in body:
            if isinstance(s, str):
                self.leaf_lines[len(self.leaf_lines)] = None
                out.append((s, len(self.leaf_lines) - 1))
            elif s[0] == "if":
                out.append(("if", self._number(s[1]), None if s[2] is None else self._number(s[2])))
            else:
                out.append(("for", self._number(s[1])))
        return out

    def _emit(self, body, depth):
        tab = "\t" * depth
        for s in body:
            kind = s[0]
            if kind in (LOCK, UNLOCK, WORK, RETURN):
                text = {LOCK: "mu.Lock()", UNLOCK: "mu.Unlock()", WORK: "work()", RETURN: "return"}[kind]
                self.lines.append(tab + text)
                self.leaf_lines[s[1]] = len(self.lines)
                if kind == LOCK and self.defer:
                    self.lines.append(tab + "defer mu.Unlock()")
            elif kind == "if":
                self.lines.append(tab + "if c() {")
                self._emit(s[1], depth + 1)
                if s[2] is not None:
                    self.lines.append(tab + "} else {")
                    self._emit(s[2], depth + 1)
                self.lines.append(tab + "}")
            else:
                self.lines.append(tab + "for c() {")
                self._emit(s[1], depth + 1)
                self.lines.append(tab + "}")

    @property
    def source(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode()

    def line(self, leaf) -> int:
        return self.leaf_lines[leaf[1]]


def findings(src: bytes, rule: str) -> List[Tuple[int, Optional[int]]]:
    result = lint_source("gen.go", src, Options(rule_ids=(rule,), go_version="1.22"))
    return sorted((f.line, f.related[0].span.start.row + 1 if f.related else None) for f in result.findings)


def leaves(body):
    for s in body:
        if s[0] in (LOCK, UNLOCK, WORK, RETURN):
            yield s
        elif s[0] == "if":
            yield from leaves(s[1])
            yield from leaves(s[2] or [])
        else:
            yield from leaves(s[1])


# --------------------------------------------------------------------------- the path model (GXL209)


def paths(body, held: Optional[int]):
    """Enumerate (end, held, return_leaf) over a loop-free body: held is the serial of the Lock leaf
    whose lock is held (None when not held).  end is "fall" or "return"."""
    if not body:
        yield "fall", held, None
        return
    first, rest = body[0], body[1:]
    kind = first[0]
    if kind == RETURN:
        yield "return", held, first
        return
    if kind in (LOCK, UNLOCK, WORK):
        nxt = first[1] if kind == LOCK else (None if kind == UNLOCK else held)
        yield from paths(rest, nxt)
        return
    for branch in (first[1], first[2] or []):
        for end, h, ret in paths(branch, held):
            if end == "return":
                yield end, h, ret
            else:
                yield from paths(rest, h)


def lists_of(body):
    """Every statement list of a generated body (the body itself and all branch lists)."""
    yield body
    for s in body:
        if isinstance(s, tuple) and s[0] == "if":
            yield from lists_of(s[1])
            if s[2] is not None:
                yield from lists_of(s[2])


@st.composite
def one_lock_bodies(draw):
    """Loop-free bodies with exactly one ``mu.Lock()`` (anywhere) and unlocks only at the top level."""
    nested_leaf = st.sampled_from([WORK, RETURN])
    nested = st.recursive(nested_leaf, lambda ch: st.tuples(st.just("if"), st.lists(ch, max_size=3),
                                                            st.one_of(st.none(), st.lists(ch, max_size=3))),
                          max_leaves=8)
    top = st.one_of(st.sampled_from([WORK, UNLOCK, UNLOCK, RETURN]), nested)
    body = draw(st.lists(top, min_size=1, max_size=7)) + draw(st.sampled_from([[], [UNLOCK]]))
    targets = list(lists_of(body))
    target = targets[draw(st.integers(0, len(targets) - 1))]
    target.insert(draw(st.integers(0, len(target))), LOCK)
    return body


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_lock_bodies())
def test_missing_unlock_equals_path_model_for_one_lock(body):
    r = Rendered(body)
    (lock,) = [s for s in leaves(r.body) if s[0] == LOCK]
    unlocks = [s for s in leaves(r.body) if s[0] == UNLOCK]
    first_lockish = min([s for s in leaves(r.body) if s[0] in (LOCK, UNLOCK)], key=r.line)
    want = []
    if unlocks and first_lockish[0] == LOCK:  # the rule's documented filters
        want = sorted({(r.line(ret) if end == "return" else r.end_line, r.line(lock))
                       for end, h, ret in paths(r.body, None) if h is not None})
    assert findings(r.source, "GXL209") == want, r.source.decode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stmts(allow_loops=False))
def test_missing_unlock_reports_only_held_returns(body):
    """Precision on any loop-free body: a report is a return (or the end of the function) that some path
    reaches holding that Lock."""
    r = Rendered(body)
    possible = set()
    for lock in (s for s in leaves(r.body) if s[0] == LOCK):
        for end, h, ret in paths(r.body, None):
            if h == lock[1]:
                possible.add((r.line(ret) if end == "return" else r.end_line, r.line(lock)))
    assert set(findings(r.source, "GXL209")) <= possible, r.source.decode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stmts())
def test_defer_unlock_after_every_lock_removes_every_missing_unlock(body):
    assert findings(Rendered(body, defer_after_lock=True).source, "GXL209") == []


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stmts())
def test_lock_named_functions_are_exempt(body):
    assert findings(Rendered(body, name="lockAll").source, "GXL209") == []


# --------------------------------------------------------------------------- GXL208 model


def contains_unlock(stmt) -> bool:
    return any(s[0] == UNLOCK for s in leaves([stmt]))


def model_lock_misuse(r, body):
    """(a) Lock immediately followed by Unlock; (c) a second Lock in the same list before any statement
    that may unlock or return.  Returns (reported line, first Lock line)."""
    out = []
    for i, s in enumerate(body):
        if s[0] in ("if", "for"):
            out += model_lock_misuse(r, s[1])
            if s[0] == "if" and s[2] is not None:
                out += model_lock_misuse(r, s[2])
            continue
        if s[0] != LOCK:
            continue
        rest = body[i + 1:]
        if rest and rest[0][0] == UNLOCK:
            out.append((r.line(rest[0]), r.line(s)))
            continue
        for n in rest:
            if n[0] == RETURN or contains_unlock(n):
                break
            if n[0] == LOCK:
                out.append((r.line(n), r.line(s)))
                break
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stmts())
def test_lock_misuse_matches_model(body):
    r = Rendered(body)
    assert findings(r.source, "GXL208") == sorted(model_lock_misuse(r, r.body)), r.source.decode()


def test_normalise_ignores_whitespace_and_parentheses():
    src = b"package p\nfunc f() { ( s . mu ).Lock(); c.stats.mu.Lock(); (*p).mu.Lock(); m.shard(k).Lock() }\n"
    root = parse_bytes(src).root_node
    calls = []

    def walk(n):
        if n.type == "selector_expression" and n.child_by_field_name("field").text == b"Lock":
            calls.append(normalise(n.child_by_field_name("operand")))
        for ch in n.children:
            walk(ch)

    walk(root)
    assert calls == ["s.mu", "c.stats.mu", "(*p).mu", "m.shard(k)"]


def _walk_from_entry(ctx, site, lock):
    """What held_returns shortens: LockDomain walked over the whole body from the function entry."""
    body = enclosing_function(site).child_by_field_name("body")
    domain = LockDomain(ctx, site, lock)
    end = Walker(domain).walk(body, frozenset((NONE,)))
    return sorted(n.start_byte for n in domain.returns + ([body.children[-1]] if HELD in end.fall else []))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stmts())
def test_held_returns_equals_the_walk_from_the_function_entry(body):
    """held_returns starts each site's walk at the top-level statement holding it and stops once no path
    holds the lock: exactly what the walk from the entry over the whole body finds, loops included."""
    src = Rendered(body).source
    ctx = FileContext("gen.go", src, parse_bytes(src), None)
    with activate(ctx):
        for stmt in captures("(expression_statement) @s", ctx.root).get("s", []):
            lock = is_lock_statement(ctx, stmt)
            if lock is not None:
                got = [n.start_byte for n in held_returns(ctx, stmt, lock)]
                assert got == _walk_from_entry(ctx, stmt, lock), src.decode()
