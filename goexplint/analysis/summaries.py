"""Function summaries: one level, same package, built once per package on the package model.

``summaries(ctx)`` (a package provider) returns a :class:`Summaries` for ``ctx``'s package.  For every
function and method of the package it records, without types:

* which parameters (and the receiver) *escape*, and how: ``store`` (assigned into a package var, a
  field, a map or slice element, or appended to one of those), ``return`` (returned, possibly inside
  a composite literal or ``append``), ``send`` (sent on a channel), ``goroutine`` (passed to a
  ``go`` call or captured by a ``go`` closure), ``defer`` (captured by a deferred closure: it
  outlives the statement but not the call);
* which function-typed parameters it calls (``cancel()``), and which it runs on another goroutine
  (``go f()``, ``go func(){ f() }()``, or handing ``f`` on to a ``go`` call);
* which channel parameters it *signals*: sends on (``ch <- v``) or closes (``close(ch)``), anywhere in
  its body, unless it reassigns them;
* whether it starts goroutines, whether it creates ``context.Background()``/``TODO()``, whether it
  takes a ``context.Context``, and whether it never returns (no ``return``, ends in ``panic``,
  ``os.Exit``, ``log.Fatal*`` or an endless ``for {}``/``select {}``).

"One level" means a parameter handed to another function is not followed into that function; the
only exception is ``go g(p)``, which is a goroutine escape whatever ``g`` does.  Values flow through
parentheses, ``&``, ``&p.f``, type conversions, composite literals and ``append``, not through
locals (a parameter first copied into a local is not followed).  The one exception is a *fresh* local
(``w := &T{}``, ``T{}``, ``new(T)``, ``make(…)``, ``var w T``): ``w.f = p`` / ``w[k] = p`` puts ``p``
where the object goes, so it is a ``return`` when ``w`` is returned, nothing when ``w`` dies with the
call, and a ``store`` when ``w`` is kept, sent, launched, aliased, handed to a call or has a method
called, or when ``w`` is reassigned.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, FrozenSet, List, Optional, Tuple

from tree_sitter import Node

from goexplint.analysis.cfg import never_returns, no_return_functions
from goexplint.analysis.package import FuncDecl, PackageModel, model
from goexplint.analysis.types import expression_types, method, method_of
from goexplint.analysis.syntax import (FUNC_TYPES, identifiers, is_package_type, outside_parens, package_selector,
                                       parameters, resolve, scopes)
from goexplint.core.parse import FileContext, captures, node_text
from goexplint.core.providers import FILE, PACKAGE, provider

ESCAPE_KINDS = ("store", "return", "send", "goroutine", "defer")
# Escapes that outlive the *caller's* statement: what a loop variable handed to the call must not do.
OUTLIVES_CALL = frozenset({"store", "return", "send", "goroutine"})

_CONTEXT = "context"


@dataclasses.dataclass
class Summary:
    decl: FuncDecl
    params: Tuple[str, ...]  # parameter names in order ('' for unnamed / blank), variadic last
    escapes: Dict[str, FrozenSet[str]]  # param (or receiver) name -> escape kinds
    calls: FrozenSet[str]  # function-typed params (or receiver) it calls
    runs_async: FrozenSet[str]  # params it runs (or hands on) on another goroutine
    starts_goroutines: bool
    creates_background: Optional[Node]  # the first context.Background()/TODO() call, if any
    takes_context: bool
    never_returns: bool
    signals: FrozenSet[str] = frozenset()  # channel params it sends on or closes (and never reassigns)

    @property
    def receiver(self) -> Optional[str]:
        return self.decl.receiver_name or None

    def param_at(self, index: int) -> Optional[str]:
        """The parameter receiving argument ``index`` (variadic parameters take the rest)."""
        if not self.params:
            return None
        if index < len(self.params):
            return self.params[index] or None
        if self._variadic:
            return self.params[-1] or None
        return None

    _variadic: bool = False

    def escape_of(self, name: Optional[str]) -> FrozenSet[str]:
        return self.escapes.get(name, frozenset()) if name else frozenset()

    def receiver_escape(self) -> FrozenSet[str]:
        return self.escape_of(self.receiver)


class Summaries:
    """Summaries of every function and method of one package (one level, no types), each computed on
    first use and kept for the package's lifetime."""

    def __init__(self, pkg: PackageModel):
        self.model = pkg
        self._funcs: Dict[str, Summary] = {}
        self._methods: Dict[Tuple[str, str], Summary] = {}
        self._by_name: Optional[Dict[str, List[str]]] = None

    def func(self, name: str) -> Optional[Summary]:
        got = self._funcs.get(name)
        if got is None:
            decl = self.model.funcs.get(name)
            if decl is None:
                return None
            got = self._funcs[name] = _summarise(decl)
        return got

    def method(self, receiver: str, name: str) -> Optional[Summary]:
        key = (receiver, name)
        got = self._methods.get(key)
        if got is None:
            decl = self.model.methods.get(key)
            if decl is None:
                return None
            got = self._methods[key] = _summarise(decl)
        return got

    def methods_named(self, name: str) -> List[Summary]:
        if self._by_name is None:
            self._by_name = {}
            for (r, m) in sorted(self.model.methods):
                self._by_name.setdefault(m, []).append(r)
        return [self.method(r, name) for r in self._by_name.get(name, ())]


# --------------------------------------------------------------------------- building

def _param_names(node: Node) -> Tuple[Tuple[str, ...], bool, List[Node]]:
    entries = parameters(node.child_by_field_name("parameters"))
    names = tuple("" if n is None or n.text == b"_" else node_text(n) for n, _ in entries)
    return names, bool(entries) and entries[-1][1], [n for n, _ in entries if n is not None]


def _receiver_ident(node: Node) -> Optional[Node]:
    recv = node.child_by_field_name("receiver")
    if recv is None:
        return None
    for p in recv.named_children:
        if p.type == "parameter_declaration":
            n = p.child_by_field_name("name")
            if n is not None and n.type == "identifier" and n.text != b"_":
                return n
    return None


def type_like(fn: Optional[Node]) -> bool:
    """The function of a call that is a conversion: ``(*T)``, ``[]byte``, ``unsafe.Pointer``-shaped types."""
    while fn is not None and fn.type == "parenthesized_expression" and fn.named_children:
        fn = fn.named_children[0]
    if fn is None:
        return False
    if fn.type in ("pointer_type", "slice_type", "array_type", "map_type", "qualified_type", "generic_type",
                   "interface_type", "channel_type", "function_type"):
        return True
    if fn.type == "unary_expression":  # (*T) parses as a dereference in expression position
        op = fn.child_by_field_name("operator")
        operand = fn.child_by_field_name("operand")
        return op is not None and op.type == "*" and operand is not None and \
            operand.type in ("identifier", "selector_expression", "qualified_type", "type_identifier")
    return False


def flow_up(node: Node) -> Tuple[Node, Node]:
    """Climb from an expression through what keeps its value: parentheses, ``&``, ``&x.f``, type
    conversions ``(*T)(x)``, composite literals, ``&T{...}`` and non-first ``append`` arguments.
    Returns (the outermost such expression, its parent)."""
    n = node
    while True:
        p = n.parent
        if p is None:
            return n, n
        t = p.type
        if t == "parenthesized_expression" or t in ("literal_element", "keyed_element", "literal_value",
                                                    "composite_literal"):
            if t == "keyed_element" and p.named_children and p.named_children[0] == n:
                return n, p  # the key, not the value
            n = p
            continue
        if t == "unary_expression":
            op = p.child_by_field_name("operator")
            if op is not None and op.type == "&":
                n = p
                continue
            return n, p
        if t == "selector_expression" and p.child_by_field_name("operand") == n:
            gp = p.parent
            if gp is not None and gp.type == "unary_expression" and gp.child_by_field_name("operator").type == "&":
                n = gp  # &x.f points into x
                continue
            return n, p
        if t == "argument_list":
            call = p.parent
            fn = call.child_by_field_name("function") if call is not None else None
            if fn is not None and fn.type == "identifier" and fn.text == b"append" and p.named_children and \
                    p.named_children[0] != n and resolve(fn) is None:
                n = call
                continue
            if fn is not None and len(p.named_children) == 1 and type_like(fn):
                n = call
                continue
            return n, p
        if t in ("type_conversion_expression", "variadic_argument"):
            n = p
            continue
        return n, p


def _lhs_root(expr: Node) -> Optional[Node]:
    n = expr
    while n is not None:
        if n.type == "identifier":
            return n
        if n.type in ("selector_expression", "index_expression", "slice_expression"):
            n = n.child_by_field_name("operand")
        elif n.type == "parenthesized_expression" or (
                n.type == "unary_expression" and n.child_by_field_name("operator").type == "*"):
            n = n.named_children[-1] if n.named_children else None
        else:
            return None
    return None


def store_kind(ctx: FileContext, fn_node: Node, target: Node) -> Optional[str]:
    """``store`` when assigning to ``target`` keeps the value beyond the function: a field or element
    (of anything but a plain local value), or a package-level variable; None for a plain local."""
    root = _lhs_root(target)
    if root is None:
        return "store"
    if root.text == b"_":
        return None
    decl = resolve(root)
    if decl is None:
        return "store"  # package-level (or unknown): outlives the call
    if target.type == "identifier":
        return None  # a local (or a parameter) variable: dies with the call
    if decl.kind in ("param", "recv"):
        return "store"  # p.f = x / p[k] = x: written through the caller's value
    if target.type not in ("selector_expression", "index_expression"):
        return None
    if target.child_by_field_name("operand") == root and _fresh(decl):
        fate = _fresh_fate(ctx, fn_node, decl)
        if fate != _UNKNOWN:
            return fate  # w.f = x into an object this function made: x goes where w goes
    return "store" if _maybe_pointer(decl) else None


_UNKNOWN = "unknown"
_KEEPS_NOTHING = frozenset({b"len", b"cap", b"delete", b"clear", b"print", b"println"})
_in_progress: set = set()


def _fresh(decl) -> bool:
    """A local the function allocates itself: ``&T{…}``, ``T{…}``, ``new(T)``, ``make(…)``, or
    ``var w T`` of a written non-pointer type."""
    if decl.kind != "var":
        return False
    value = decl.value()
    if value is None:
        parent = decl.ident.parent
        typ = decl.written_type()
        return parent is not None and parent.type == "var_spec" and parent.child_by_field_name("value") is None \
            and typ is not None and typ.type in ("type_identifier", "struct_type", "array_type", "generic_type")
    while value.type == "parenthesized_expression" and value.named_children:
        value = value.named_children[0]
    if value.type == "composite_literal":
        return True
    if value.type == "unary_expression":
        op = value.child_by_field_name("operator")
        operand = value.child_by_field_name("operand")
        return op is not None and op.type == "&" and operand is not None and operand.type == "composite_literal"
    if value.type == "call_expression":
        fn = value.child_by_field_name("function")
        return fn is not None and fn.type == "identifier" and fn.text in (b"new", b"make") and resolve(fn) is None
    return False


def _fate_of_use(ctx: FileContext, fn_node: Node, ref: Node) -> Optional[str]:
    """What one reference to a fresh local ``w`` does with the object: None (nothing that outlives the
    call), ``return``, ``store`` (kept, sent, launched, aliased, handed to a call or a method of it), or
    _UNKNOWN (``w`` is reassigned: the object it names is not the one allocated)."""
    node = ref
    p = ref.parent
    if p is not None and p.type in ("selector_expression", "index_expression") and \
            p.child_by_field_name("operand") == ref:
        gp = p.parent
        if gp is not None and gp.type == "call_expression" and gp.child_by_field_name("function") == p:
            return "store"  # w.M(…): the method may keep w
        node = p  # w.f / w[k]: one step into the object
    elif p is not None and p.type == "unary_expression" and p.child_by_field_name("operator").type == "*":
        node = p
    q = node.parent
    if q is not None and q.type == "expression_list" and q.parent is not None and \
            q.parent.type == "assignment_statement" and q.parent.child_by_field_name("left") == q:
        return _UNKNOWN if node == ref else None  # w = … (reassigned) / w.f = … (written into)
    if q is not None and q.type == "inc_statement" or q is not None and q.type == "dec_statement":
        return None
    kind = use_kind(ctx, fn_node, node)
    if kind == "return":
        return "return"
    if kind is not None:
        return "store"
    top, parent = flow_up(node)
    if parent.type == "argument_list":
        call = parent.parent
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is not None and fn.type == "identifier" and fn.text in _KEEPS_NOTHING and resolve(fn) is None:
            return None
        return "store"  # handed on: not followed (one level)
    if parent.type == "expression_list" and parent.parent is not None and \
            parent.parent.type in ("assignment_statement", "short_var_declaration", "var_spec") and \
            parent.parent.child_by_field_name("right" if parent.parent.type != "var_spec" else "value") == parent:
        return "store"  # aliased: v := w
    if parent.type in ("var_spec", "range_clause"):
        return "store"
    return None


def _fresh_fate(ctx: FileContext, fn_node: Node, decl) -> Optional[str]:
    """Where the object a fresh local names goes: None (dies with the call), ``return``, ``store``, or
    _UNKNOWN when the local is reassigned.  References are followed one step (``w.f``, ``w[k]``, ``*w``)."""
    key = decl.ident.id
    if key in _in_progress:
        return "store"  # a cycle of fresh locals stored into each other: give up, conservatively
    _in_progress.add(key)
    try:
        return fresh_fate(ctx, fn_node, decl.ident)
    finally:
        _in_progress.discard(key)


@provider(scope=FILE, requires=(scopes,))
def fresh_fate(ctx: FileContext, fn_node: Node, decl_ident: Node) -> Optional[str]:
    """Where the object the fresh local declared by ``decl_ident`` in ``fn_node`` goes (see
    :func:`_fresh_fate`, which guards the cycles)."""
    return _fresh_fate_uncached(ctx, fn_node, decl_ident)


def _fresh_fate_uncached(ctx: FileContext, fn_node: Node, decl_ident: Node) -> Optional[str]:
    key = decl_ident.id
    fate: Optional[str] = None
    body = fn_node.child_by_field_name("body")
    for ref in identifiers(body) if body is not None else ():
        if ref.text != decl_ident.text or ref.id == key:
            continue
        d = resolve(ref)
        if d is None or d.ident.id != key:
            continue
        got = _fate_of_use(ctx, fn_node, ref)
        if got in ("store", _UNKNOWN):
            return got
        if got == "return":
            fate = "return"
    return fate


def _maybe_pointer(decl) -> bool:
    """A local whose written type or initialiser is not a plain struct/array value: maps, slices,
    pointers and unknown types may share storage with the caller."""
    typ = decl.written_type()
    if typ is not None:
        return typ.type not in ("type_identifier", "qualified_type", "struct_type", "array_type", "generic_type")
    value = decl.value()
    if value is not None and value.type == "composite_literal":
        t = value.child_by_field_name("type")
        return t is not None and t.type in ("map_type", "slice_type")
    return True


def _enclosing_launch(ident: Node, fn_node: Node) -> Optional[str]:
    """``go``/``defer`` when ``ident`` sits in a func literal launched by a go/defer statement (inside
    ``fn_node``), or is an argument of a ``go`` call."""
    n = ident
    while n is not None and n != fn_node:
        p = n.parent
        if p is None:
            return None
        if n.type == "func_literal":
            q = outside_parens(n)[1]
            if q is not None and q.type == "call_expression" and q.parent is not None and \
                    q.parent.type in ("go_statement", "defer_statement"):
                return "goroutine" if q.parent.type == "go_statement" else "defer"
        if p.type == "call_expression" and p.child_by_field_name("function") == n and p.parent is not None and \
                p.parent.type == "go_statement":
            return "goroutine"  # go f()
        if p.type == "argument_list" and p.parent is not None and p.parent.parent is not None and \
                p.parent.parent.type == "go_statement":
            return "goroutine"
        if p.type == "selector_expression" and p.parent is not None and p.parent.type == "call_expression" and \
                p.parent.parent is not None and p.parent.parent.type == "go_statement" and \
                p.child_by_field_name("operand") == n:
            return "goroutine"  # go p.run()
        n = p
    return None


def use_kind(ctx: FileContext, fn_node: Node, ident: Node) -> Optional[str]:
    """How a use of a value escapes the function ``fn_node``: one of ESCAPE_KINDS, or None."""
    top, parent = flow_up(ident)
    t = parent.type
    kind: Optional[str] = None
    if t == "expression_list":
        stmt = parent.parent
        if stmt is not None and stmt.type == "assignment_statement" and stmt.child_by_field_name("right") == parent:
            op = stmt.child_by_field_name("operator")
            if op is None or op.type == "=":
                idx = parent.named_children.index(top) if top in parent.named_children else -1
                left = stmt.child_by_field_name("left").named_children
                target = left[idx] if 0 <= idx < len(left) else None
                if target is not None:
                    kind = store_kind(ctx, fn_node, target)
        elif stmt is not None and stmt.type == "return_statement":
            kind = "return"
    elif t == "return_statement":
        kind = "return"
    elif t == "send_statement" and parent.child_by_field_name("value") == top:
        kind = "send"
    if kind is not None:
        return kind
    return _enclosing_launch(ident, fn_node)


def _signal_use(ref: Node) -> Optional[str]:
    """``signal`` when ``ref`` is the channel of ``ref <- v`` or the argument of ``close(ref)``;
    ``reassigned`` when it is the target of ``ref = …``."""
    n = ref
    while n.parent is not None and n.parent.type == "parenthesized_expression":
        n = n.parent
    p = n.parent
    if p is None:
        return None
    if p.type == "send_statement" and p.child_by_field_name("channel") == n:
        return "signal"
    if p.type == "argument_list" and len(p.named_children) == 1 and p.parent is not None:
        fn = p.parent.child_by_field_name("function")
        if fn is not None and fn.type == "identifier" and fn.text == b"close" and resolve(fn) is None:
            return "signal"
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "assignment_statement" and \
            p.parent.child_by_field_name("left") == p and n == ref:
        return "reassigned"
    return None


def _called(ident: Node) -> bool:
    p = outside_parens(ident)[1]
    return p is not None and p.type == "call_expression" and p.child_by_field_name("function") in (ident, ident.parent)


def _never_returns(ctx: FileContext, body: Node) -> bool:
    if captures("(return_statement) @r", body).get("r"):
        return False
    stmts = [s for c in body.named_children if c.type == "statement_list" for s in c.named_children
             if s.type != "comment"]
    if not stmts:
        return False
    last = stmts[-1]
    if last.type == "select_statement" and not any(c.type == "communication_case" or c.type == "default_case"
                                                   for c in last.named_children):
        return True
    if last.type == "for_statement":
        header = [c for c in last.named_children if c != last.child_by_field_name("body") and c.type != "comment"]
        return not header and not captures("(break_statement) @b", last).get("b")
    if last.type != "expression_statement" or not last.named_children:
        return False
    return never_returns(ctx, last.named_children[0])  # the one "this call never returns" check


def _summarise(decl: FuncDecl) -> Summary:
    ctx, node = decl.file, decl.node
    params, variadic, idents = _param_names(node)
    recv = _receiver_ident(node)
    if recv is not None:
        idents.append(recv)
    body = node.child_by_field_name("body")
    escapes: Dict[str, set] = {}
    calls: set = set()
    runs_async: set = set()
    signals: set = set()
    reassigned: set = set()
    starts = False
    background = None
    takes_context = False
    plist = node.child_by_field_name("parameters")
    if plist is not None:
        for p in plist.named_children:
            typ = p.child_by_field_name("type")
            if p.type == "parameter_declaration" and is_package_type(ctx, typ, _CONTEXT, "Context"):
                takes_context = True
    never = False
    if body is not None:
        by_id = {i.id: node_text(i) for i in idents}
        for ref in identifiers(body):
            if not by_id:
                break
            if ref.text not in (i.text for i in idents):
                continue
            d = resolve(ref)
            if d is None or d.ident.id not in by_id:
                continue
            name = by_id[d.ident.id]
            signal = _signal_use(ref)
            if signal == "signal":
                signals.add(name)
            elif signal == "reassigned":
                reassigned.add(name)
            if _called(ref):
                calls.add(name)
                if _enclosing_launch(ref, node) == "goroutine":
                    runs_async.add(name)
                continue
            kind = use_kind(ctx, node, ref)
            if kind is not None:
                escapes.setdefault(name, set()).add(kind)
                if kind == "goroutine" and ref.parent is not None and ref.parent.type == "argument_list":
                    runs_async.add(name)  # go g(f): f is handed to a goroutine
        starts = bool(captures("(go_statement) @g", body).get("g"))
        for call in captures("(call_expression function: (selector_expression) @fn) @c", body).get("fn", []):
            field = call.child_by_field_name("field")
            if field is not None and field.text in (b"Background", b"TODO") and \
                    package_selector(ctx, call.child_by_field_name("operand"), _CONTEXT):
                background = call.parent
                break
        never = _never_returns(ctx, body)
    s = Summary(decl, params, {k: frozenset(v) for k, v in escapes.items()}, frozenset(calls),
                frozenset(runs_async), starts, background, takes_context, never, frozenset(signals - reassigned))
    s._variadic = variadic
    return s


def callee_summary(ctx: FileContext, call: Node, summ: Optional[Summaries] = None) -> Optional[Summary]:
    """The summary of the same-package function or method a call targets, when the source says which:
    ``f(...)`` for a package-level ``f`` not shadowed, ``x.M(...)`` when ``x``'s written type (see
    ``analysis.types``: a declaration, ``new(T)``, ``&T{}``, ``T{}``, a field, a same-package
    constructor's result...) is a package type whose method set has ``M`` (promoted methods too).
    Method names alone are not trusted: ``x`` may be of another package's type."""
    if call is None or call.type != "call_expression":
        return None
    if summ is None:
        summ = summaries(ctx)
    fn = call.child_by_field_name("function")
    while fn is not None and fn.type == "parenthesized_expression" and fn.named_children:
        fn = fn.named_children[0]
    if fn is None:
        return None
    if fn.type == "identifier":
        if resolve(fn) is not None:
            return None
        return summ.func(node_text(fn))
    if fn.type != "selector_expression":
        return None
    ref = method_of(ctx, fn)
    if ref is None or ref.decl is None:
        return None
    return summ.method(ref.type_name, ref.name)


def package_type_name(typ: Optional[Node]) -> Optional[str]:
    """``T`` for a written ``T``, ``*T``, ``T[int]`` naming a type of this package (not ``pkg.T``)."""
    while typ is not None and typ.type in ("pointer_type", "parenthesized_type"):
        typ = next(iter(typ.named_children), None)
    if typ is not None and typ.type == "generic_type":
        typ = typ.child_by_field_name("type")
    return node_text(typ) if typ is not None and typ.type == "type_identifier" else None


def function_node_of(node: Node) -> Optional[Node]:
    n = node.parent
    while n is not None and n.type not in FUNC_TYPES:
        n = n.parent
    return n


@provider(scope=PACKAGE, requires=(model, expression_types, method, fresh_fate, no_return_functions))
def summaries(ctx: FileContext) -> Summaries:
    """The summaries of ``ctx``'s package, built once per package."""
    return Summaries(model(ctx))
