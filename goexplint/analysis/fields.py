"""The field-access index of a package: every access to a struct field or package variable, with context.

``index(ctx)`` (a package provider) returns the :class:`FieldIndex` of ``ctx``'s package, built once per
package on the package model (``analysis.package.model``).  For every

* ``T.path`` — a field path (``count``, ``stats.n``) reached from a variable whose written type is a
  struct ``T`` of the package (a receiver, a parameter, a ``var x T``, ``x := &T{…}`` / ``new(T)``), and
* ``var path`` — a package-level variable (``hits``, ``cfg.n``), key owner ``""``,

it lists each :class:`Access`: read, write or read-modify-write, plain or through ``sync/atomic``, the
locks held there (tracked in one pass per function) with the *owner* of each lock (``s.mu`` guards data rooted
at ``s`` and is keyed ``(T, "mu")``; an embedded ``s.Lock()`` is ``(T, "")``; a package-level ``mu`` is
``("", "mu")``), the function it is in and whether that function runs as a goroutine body, an HTTP
handler or a callback handed to another function.  Functions whose names say the caller holds the lock
(``…Locked``, ``…WithLock``, ``…Locked_``) start with the receiver's lock held (the lock key ``(T, "*")``).
Method calls ``x.M()`` on package types are indexed too (:class:`Call`), with the locks held at the call,
whether it starts a goroutine (``go x.run()``), sits in a loop, is made on a value its function has just
built, and from which method, so a rule can see that every caller of an unexported method holds the lock,
runs it on a value not shared yet, or only ever runs it on one goroutine.  Every ``x.M`` selector named like
a package method is counted (``method_refs``): the recorded calls are known to be all the callers only when
the counts agree (no call on an untyped operand, no method value handed on).  Locals are typed from their
declaration or their initialiser: ``&T{…}``, ``new(T)`` and calls of functions that build and return a ``T``
are "fresh"; ``fs.lmb``, ``fs.blks[i]`` and calls returning ``*T`` are "fetched".

Per-file summaries are plain data (no tree nodes), one per file (``file_summary``, kept with the file for
the package model it was computed on).  The index makes them on demand: a question about a name reads the
summaries of the files whose bytes hold it (``file_names``), so a file nothing asks about is never walked;
the index is kept for the last few package contents per process, with the summaries made so far.
"""

from __future__ import annotations

import bisect
import collections
import dataclasses
import functools
import pickle
import re
import weakref
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from tree_sitter import Node

from goexplint.analysis.package import PackageModel, base_type_name, fingerprint as model_fingerprint, model
from goexplint.analysis.goroutines import (goroutine_bodies, handler_bodies, is_handler_signature, is_sync_point,
                                           sync_point)
from goexplint.analysis.locks import (HELD_ON_ENTRY_NAME, UNKNOWN_LOCK, UNLOCK_MODES, apply_statement, doc_says_locked,
                                      lock_calls_in, method_call, passed_to_lock_helper)
from goexplint.analysis.syntax import (Decl, element_type_text, enclosing_function, in_loop_within, normal_text,
                                       outside_parens, package_selector, parameters, resolve_in_function_within,
                                       resolve_within, scopes, statements_after, unparen, value_copy_root)
from goexplint.core.parse import FileContext, captures, gc_paused, node_text, package_work
from goexplint.core.providers import KEPT, PACKAGE, provider

ATOMIC = "sync/atomic"
_ATOMIC_FUNC = re.compile(r"^(Add|Load|Store|Swap|CompareAndSwap|And|Or)(Int32|Int64|Uint32|Uint64|Uintptr|Pointer)$")
# callees that call a func argument synchronously, before they return (not a concurrent callback)
_SYNC_CALLEES = frozenset((
    "Slice", "SliceStable", "Sort", "Search", "SortFunc", "SortStableFunc", "IndexFunc", "ContainsFunc",
    "DeleteFunc", "BinarySearchFunc", "CompactFunc", "EqualFunc", "MaxFunc", "MinFunc", "Map", "FieldsFunc",
    "TrimFunc", "TrimLeftFunc", "TrimRightFunc", "LastIndexFunc", "Walk", "WalkDir", "Do", "Run", "Range",
    "Inspect", "Preorder", "ForEach", "Each", "Cleanup", "Fn", "Func", "Once", "OnceFunc", "OnceValue",
    "OnceValues", "Sum", "Filter", "Retry", "Eventually", "Never", "Update", "View", "Batch",
))
_WRITE_OPS = ("write", "rmw")
# set-up functions: in-place initialisation before the value is shared (init, InitialState, setup)
SETUP_NAME = re.compile(r"^(?:[Ii]nit|[Ss]et[Uu]p)")
_CALLER = "(caller)"  # pseudo lock text: the function's name says its caller holds the receiver's lock
# nodes that hold no variable access worth walking into
_LEAVES = frozenset((
    "interpreted_string_literal", "raw_string_literal", "int_literal", "float_literal", "rune_literal",
    "imaginary_literal", "comment", "type_identifier", "field_identifier", "package_identifier",
    "pointer_type", "slice_type", "array_type", "map_type", "channel_type", "function_type", "qualified_type",
    "generic_type", "struct_type", "interface_type", "true", "false", "nil", "iota", "label_name",
    "type_declaration", "const_declaration", "parameter_list", "type_arguments", "escape_sequence",
))


@dataclasses.dataclass(frozen=True)
class Lock:
    guard: Tuple[str, str]  # (owner type or "" for package level or "@" for a local lock, path) — ("T", "mu")
    text: str  # as written: "s.mu"
    mode: str  # "W" | "R" | "?"
    root: str  # root variable of the lock expression ("s"); "" for a package-level lock


@dataclasses.dataclass(frozen=True)
class Access:
    key: Tuple[str, str]  # ("T", "count") for a field of struct T; ("", "hits") for a package var
    file: str  # FileContext.path
    start: int
    end: int
    line: int
    text: str  # "s.count"
    root: str  # "s"
    root_kind: str  # "receiver" | "param" | "fresh" | "local" | "fetched" (mb := fs.blks[i]) | "package" | "copy"
    # ("copy": the function's own value -- a by-value parameter or receiver, a named result, a struct local or
    # a copy ``v := s.stats`` / range value -- reached without a pointer hop: not the shared value)
    kind: str  # "read" | "write" | "rmw"
    atomic: bool
    locks: Tuple[Lock, ...]
    func: str  # the enclosing declaration's name ("Inc"); literals report their declaration
    func_key: Tuple[str, int]  # (file, start byte of the innermost function: declaration or literal)
    decl_key: Tuple[str, int]  # (file, start byte of the enclosing top-level declaration)
    method: Optional[Tuple[str, str]]  # (receiver type, method name) of the enclosing declaration
    roles: FrozenSet[str]  # of the innermost function: "goroutine", "handler", "callback"
    held_on_entry: bool  # the declaration's name says the caller holds the receiver's lock
    constructs: bool  # the enclosing declaration builds a value of the key's struct type
    init: bool
    test: bool
    after_wait: bool  # a wait (X.Wait(), a receive, select, range over a channel) precedes it in its function
    fresh_value: bool = False  # a plain write of make(…), T{…}, &T{…}, new(T), nil, NewX(…)

    def held(self, guard: Tuple[str, str], write: bool = False) -> bool:
        for lk in self.locks:
            if lk.guard == guard or (lk.guard[1] == "*" and lk.guard[0] == guard[0]):
                if not write or lk.mode in ("W", "?"):
                    return True
        return False

    @property
    def unknown_lock(self) -> bool:
        return any(lk.mode == "?" for lk in self.locks)

    @property
    def is_write(self) -> bool:
        return self.kind in _WRITE_OPS


@dataclasses.dataclass(frozen=True)
class Call:
    method: Tuple[str, str]  # (T, M)
    file: str
    line: int
    locks: Tuple[Lock, ...]
    same_root: bool  # some lock held at the call is rooted at the call's receiver expression
    func: str
    decl_key: Tuple[str, int]
    held_on_entry: bool
    root: str = ""  # root variable of the call's receiver expression ("c" for c.adjust(), c.inner.adjust())
    go: bool = False  # ``go x.M()``: the call starts a goroutine
    in_loop: bool = False  # inside a for statement of its function
    fresh_root: bool = False  # made on a local that its declaration builds (``x := &T{…}``; ``x.M()``)
    caller: Optional[Tuple[str, str]] = None  # (T, M) of the calling method declaration
    roles: FrozenSet[str] = frozenset()  # of the innermost function around the call (goroutine, callback…)
    in_literal: bool = False  # the innermost function around the call is a func literal
    # what the receiver expression and each argument are, when a bare identifier: (name, root kind as in
    # ``Access.root_kind`` -- "" for a func literal's own parameter --, declared inside the innermost loop
    # around the call); ("", "", False) for anything else
    recv_arg: Tuple[str, str, bool] = ("", "", False)
    args: Tuple[Tuple[str, str, bool], ...] = ()


class FileSummary:
    """One file's part of the index (plain data): its accesses (walk order), method calls, ``go`` launches,
    method references (``x.M`` selectors named like a package method, by name), walked signatures, and
    the number of its calls of each method name.

    Pickled compactly for the facts store and the workers: the accesses of each key and the calls of each
    method are one nested pickle each, unpickled only when something asks for that key or method.  Linting
    one file of a big package reads every sibling's summary back but looks at few of its keys, so most of
    the thousands of accesses are never rebuilt as objects.  Within one summary each access is one object,
    whichever way it is reached (``of_key``, ``accesses``, ``at``)."""

    def __init__(self, accesses: List[Access], calls: List[Call], go_launched: Set[str],
                 method_refs: Optional[Dict[str, int]] = None,
                 signatures: Optional[Dict[Tuple[str, str], Tuple[str, Tuple[str, ...]]]] = None):
        self.go_launched = go_launched
        self.method_refs: Dict[str, int] = method_refs if method_refs is not None else {}
        self.signatures = signatures if signatures is not None else {}
        # key -> (walk positions, accesses) of that key, or its nested pickle (bytes) until first asked
        self._by_key: Dict[Tuple[str, str], object] = {}
        for seq, a in enumerate(accesses):
            got = self._by_key.get(a.key)
            if got is None:
                got = self._by_key[a.key] = ([], [])
            got[0].append(seq)  # type: ignore[index]
            got[1].append(a)  # type: ignore[index]
        self._by_method: Dict[Tuple[str, str], object] = {}
        self.call_counts: Dict[str, int] = {}
        for c in calls:
            self._by_method.setdefault(c.method, []).append(c)  # type: ignore[union-attr]
            self.call_counts[c.method[1]] = self.call_counts.get(c.method[1], 0) + 1
        self.atomic_keys = frozenset(a.key for a in accesses if a.atomic)
        self._all: Optional[List[Access]] = list(accesses)
        self._at: Optional[Dict[int, Access]] = None

    # -- pickling: every key's accesses and every method's calls packed on their own
    def __getstate__(self):
        packed_keys = {k: v if type(v) is bytes else pickle.dumps(v, pickle.HIGHEST_PROTOCOL)
                       for k, v in self._by_key.items()}
        packed_calls = {k: v if type(v) is bytes else pickle.dumps(v, pickle.HIGHEST_PROTOCOL)
                        for k, v in self._by_method.items()}
        return (self.go_launched, self.method_refs, self.signatures, self.atomic_keys, self.call_counts,
                packed_keys, packed_calls)

    def __setstate__(self, state) -> None:
        (self.go_launched, self.method_refs, self.signatures, self.atomic_keys, self.call_counts,
         self._by_key, self._by_method) = state
        self._all = None
        self._at = None

    # -- what the index asks
    def keys(self) -> Iterable[Tuple[str, str]]:
        """The keys this file accesses."""
        return self._by_key.keys()

    def methods(self) -> Iterable[Tuple[str, str]]:
        """The methods this file calls."""
        return self._by_method.keys()

    def _positions_and_accesses(self, key: Tuple[str, str]) -> Tuple[List[int], List[Access]]:
        return _unpacked(self._by_key, key, ([], []))  # type: ignore[return-value]

    def of_key(self, key: Tuple[str, str]) -> List[Access]:
        """This file's accesses of ``key``, in walk order."""
        return self._positions_and_accesses(key)[1]

    def of_keys(self, keys: Iterable[Tuple[str, str]]) -> List[Access]:
        """This file's accesses of any of ``keys``, in walk order."""
        pairs = []
        for key in keys:
            positions, accesses = self._positions_and_accesses(key)
            pairs.extend(zip(positions, accesses))
        pairs.sort(key=lambda pa: pa[0])
        return [a for _, a in pairs]

    def calls_of(self, method: Tuple[str, str]) -> List[Call]:
        """This file's calls of ``method``, in walk order."""
        return _unpacked(self._by_method, method, [])  # type: ignore[return-value]

    @property
    def accesses(self) -> List[Access]:
        """Every access of the file, in walk order."""
        if self._all is None:
            self._all = self.of_keys(list(self._by_key))
        return self._all

    def at(self, start: int) -> Optional[Access]:
        """The access whose path starts at byte ``start`` (the last in walk order, if several do)."""
        if self._at is None:
            self._at = {a.start: a for a in self.accesses}
        return self._at.get(start)


def _unpacked(table: Dict, key: object, default: object) -> object:
    """``table[key]``, unpickled in place the first time (``default`` when missing)."""
    got = table.get(key, default)
    if type(got) is bytes:
        got = table[key] = pickle.loads(got)
    return got


# --------------------------------------------------------------------------- per-file walk


class _Walker:
    def __init__(self, ctx: FileContext, m: PackageModel, names: Tuple[Set[bytes], Set[bytes], Set[bytes]],
                 held: Optional[FrozenSet[bytes]] = None):
        self.ctx = ctx
        self.m = m
        self.accesses: List[Access] = []
        self.calls: List[Call] = []
        self.go_launched: Set[str] = set()
        self._types: Dict[int, Tuple[Optional[str], str]] = {}
        self.atomic_aliases = set(ctx.aliases_of(ATOMIC))
        self.var_names, self.field_names, self.method_names = names
        self.positions = _interesting_positions(ctx, self.var_names, self.field_names, self.method_names, held)
        self.method_refs: Dict[str, int] = {}
        self.signatures: Dict[Tuple[str, str], Tuple[str, Tuple[str, ...]]] = {}
        self._values: Dict[object, object] = {}

    @functools.cached_property
    def goroutines(self) -> Set[int]:
        return {b.func.id for b in goroutine_bodies(self.ctx)}

    @functools.cached_property
    def launches(self) -> Dict[int, Node]:
        return {b.func.id: b.launch for b in goroutine_bodies(self.ctx) if b.launch is not None}

    @functools.cached_property
    def handlers(self) -> Set[int]:
        return {b.func.id for b in handler_bodies(self.ctx)}

    def _interesting(self, node: Node) -> bool:
        """Something the walk records (an access, a method call, a ``go`` launch) starts inside ``node``:
        subtrees without one are not walked (lock state changes inside them stay inside them)."""
        pos = self.positions
        i = bisect.bisect_left(pos, node.start_byte)
        return i < len(pos) and pos[i] < node.end_byte

    # -- functions
    def run(self, only: Optional[Callable[[Node], bool]] = None) -> None:
        """Walk the file's function and method declarations (``only``: those it accepts).  What a declaration
        records depends on it alone (its locals' types are worked out afresh for each one), so a walk of
        some of them records exactly what a walk of all records in them."""
        for node in self.ctx.root.named_children:
            if node.type in ("function_declaration", "method_declaration") and self._interesting(node) \
                    and (only is None or only(node)):
                self._declaration(node)
            elif node.type == "var_declaration":
                pass  # package-level initialisers run before main: not indexed

    def _declaration(self, decl: Node) -> None:
        name_node = decl.child_by_field_name("name")
        name = node_text(name_node) if name_node is not None else ""
        recv = None
        if decl.type == "method_declaration":
            r = decl.child_by_field_name("receiver")
            param = next((p for p in r.named_children if p.type == "parameter_declaration"), None) \
                if r is not None else None
            base, _ = base_type_name(param.child_by_field_name("type")) if param is not None else (None, False)
            recv = (base, name) if base is not None else None
        self.decl = decl
        self.decl_name = name
        self.method = recv
        if recv is not None:
            receiver = _param_names(decl.child_by_field_name("receiver"))
            self.signatures[recv] = (receiver[0] if receiver else "",
                                     tuple(_param_names(decl.child_by_field_name("parameters"))))
        self._local_types: Dict[str, str] = {}  # locals typed from their initialiser, by name
        self.held_on_entry = recv is not None and (bool(HELD_ON_ENTRY_NAME.search(name)) or doc_says_locked(decl))
        self.constructs: Optional[Set[str]] = None  # worked out at the declaration's first access
        self.is_init = decl.type == "function_declaration" and name == "init"
        held: Dict[str, str] = {}
        if self.held_on_entry:
            held[_CALLER] = "W"
        self._function(decl, held)

    def _function(self, fn: Node, held: Dict[str, str]) -> None:
        body = fn.child_by_field_name("body")
        if body is None:
            return
        roles: Set[str] = set()
        if fn.id in self.goroutines:
            roles.add("goroutine")
        if fn.id in self.handlers or (fn.type == "method_declaration" and self.decl_name == "ServeHTTP") \
                or is_handler_signature(self.ctx, fn):
            roles.add("handler")
        if fn.type == "func_literal":
            how = _callback_kind(fn)
            if how is not None:
                roles.add(how)
        saved = (getattr(self, "fn", None), getattr(self, "roles", None))
        self.fn = fn
        self.roles = self._same(frozenset(roles))
        self._walk(body, held)
        self.fn, self.roles = saved

    def _constructs(self) -> Set[str]:
        if self.constructs is None:
            self.constructs = _constructed_types(self.decl)
        return self.constructs

    def _walk(self, node: Node, held: Dict[str, str]) -> None:
        if not self._interesting(node):
            return
        t = node.type
        if t == "func_literal":
            # a closure that runs on this goroutine (called here, passed to a call, kept in a local) sees the
            # locks held where it is written; goroutine bodies, handlers and stored hooks start with none
            if node.id in self.goroutines:
                # a goroutine that its launcher waits for before releasing a lock runs while that lock is
                # held (``mu.Lock(); defer mu.Unlock(); go …; wg.Wait()``): other functions cannot race with it
                inner = joined_under(self.ctx, self.launches.get(node.id), held)
            elif node.id in self.handlers or _callback_kind(node) == "stored":
                inner = {}
            else:
                inner = {k: v for k, v in held.items() if k != "#wait"}
            if passed_to_lock_helper(node):
                inner[UNKNOWN_LOCK] = UNKNOWN_LOCK
            self._function(node, inner)
            return
        if t == "statement_list":
            h = dict(held)
            for stmt in node.named_children:
                self._walk(stmt, h)
                apply_statement(h, stmt)
                if "#wait" not in h and _may_wait(self.ctx, stmt) and is_sync_point(stmt):
                    h["#wait"] = "#"
            return
        if t == "identifier":
            self._identifier(node, held)
            return
        if t == "go_statement":
            call = next((c for c in node.named_children if c.type == "call_expression"), None)
            fn = unparen(call.child_by_field_name("function")) if call is not None else None
            if fn is not None and fn.type == "identifier":
                self.go_launched.add(node_text(fn))
            elif fn is not None and fn.type == "selector_expression":
                self.go_launched.add(node_text(fn.child_by_field_name("field")))
        if t == "call_expression":
            self._call(node, held)
        elif t == "selector_expression":
            field = node.child_by_field_name("field")
            if field is not None and field.text in self.method_names:
                name = node_text(field)
                self.method_refs[name] = self.method_refs.get(name, 0) + 1
        for child in node.named_children:
            if child.type not in _LEAVES:
                self._walk(child, held)

    # -- typing of roots
    def _resolve(self, ident: Node) -> Optional[Decl]:
        """``syntax.resolve(ident)`` for an identifier of the declaration being walked, mostly without
        the upward walk (``resolve_within`` lists the declaration's declarations once)."""
        return resolve_within(self.decl, ident)

    def _decl_of(self, ident: Node) -> Optional[Decl]:
        return resolve_in_function_within(self.decl, self.fn, ident)

    def _root_type(self, ident: Node) -> Tuple[Optional[str], str]:
        """(struct type name or None, root kind) of a local identifier."""
        decl = self._decl_of(ident)
        if decl is None:
            return None, "package"
        got = self._types.get(decl.ident.id)
        if got is not None:
            return got
        kind = "local"
        typ = None
        parent = decl.ident.parent
        if decl.kind in ("param", "recv"):
            plist = parent.parent if parent is not None else None
            owner = plist.parent if plist is not None else None
            kind = "receiver" if owner is not None and owner.type == "method_declaration" \
                and owner.child_by_field_name("receiver") == plist else "param"
            typ = decl.written_type()
        elif decl.kind == "var":
            typ = decl.written_type()
            value = unparen(decl.value())
            if value is not None:
                if value.type == "unary_expression" and value.named_children:
                    inner = unparen(value.named_children[-1])
                    if inner is not None and inner.type == "composite_literal":
                        typ = inner.child_by_field_name("type")
                        kind = "fresh"
                elif value.type == "composite_literal":
                    kind = "fresh"
                elif value.type == "call_expression" and node_text(value.child_by_field_name("function")) == "new":
                    args = value.child_by_field_name("arguments")
                    typ = args.named_children[0] if args is not None and args.named_children else None
                    kind = "fresh"
                elif value.type == "call_expression" and typ is None:
                    built = self._constructor_result(value)
                    if built is not None:
                        return self._typed_local(decl, built, "fresh")
                if typ is None and value.type in ("selector_expression", "index_expression", "call_expression"):
                    # a value fetched from typed state: fs.lmb, fs.blks[i], fs.selectMsgBlock(seq)
                    self._types[decl.ident.id] = (None, kind)  # no cycles through the initialiser
                    fetched = self._expr_type(value)
                    if fetched is not None:
                        return self._typed_local(decl, fetched, "fetched")
        name = None
        if typ is not None:
            base, _ = base_type_name(typ)
            if base is not None and self.m.struct(base) is not None and base not in self._type_params():
                name = base
        got = (name, kind)
        self._types[decl.ident.id] = got
        return got

    def _typed_local(self, decl: Decl, tname: str, kind: str) -> Tuple[Optional[str], str]:
        """Record a local typed from its initialiser (``_root_type`` and ``_type_of_name`` see it)."""
        got = (tname, kind)
        self._types[decl.ident.id] = got
        self._local_types[node_text(decl.ident)] = tname
        return got

    def _expr_type(self, expr: Optional[Node]) -> Optional[str]:
        """The package struct type ``T`` of ``expr`` when it is a typed root, a field (``x.f`` of type ``T``
        or ``*T``), an element of a field (``x.f[i]`` of ``[]*T`` / ``map[K]*T``) or a call of a package
        function or typed method returning ``T`` or ``*T``; None otherwise."""
        expr = unparen(expr)
        if expr is None:
            return None
        if expr.type == "identifier":
            return self._root_type(expr)[0] if self._resolve(expr) is not None else None
        if expr.type == "selector_expression":
            field = expr.child_by_field_name("field")
            owner = self._expr_type(expr.child_by_field_name("operand"))
            st = self.m.struct(owner) if owner is not None and field is not None else None
            fd = st.field(node_text(field)) if st is not None else None
            return _struct_of_text(self.m, fd.type_text) if fd is not None else None
        if expr.type == "index_expression":
            operand = unparen(expr.child_by_field_name("operand"))
            if operand is None or operand.type != "selector_expression":
                return None
            field = operand.child_by_field_name("field")
            owner = self._expr_type(operand.child_by_field_name("operand"))
            st = self.m.struct(owner) if owner is not None and field is not None else None
            fd = st.field(node_text(field)) if st is not None else None
            return _struct_of_text(self.m, _element_text(fd.type_text)) if fd is not None else None
        if expr.type == "call_expression":
            fn = unparen(expr.child_by_field_name("function"))
            fd = None
            if fn is not None and fn.type == "identifier" and self._resolve(fn) is None:
                fd = self.m.funcs.get(node_text(fn))
            elif fn is not None and fn.type == "selector_expression":
                owner = self._expr_type(fn.child_by_field_name("operand"))
                field = fn.child_by_field_name("field")
                fd = self.m.method(owner, node_text(field)) if owner is not None and field is not None else None
            if fd is None or fd.type_params:
                return None
            base = fd.result_base
            return base if base is not None and self.m.struct(base) is not None else None
        return None

    def _constructor_result(self, call: Node) -> Optional[str]:
        """``T`` when ``call`` calls a package function, or a method of a typed receiver, that returns ``T``
        or ``*T`` and builds a ``T`` value itself (``fs.initMsgBlock(i)`` returning ``&msgBlock{…}``)."""
        fn = unparen(call.child_by_field_name("function"))
        fd = None
        if fn is not None and fn.type == "identifier" and self._resolve(fn) is None:
            fd = self.m.funcs.get(node_text(fn))
        elif fn is not None and fn.type == "selector_expression":
            operand = unparen(fn.child_by_field_name("operand"))
            field = fn.child_by_field_name("field")
            if operand is not None and operand.type == "identifier" and field is not None \
                    and field.text in self.method_names:
                tname, _ = self._root_type(operand)
                fd = self.m.method(tname, node_text(field)) if tname is not None else None
        if fd is None:
            return None
        base = fd.result_base
        ok = base is not None and self.m.struct(base) is not None and not fd.type_params and fd.builds_result
        return base if ok else None

    def _type_params(self) -> Tuple[str, ...]:
        fd = self.m.method(*self.method) if self.method else self.m.funcs.get(self.decl_name)
        return fd.type_params if fd is not None and fd.file is self.ctx and fd.start == self.decl.start_byte \
            and fd.kind == self.decl.type else ()

    # -- accesses
    def _identifier(self, ident: Node, held: Dict[str, str]) -> None:
        parent = ident.parent
        raw = ident.text
        if raw not in self.var_names:
            if parent is None or parent.type != "selector_expression":
                return
            field = parent.child_by_field_name("field")
            if field is None or field.text not in self.field_names:
                return
        path = ident
        while parent is not None and parent.type == "selector_expression" \
                and parent.child_by_field_name("operand") == path:
            path = parent
            parent = parent.parent
        name = node_text(ident)
        if path is ident:
            if name not in self.m.vars or self.m.vars[name].const or not _is_var_use(ident):
                return
            if self._resolve(ident) is not None:
                return
            owner, root_kind, fields = "", "package", name
        else:
            if parent is not None and parent.type == "call_expression" \
                    and parent.child_by_field_name("function") == path:
                return  # x.M(...): a method call, indexed as a Call
            text = normal_text(path)
            fields = text[len(name) + 1:]
            if not fields or "(" in fields or "[" in fields:
                return
            if name in self.m.vars and self._resolve(ident) is None:
                if self.m.vars[name].const:
                    return
                owner, root_kind, fields = "", "package", name + "." + fields
            else:
                tname, root_kind = self._root_type(ident)
                if tname is None:
                    return
                first = fields.split(".")[0]
                fdecl = self.m.struct(tname).field(first)
                if fdecl is None or fdecl.embedded or _synchronised_type(fdecl.type_text):
                    return
                owner = tname
                if root_kind in ("param", "receiver", "local") and value_copy_root(self.ctx, ident, path):
                    root_kind = "copy"
        kind, atomic = _access_kind(self, path)
        if kind is None:
            return
        fresh_value = kind == "write" and _assigned_fresh_value(path)
        locks = self._locks(held, name)
        func_name = self.decl_name
        i = self._same
        self.accesses.append(Access(
            key=i((owner, fields)), file=self.ctx.path, start=path.start_byte, end=path.end_byte,
            line=path.start_point[0] + 1, text=i(normal_text(path)), root=i(name), root_kind=root_kind, kind=kind,
            atomic=atomic, locks=locks, func=i(func_name), func_key=i((self.ctx.path, self.fn.start_byte)),
            decl_key=i((self.ctx.path, self.decl.start_byte)), method=self.method, roles=self.roles,
            held_on_entry=_CALLER in held,
            constructs=owner in self._constructs(), init=self.is_init, test=self.ctx.is_test,
            after_wait="#wait" in held, fresh_value=fresh_value))

    def _locks(self, held: Dict[str, str], root: str) -> Tuple[Lock, ...]:
        out: List[Lock] = []
        for text, mode in sorted(held.items()):
            if text == "#wait":
                continue
            if text == UNKNOWN_LOCK:
                out.append(Lock(("?", "?"), "?", "?", ""))
                continue
            if text == _CALLER:
                out.append(Lock((self.method[0], "*"), _CALLER, "W", self._receiver_name() or ""))
                continue
            out.append(self._lock(text, mode))
        i = self._same
        return i(tuple(i(lk) for lk in out))

    def _same(self, value):
        """One object per distinct value within the file (locks, keys, names repeat a lot): the summary is
        smaller and reads back faster from the facts store (pickle writes a repeated object once)."""
        return self._values.setdefault(value, value)

    def _receiver_name(self) -> Optional[str]:
        fd = self.m.method(*self.method) if self.method else None
        return fd.receiver_name if fd is not None else None

    def _lock(self, text: str, mode: str) -> Lock:
        root = re.split(r"[.\[(]", text, 1)[0]
        rest = text[len(root) + 1:] if len(text) > len(root) else ""
        if root in self.m.vars and not self._local_name(root):
            return Lock(("", text), text, mode, "")
        tname = self._type_of_name(root)
        if tname is not None:
            return Lock((tname, rest), text, mode, root)
        return Lock(("@", text), text, mode, root)

    def _local_name(self, name: str) -> bool:
        return False  # lock texts come without nodes; a package var shadowed by a local lock is rare

    def _type_of_name(self, name: str) -> Optional[str]:
        """The struct type of a receiver/parameter named ``name`` of the current declaration or literal, or
        of a local of the declaration typed from its initialiser (``mb := fs.blks[i]``)."""
        if name in self._local_types:
            return self._local_types[name]
        for fn in (self.fn, self.decl):
            for field in ("receiver", "parameters"):
                plist = fn.child_by_field_name(field)
                if plist is None:
                    continue
                for p in plist.named_children:
                    if any(c.type == "identifier" and node_text(c) == name for c in p.named_children):
                        base, _ = base_type_name(p.child_by_field_name("type"))
                        if base is not None and self.m.struct(base) is not None:
                            return base
        return None

    # -- calls
    def _call(self, call: Node, held: Dict[str, str]) -> None:
        fn = unparen(call.child_by_field_name("function"))
        if fn is None or fn.type != "selector_expression":
            return
        operand = unparen(fn.child_by_field_name("operand"))
        field = fn.child_by_field_name("field")
        if operand is None or field is None or field.text not in self.method_names:
            return
        root = operand
        while root is not None and root.type == "selector_expression":
            root = unparen(root.child_by_field_name("operand"))
        if root is None or root.type != "identifier":
            return
        tname = None
        if operand.type == "identifier":
            tname, _ = self._root_type(operand)
        else:
            # x.inner.M(): the type of the field x.inner when x is typed
            rt, _ = self._root_type(root)
            if rt is not None:
                parts = normal_text(operand).split(".")[1:]
                cur = rt
                for part in parts:
                    st = self.m.struct(cur) if cur is not None else None
                    fd = st.field(part) if st is not None else None
                    cur = base_type_name_text(fd.type_text) if fd is not None else None
                tname = cur if cur is not None and self.m.struct(cur) is not None else None
        if tname is None or self.m.method(tname, node_text(field)) is None:
            return
        locks = self._locks(held, node_text(root))
        same_root = any(lk.root == node_text(root) or lk.guard[0] == tname for lk in locks)
        parent = outside_parens(call)[1]
        args = call.child_by_field_name("arguments")
        i = self._same
        self.calls.append(Call(i((tname, node_text(field))), self.ctx.path, call.start_point[0] + 1, locks, same_root,
                               i(self.decl_name), i((self.ctx.path, self.decl.start_byte)),
                               _CALLER in held, i(node_text(root)),
                               go=parent is not None and parent.type == "go_statement",
                               in_loop=in_loop_within(call, self.fn),
                               fresh_root=operand.type == "identifier" and self._root_type(operand)[1] == "fresh",
                               caller=self.method, roles=self.roles, in_literal=self.fn.type == "func_literal",
                               recv_arg=i(self._arg(operand, call)),
                               args=i(tuple(i(self._arg(a, call)) for a in (args.named_children if args is not None
                                                                            else ()) if a.type != "comment"))))

    def _arg(self, expr: Optional[Node], call: Node) -> Tuple[str, str, bool]:
        """(name, root kind, declared inside the innermost loop around ``call``) of a bare identifier."""
        expr = unparen(expr)
        if expr is None or expr.type != "identifier":
            return ("", "", False)
        decl = self._decl_of(expr)
        if decl is None:
            return ("", "package", False)
        _, kind = self._root_type(expr)
        if kind in ("param", "receiver"):
            plist = decl.ident.parent.parent if decl.ident.parent is not None else None
            if plist is None or plist.parent is None or plist.parent.id != self.decl.id:
                kind = ""  # a func literal's own parameter (or something we cannot place)
        loop = call.parent
        while loop is not None and loop.id != self.fn.id and loop.type != "for_statement":
            loop = loop.parent
        inside = loop is not None and loop.type == "for_statement" \
            and loop.start_byte <= decl.ident.start_byte < loop.end_byte
        return (node_text(expr), kind, inside)


def joined_under(ctx: FileContext, launch: Optional[Node], held: Dict[str, str]) -> Dict[str, str]:
    """The locks a goroutine body runs under: those held at its launch when the launcher waits for it
    (a ``X.Wait()`` statement) before it releases any of them (no unlock, no return, on the way there);
    none otherwise.  Only other functions are excluded by them: the goroutines of one launcher still run
    together (so the rules about goroutines of one launcher racing each other do not use this)."""
    locks = {k: v for k, v in held.items() if k != "#wait"}
    if launch is None or not locks:
        return {}
    func = enclosing_function(launch)
    if func is None:
        return {}
    for stmt in statements_after(launch, func, cross_loops=True):
        text = ctx.source[stmt.start_byte:stmt.end_byte]
        if stmt.type == "return_statement" or b"return" in text and captures("(return_statement) @r", stmt):
            return {}
        if b"nlock" in text:
            locked, unlocked = lock_calls_in(stmt)
            call = method_call(stmt)
            if call is not None and call[1] in UNLOCK_MODES:
                unlocked.add(call[0])
            if unlocked & set(locks) or (unlocked and UNKNOWN_LOCK in locks):
                return {}
        if b".Wait()" in text and is_sync_point(stmt):
            return locks
    return {}


def _param_names(plist: Optional[Node]) -> List[str]:
    """One name per parameter of a parameter list ("" when unnamed, "...name" for a variadic one)."""
    return [("..." if variadic else "") + (node_text(name) if name is not None else "")
            for name, variadic in parameters(plist)]


def _in_test_file(path: str) -> bool:
    return path.endswith("_test.go")


def _element_text(type_text: str) -> str:
    """``*T`` of ``[]*T``, ``[4]*T`` or ``map[K]*T``; '' for anything else."""
    return element_type_text(type_text) or ""


def _struct_of_text(m: PackageModel, type_text: str) -> Optional[str]:
    """The package struct ``T`` named by ``T`` or ``*T`` (no slices, maps, qualified or generic types)."""
    t = type_text.strip()
    if t.startswith("*"):
        t = t[1:].strip()
    return t if t.isidentifier() and m.struct(t) is not None else None


def base_type_name_text(text: str) -> Optional[str]:
    text = text.lstrip("*").strip()
    if "." in text:
        text = text.rsplit(".", 1)[1]
    text = text.split("[", 1)[0]
    return text if text.isidentifier() else None


def _synchronised_type(type_text: str) -> bool:
    t = type_text.lstrip("*")
    return t.startswith(("sync.", "atomic.", "chan ", "<-chan", "chan<-")) or t.startswith("chan")


def _is_var_use(ident: Node) -> bool:
    p = ident.parent
    if p is None:
        return False
    if p.type == "literal_element":
        gp = p.parent
        if gp is not None and gp.type == "keyed_element" and gp.named_children and gp.named_children[0] == p:
            return False
    if p.type in ("parameter_declaration", "var_spec", "const_spec", "type_spec", "function_declaration",
                  "labeled_statement", "break_statement", "continue_statement", "goto_statement"):
        return False
    if p.type == "expression_list" and p.parent is not None and p.parent.type in ("short_var_declaration",):
        return p.parent.child_by_field_name("left") != p
    return True


def _may_wait(ctx: FileContext, stmt: Node) -> bool:
    find, start, end = ctx.source.find, stmt.start_byte, stmt.end_byte
    return find(b"Wait(", start, end) >= 0 or find(b"<-", start, end) >= 0 or find(b"select", start, end) >= 0 \
        or find(b"range", start, end) >= 0


_TOKEN = re.compile(rb"[A-Za-z_\x80-\xff][\w\x80-\xff]*")
_SPACE = b" \t\r\n"
_IDENT_BYTE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") \
    | frozenset(range(0x80, 0x100))


@provider(scope=PACKAGE, requires=(model,))
def package_names(ctx: FileContext) -> Tuple[Set[bytes], Set[bytes], Set[bytes]]:
    """(package variable names, struct field names, method names) of ``ctx``'s package."""
    m = model(ctx)
    return ({n.encode() for n, v in m.vars.items() if not v.const},
            {f.name.encode() for t in m.types.values() for f in t.fields if not f.embedded},
            {name.encode() for (_, name) in m.methods})


# what ``file_names`` notes besides the package's names: the words a ``go`` statement and a lock taken with
# ``X.Lock()`` / ``X.RLock()`` are written with, and (not a word) the import an atomic access needs
_LOCK_WORDS = frozenset((b"Lock", b"RLock"))
_MARK_WORDS = _LOCK_WORDS | {b"go"}
_ATOMIC_IMPORT = ATOMIC.encode()


@provider(scope=KEPT, requires=(model, package_names), depends_on=model_fingerprint, persistent=True)
def file_names(ctx: FileContext) -> FrozenSet[bytes]:
    """The package's variable, field and method names that the file's bytes hold as words, with ``go``,
    ``Lock`` and ``RLock`` when they hold those, and ``sync/atomic`` when they hold that: whatever the file's
    summary records is written with one of them (``FieldIndex`` summarises the files a question needs).
    Read from the bytes: a name in a comment or string only makes a file be summarised for nothing."""
    var_names, field_names, method_names = package_names(ctx)
    present = set(_TOKEN.findall(ctx.source))
    out = (present & var_names) | (present & field_names) | (present & method_names) | (present & _MARK_WORDS)
    if _ATOMIC_IMPORT in ctx.source:
        out.add(_ATOMIC_IMPORT)
    return frozenset(out)


def _interesting_positions(ctx: FileContext, var_names, field_names, method_names,
                           held: Optional[FrozenSet[bytes]] = None) -> List[int]:
    """Sorted byte offsets inside everything ``_Walker`` may record: identifiers named like a package
    variable, the operand of ``x.f`` when ``f`` is named like a struct field, the dot of ``x.m`` when
    ``m`` is named like a package method, ``go`` keywords.  Read from the bytes (names in strings and
    comments only add offsets, and extra offsets only make the walk visit more): the file's tokens are
    intersected with the package's names first, so most files are done after one ``findall``."""
    src = ctx.source
    present = held if held is not None else set(_TOKEN.findall(src))  # (``file_names``: the words that matter)
    variables, fields, methods = present & var_names, present & field_names, present & method_names
    names = set(variables | fields | methods)
    if b"go" in present:
        names.add(b"go")
        variables = variables | {b"go"}
    if not names:
        return []
    out: List[int] = []
    for m in _TOKEN.finditer(src):
        tok = m.group()
        if tok not in names:
            continue
        start = m.start()
        if tok in variables:
            out.append(start)
        if tok in fields or tok in methods:
            j = start - 1
            while j >= 0 and src[j] in _SPACE:  # x.\n\tf
                j -= 1
            if j < 0 or src[j] != 0x2E:  # not after a dot: not a selector's field
                continue
            out.append(j)  # inside the selector and the call
            k = j - 1
            while k >= 0 and src[k] in b" \t":
                k -= 1
            last = k
            while k >= 0 and src[k] in _IDENT_BYTE:
                k -= 1
            if k < last:
                out.append(k + 1)  # where the operand identifier starts
    out.sort()
    return out


def _access_kind(w: "_Walker", path: Node) -> Tuple[Optional[str], bool]:
    """("read" | "write" | "rmw" | None, atomic) for the access ``path`` (a maximal selector chain or a
    bare package variable)."""
    node = path
    parent = node.parent
    sub = False  # the access writes something inside the value (an element, a deeper field through an index)
    while parent is not None:
        if parent.type == "parenthesized_expression":
            pass
        elif parent.type == "index_expression" and parent.child_by_field_name("operand") == node:
            sub = True
        elif parent.type == "selector_expression" and parent.child_by_field_name("operand") == node:
            sub = True
        elif parent.type == "unary_expression" and node_text(parent.child_by_field_name("operator")) == "*":
            sub = True
        else:
            break
        node, parent = parent, parent.parent
    if parent is None:
        return "read", False
    if parent.type in ("inc_statement", "dec_statement"):
        return "rmw", False
    if parent.type == "expression_list" and parent.parent is not None \
            and parent.parent.type == "assignment_statement" and parent.parent.child_by_field_name("left") == parent:
        stmt = parent.parent
        op = stmt.child_by_field_name("operator")
        if op is not None and node_text(op) != "=":
            return "rmw", False
        right = stmt.child_by_field_name("right")
        lefts = parent.named_children
        rights = right.named_children if right is not None else []
        if len(lefts) == len(rights):
            value = unparen(rights[lefts.index(node)]) if node in lefts else None
            if value is not None and value.type == "binary_expression":
                lhs = unparen(value.child_by_field_name("left"))
                if lhs is not None and normal_text(lhs) == normal_text(node):
                    return "rmw", False
        return "write", False
    if parent.type == "unary_expression" and node_text(parent.child_by_field_name("operator")) == "&" and not sub:
        args = parent.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        if call is not None and args.named_children and args.named_children[0] == parent:
            fn = call.child_by_field_name("function")
            if fn is not None and fn.type == "selector_expression":
                pkg = fn.child_by_field_name("operand")
                name = node_text(fn.child_by_field_name("field"))
                if pkg is not None and pkg.type == "identifier" and node_text(pkg) in w.atomic_aliases \
                        and _ATOMIC_FUNC.match(name) and package_selector(w.ctx, pkg, ATOMIC):
                    return ("read" if name.startswith("Load") else "write"), True
        return None, False  # address taken: passed on, we cannot follow it
    if parent.type == "call_expression" and node == parent.child_by_field_name("function"):
        return None, False
    if parent.type == "argument_list" and parent.parent is not None:
        fn = parent.parent.child_by_field_name("function")
        if fn is not None and fn.type == "identifier" and node_text(fn) == "delete" \
                and parent.named_children and parent.named_children[0] == node:
            return "write", False
    return "read", False


def _assigned_fresh_value(path: Node) -> bool:
    """``path = make(…)`` / ``T{…}`` / ``&T{…}`` / ``new(T)`` / ``nil`` / ``NewT(…)``: (re)initialisation."""
    parent = path.parent
    if parent is None or parent.type != "expression_list" or parent.parent is None \
            or parent.parent.type != "assignment_statement":
        return False
    right = parent.parent.child_by_field_name("right")
    lefts = parent.named_children
    rights = right.named_children if right is not None else []
    if len(lefts) != len(rights) or path not in lefts:
        return False
    value = unparen(rights[lefts.index(path)])
    if value is None:
        return False
    if value.type == "unary_expression" and value.named_children:
        value = unparen(value.named_children[-1])
    if value is None:
        return False
    if value.type in ("composite_literal", "nil", "func_literal"):
        return True
    if value.type == "call_expression":
        fn = unparen(value.child_by_field_name("function"))
        name = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
        text = node_text(name) if name is not None else ""
        return text in ("make", "new") or text.startswith(("New", "new"))
    return False


def _constructed_types(decl: Node) -> Set[str]:
    """Struct type names the declaration builds a value of (``T{…}``, ``&T{…}``, ``new(T)``)."""
    out: Set[str] = set()
    caps = captures(_CONSTRUCT, decl)
    for typ in caps.get("lit", []) + caps.get("new", []):
        base, _ = base_type_name(typ)
        if base is not None:
            out.add(base)
    return out


_CONSTRUCT = """
(composite_literal type: (_) @lit)
(call_expression function: (identifier) @_f arguments: (argument_list . (_) @new) (#eq? @_f "new"))
"""


def _callback_kind(lit: Node) -> Optional[str]:
    """How a func literal is handed to someone else who may call it later or from another goroutine:
    "callback" for an argument of a call that is not a known synchronous helper, "stored" for a
    composite-literal value (``Config{OnEvent: …}``) or a value stored in a field (``x.OnEvent = …``)."""
    p = outside_parens(lit)[1]
    if p is None:
        return None
    if p.type == "argument_list" and p.parent is not None:
        fn = unparen(p.parent.child_by_field_name("function"))
        name = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
        if name is None:
            return None
        callee = node_text(name)
        if callee in _SYNC_CALLEES or callee.startswith(("Must", "With", "must")):
            return None
        return "callback"
    if p.type == "literal_element":
        return "stored"
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "assignment_statement":
        left = p.parent.child_by_field_name("left")
        if left is not None and any(unparen(x).type == "selector_expression" for x in left.named_children):
            return "stored"
    return None


# --------------------------------------------------------------------------- the package index

def summarise(ctx: FileContext, m: PackageModel, names: Tuple[Set[bytes], Set[bytes], Set[bytes]],
              held: Optional[FrozenSet[bytes]] = None) -> FileSummary:
    """One file's accesses and calls (plain data), given the package's model and ``package_names`` (and
    the file's ``file_names``, else read from its bytes again); ``file_summary`` memoises it."""
    w = _Walker(ctx, m, names, held)
    w.run()
    return FileSummary(w.accesses, w.calls, w.go_launched, w.method_refs, w.signatures)


@provider(scope=KEPT, requires=(model, package_names, file_names, goroutine_bodies, handler_bodies, sync_point,
                                scopes), depends_on=model_fingerprint, persistent=True, on_demand=True)
def file_summary(ctx: FileContext) -> FileSummary:
    """One file's part of the field-access index (plain data): its accesses, method calls, ``go`` launches,
    method references and walked signatures.  It depends on the whole package's model, so it is kept with
    the file only for the package declarations it was computed on (``depends_on``: a sibling's summary is
    recomputed when they change, not when an edit only moves them); plain data, so it persists in the
    per-file facts store.  Any file's summary can be computed on its own once the model is
    known (workers summarising the files of one package in parallel call this)."""
    return summarise(ctx, model(ctx), package_names(ctx), file_names(ctx))


def _walk_declarations_holding(ctx: FileContext, word: "re.Pattern[bytes]") -> "_Walker":
    """A walk of the file's declarations whose text ``word`` matches (``_Walker.run``'s ``only``)."""
    source = ctx.source
    w = _Walker(ctx, model(ctx), package_names(ctx), file_names(ctx))
    w.run(only=lambda decl: word.search(source, decl.start_byte, decl.end_byte) is not None)
    return w


def _atomic_of(s: FileSummary) -> List[Access]:
    """The atomic accesses of a summary, key by key (sorted), each key's in walk order."""
    return [a for a in s.of_keys(sorted(s.atomic_keys)) if a.atomic] if s.atomic_keys else []


@provider(scope=KEPT, requires=(model, package_names, file_names, goroutine_bodies, handler_bodies, sync_point,
                                scopes), depends_on=model_fingerprint, persistent=True, on_demand=True)
def file_atomic_accesses(ctx: FileContext) -> List[Access]:
    """The file's atomic accesses as its summary lists them (``_atomic_of``), from a walk of only the
    declarations whose text holds a name of ``sync/atomic`` (an atomic access is ``name.AddInt64(&…)``): the
    files of a package that import sync/atomic are not walked whole to find its atomic paths."""
    aliases = [a for a in ctx.aliases_of(ATOMIC) if a.isidentifier() and a != "_"]
    if not aliases:
        return []
    w = _walk_declarations_holding(ctx, re.compile(rb"\b(?:%s)\b" % b"|".join(re.escape(a.encode()) for a in aliases)))
    return _atomic_of(FileSummary(w.accesses, w.calls, w.go_launched))


def takes_lock(a: Access) -> bool:
    """The access holds, in write or read mode, a lock its own function took (``X.Lock()``/``X.RLock()``, not
    a caller's lock of the ``…Locked`` naming): the only locks a guard is inferred from."""
    return any(lk.mode in ("W", "R") and lk.guard[1] != "*" for lk in a.locks)


_LOCK_WORD = re.compile(rb"\bR?Lock\b")


@provider(scope=KEPT, requires=(model, package_names, file_names, goroutine_bodies, handler_bodies, sync_point,
                                scopes), depends_on=model_fingerprint, persistent=True, on_demand=True)
def file_locked_accesses(ctx: FileContext) -> List[Access]:
    """The file's accesses that ``takes_lock``, in walk order, from a walk of only the declarations whose text
    holds the word ``Lock`` or ``RLock``: a lock is held in write or read mode only after an ``X.Lock()`` or
    ``X.RLock()`` of the same declaration (a goroutine body or callback in it inherits its launcher's locks)."""
    if _LOCK_WORD.search(ctx.source) is None:
        return []
    return [a for a in _walk_declarations_holding(ctx, _LOCK_WORD).accesses if takes_lock(a)]


@provider(scope=PACKAGE)
def first_files(ctx: FileContext) -> Dict[str, FileContext]:
    """The files of ``ctx``'s package by path, the first context of each path, in package order."""
    out: Dict[str, FileContext] = {}
    for f in ctx.package.files:
        out.setdefault(f.path, f)
    return out


def _first_name(key: Tuple[str, str]) -> str:
    """The name every access of ``key`` is written with: the field after the root (``("T", "a.b")`` ->
    ``a``) or the package variable (``("", "v.x")`` -> ``v``)."""
    return key[1].split(".", 1)[0]


class FieldIndex:
    """The package's accesses and calls, from its files' summaries, summarising only the files a question
    needs.  Everything a summary records is written with a name its file's bytes hold (``file_names``):
    an access of ``("T", "a.b")`` with ``a``, of ``("", "v")`` with ``v``, a call, a method reference, a
    signature or a ``go`` launch of ``M`` with ``M``, an atomic access with the import ``sync/atomic``.  So
    the answer about a name is made from the summaries of the files that hold it, in package order, and
    equals the answer made from every file's summary; a package whose rules ask about few names is not
    walked whole.  Answers are kept per name; summaries are computed as package work (outside the budget
    of the file being linted), read back from the facts store when it has them."""

    def __init__(self, files):
        # the index keeps plain data only (summaries, names); the package is reached through a weak
        # reference (``bind``), so a kept index holds no file and no tree
        self._package: Callable[[], Optional[object]] = lambda: None
        self._where: Optional[Dict[bytes, List[str]]] = None  # name -> paths of the files holding it
        self._summaries: Dict[str, FileSummary] = {}  # path -> file_summary, the files summarised so far
        self._having: Dict[bytes, List[Tuple[str, FileSummary]]] = {}  # name -> (path, summary) of the files holding it
        self._of: Dict[Tuple[str, str], List[Access]] = {}
        self._calls: Dict[Tuple[str, str], List[Call]] = {}
        self._var_sites: Dict[str, List[Access]] = {}
        self._atomic: Optional[List[Access]] = None
        self._locked: Optional[FrozenSet[Tuple[str, str]]] = None
        self._locked_by_file: Dict[str, Dict[Tuple[str, str], List[Access]]] = {}
        self._locking_paths_: Optional[FrozenSet[str]] = None
        self._sole: Dict[Tuple[str, str], Optional[Call]] = {}
        self._origins: Dict[Tuple[Tuple[str, str], str], Optional[FrozenSet[tuple]]] = {}
        self.bind(files)

    def bind(self, files) -> None:
        """Answer from ``files`` (a ``PackageFiles`` of the same contents) from now on."""
        self._package = weakref.ref(files)

    def _files(self) -> Dict[str, FileContext]:
        """The package's files by path (the first context of a path), in package order."""
        files = self._package()
        if files is None:
            raise RuntimeError("field index used after its package was released")
        return first_files(files.files[0])

    def _summary(self, ctx: FileContext) -> FileSummary:
        got = self._summaries.get(ctx.path)
        if got is None:
            with package_work(), gc_paused():  # (many small objects, read back or built)
                got = self._summaries[ctx.path] = file_summary(ctx)
        return got

    def _holding(self) -> Dict[bytes, List[str]]:
        """name -> the paths of the files whose bytes hold it (``file_names``), in package order: made once,
        for every file, at the first question."""
        if self._where is None:
            where: Dict[bytes, List[str]] = {}
            with package_work():
                for path, ctx in self._files().items():
                    for name in file_names(ctx):
                        where.setdefault(name, []).append(path)
            self._where = where
        return self._where

    def _with(self, name: bytes) -> List[Tuple[str, FileSummary]]:
        """(path, summary) of the files whose bytes hold ``name``, in package order."""
        got = self._having.get(name)
        if got is None:
            paths = self._holding().get(name, ())
            if paths:
                files = self._files()
                got = [(path, self._summary(files[path])) for path in paths]
            else:
                got = []
            self._having[name] = got
        return got

    def _file(self, path: str) -> Optional[FileSummary]:
        got = self._summaries.get(path)
        if got is None:
            ctx = self._files().get(path)
            got = self._summary(ctx) if ctx is not None else None
        return got

    def keys(self) -> List[Tuple[str, str]]:
        """Every key accessed in the package (in the order the files first access them): summarises every
        file (for tests and tools; the rules ask about names)."""
        out: Dict[Tuple[str, str], None] = {}
        for ctx in self._files().values():
            out.update(dict.fromkeys(self._summary(ctx).keys()))
        return list(out)

    @property
    def atomic(self) -> List[Access]:
        """Every atomic access of the package, file by file, in walk order."""
        if self._atomic is None:
            # (a file summarised already gives them; another is walked in its declarations that name the package)
            files = self._files()
            got: List[Access] = []
            for path in self._holding().get(_ATOMIC_IMPORT, ()):
                s = self._summaries.get(path)
                if s is not None:
                    got.extend(_atomic_of(s))
                else:
                    with package_work(), gc_paused():
                        got.extend(file_atomic_accesses(files[path]))
            self._atomic = got
        return self._atomic

    def _locking_paths(self) -> FrozenSet[str]:
        """The paths of the files whose bytes hold ``Lock`` or ``RLock``: a lock held in write or read mode at
        an access was taken with ``X.Lock()`` or ``X.RLock()`` in the access's file (or its launcher's, which
        holds the word too)."""
        if self._locking_paths_ is None:
            where = self._holding()
            self._locking_paths_ = frozenset(path for name in _LOCK_WORDS for path in where.get(name, ()))
        return self._locking_paths_

    def _locked_in(self, path: str) -> Dict[Tuple[str, str], List[Access]]:
        """key -> the accesses of file ``path`` that ``takes_lock``, in walk order: from its summary when it is
        summarised already, else from a walk of its declarations that take a lock (``file_locked_accesses``)."""
        got = self._locked_by_file.get(path)
        if got is None:
            s = self._summaries.get(path)
            if s is not None:
                found = [a for a in s.accesses if takes_lock(a)]
            else:
                with package_work(), gc_paused():
                    found = file_locked_accesses(self._files()[path])
            got = self._locked_by_file[path] = {}
            for a in found:
                got.setdefault(a.key, []).append(a)
        return got

    def locked_keys(self) -> FrozenSet[Tuple[str, str]]:
        """The keys some access of which ``takes_lock`` (the files that take a lock are walked in their
        declarations that take one)."""
        if self._locked is None:
            paths = self._locking_paths()
            self._locked = frozenset(k for path in self._files() if path in paths for k in self._locked_in(path))
        return self._locked

    def of_locking(self, key: Tuple[str, str]) -> List[Access]:
        """The accesses of ``key`` that ``takes_lock`` (those a guard is inferred from), file by file, in walk
        order: the files that take a lock and hold the key's name are walked in their declarations that take
        one."""
        paths = self._locking_paths()
        return [a for path in self._holding().get(_first_name(key).encode(), ()) if path in paths
                for a in self._locked_in(path).get(key, ())]

    def may_access(self, path: str, keys: Iterable[Tuple[str, str]]) -> bool:
        """The file ``path`` of the package may access one of ``keys`` (its bytes hold the name of one)."""
        ctx = self._files().get(path)
        if ctx is None:
            return False
        names = file_names(ctx)
        return any(_first_name(k).encode() in names for k in keys)

    def package_var_sites(self, name: str) -> List[Access]:
        """Every access of the package-level variable ``name`` (``name`` or a path below it), file by file."""
        got = self._var_sites.get(name)
        if got is None:
            got = []
            for _, s in self._with(name.encode()):
                keys = [k for k in s.keys() if k[0] == "" and _first_name(k) == name]
                got.extend(s.of_keys(keys))
            self._var_sites[name] = got
        return got

    def at(self, path: str, start: int) -> Optional[Access]:
        """The access whose path starts at byte ``start`` of file ``path`` (None: not indexed)."""
        s = self._file(path)
        return s.at(start) if s is not None else None

    def calls_of(self, method: Tuple[str, str]) -> List[Call]:
        """Every same-package call of ``method`` (``x.M()`` on a typed ``x``), file by file, in walk order."""
        got = self._calls.get(method)
        if got is None:
            got = self._calls[method] = [c for _, s in self._with(method[1].encode()) for c in s.calls_of(method)]
        return got

    def launched(self, name: str) -> bool:
        """Some ``go`` statement of the package starts a function or method named ``name``."""
        return any(name in s.go_launched for _, s in self._with(name.encode()))

    def signature(self, method: Tuple[str, str]) -> Optional[Tuple[str, Tuple[str, ...]]]:
        """(receiver name, parameter names) of the declaration of ``method`` (None: not walked)."""
        got = None
        for _, s in self._with(method[1].encode()):
            got = s.signatures.get(method, got)  # (the last file's, as one merge in package order gives)
        return got

    def guard_evidence(self, key: Tuple[str, str], guard: Tuple[str, str], exclude_decl=None) -> List[Access]:
        """Sites of ``key`` that hold ``guard`` (any mode), outside declaration ``exclude_decl``, in code
        that is not a constructor, ``init`` or a test, on a root that is not a local built or fetched in
        its function (``x := newT()``, ``mb := fs.blks[i]``: the lock may belong to the container)."""
        return [a for a in self.of(key) if a.decl_key != exclude_decl and not (a.constructs or a.init or a.test)
                and a.root_kind not in ("fetched", "fresh", "copy")
                and any(lk.guard == guard for lk in a.locks)]

    def of(self, key: Tuple[str, str]) -> List[Access]:
        """Every access of ``key`` in the package, file by file, in walk order."""
        got = self._of.get(key)
        if got is None:
            got = self._of[key] = [a for _, s in self._with(_first_name(key).encode()) for a in s.of_key(key)]
        return got

    def in_file(self, path: str) -> List[Access]:
        """Every access of file ``path``, in walk order."""
        s = self._file(path)
        return s.accesses if s is not None else []

    def runs_concurrently(self, a: Access) -> bool:
        """The access's function is a goroutine body, handler or callback, or a method started with ``go``."""
        return bool(a.roles) or (a.method is not None and self.launched(a.method[1]))

    def callers_hold_lock(self, method: Tuple[str, str], guard: Optional[Tuple[str, str]] = None) -> bool:
        """Every same-package call of ``method`` (at least one) holds a lock of the receiver's type (``guard``
        when given), or is made from a function that starts with it held (one level of callers, then the
        ``…Locked`` naming)."""
        calls = self.calls_of(method)
        if not calls:
            return False
        for c in calls:
            ok = c.held_on_entry or any(
                (lk.guard == guard or lk.guard[0] == method[0]) if guard is not None else lk.guard[0] == method[0]
                for lk in c.locks) or any(lk.mode == "?" for lk in c.locks)
            if not ok:
                return False
        return True

    def calls_complete(self, name: str) -> bool:
        """Every ``x.name`` of the package's non-test files is an indexed call of a method ``name`` (no
        call on an untyped operand, no method value handed on): the recorded calls are all the callers."""
        refs = calls = 0
        for path, s in self._with(name.encode()):
            if not _in_test_file(path):
                refs += s.method_refs.get(name, 0)
                calls += s.call_counts.get(name, 0)
        return refs == calls

    def unpublished(self, a: Access) -> bool:
        """``a`` touches a value that is not shared yet: a local its function builds (``x := &T{…}``,
        ``x := newT()``), or the receiver of an unexported method that every caller calls on such a local."""
        if a.root_kind in ("fresh", "copy"):
            return True
        if a.root_kind != "receiver" or a.method is None or not a.method[1][:1].islower() \
                or (a.roles and a.func_key != a.decl_key) or not self.calls_complete(a.method[1]):
            return False
        calls = [c for c in self.calls_of(a.method) if not _in_test_file(c.file)]
        return bool(calls) and all(c.fresh_root and not c.go and not (c.roles and c.in_literal) for c in calls)

    def callers_hold(self, method: Tuple[str, str], guard: Tuple[str, str], write: bool) -> bool:
        """``method`` is unexported and every same-package call of it (at least one) holds ``guard`` (for
        writing when ``write``) on the object it is called on: ``c.mu.Lock(); c.adjust()``, or a call on
        the receiver of a function that starts with its lock held (``…Locked``).  A lock of another
        object or an unknown lock does not count."""
        calls = self.calls_of(method)
        if not calls or not method[1][:1].islower() or not self.calls_complete(method[1]):
            return False
        for c in calls:
            if not any(lk.guard[0] == guard[0] and (lk.guard[1] == guard[1] or "*" in (lk.guard[1], guard[1]))
                       and lk.root == c.root and c.root != "" and (not write or lk.mode == "W") for lk in c.locks):
                return False
        return True

    def sole_goroutine(self, method: Tuple[str, str], depth: int = 0) -> Optional[Call]:
        """The one ``go x.run()`` whose goroutine is the only one that runs the unexported ``method``: the
        launch is made on a value its function has just built (``x := &T{…}``), outside loops, and every
        other call of ``method`` comes from an unexported method that only that goroutine runs (not
        from a goroutine, callback or handler literal).  None when that is not so."""
        if depth == 0:
            if method not in self._sole:
                self._sole[method] = self._sole_goroutine(method, 0)
            return self._sole[method]
        return self._sole_goroutine(method, depth)

    def _sole_goroutine(self, method: Tuple[str, str], depth: int) -> Optional[Call]:
        if depth > 4 or not method[1][:1].islower() or not self.calls_complete(method[1]):
            return None
        calls = self.calls_of(method)
        launch: Optional[Call] = None
        for c in calls:
            if _in_test_file(c.file):
                continue
            if c.go:
                got = c if c.fresh_root and not c.in_loop else None
            elif (c.roles and c.in_literal) or c.caller is None:
                got = None
            else:
                got = self.sole_goroutine(c.caller, depth + 1)
            if got is None or (launch is not None and got != launch):
                return None
            launch = got
        return launch

    def before_launch(self, method: Tuple[str, str], launch: Call, depth: int = 0) -> bool:
        """Every call of the unexported ``method`` (at least one) runs before ``launch``, on the launching
        function's goroutine: in the launching function above it, or from methods that only do so."""
        if depth > 4 or not method[1][:1].islower() or not self.calls_complete(method[1]):
            return False
        calls = self.calls_of(method)
        if not calls:
            return False
        for c in calls:
            if _in_test_file(c.file):
                continue
            if c.go or (c.roles and c.in_literal):
                return False
            if c.decl_key == launch.decl_key and c.line < launch.line and not c.in_loop:
                continue
            if c.caller is None or not self.before_launch(c.caller, launch, depth + 1):
                return False
        return True

    def only_one_goroutine(self, a: Access) -> bool:
        """Every access of ``a``'s field happens on one goroutine (``sole_goroutine`` of ``a``'s method),
        before that goroutine is started, or on a value still being built; test files do not count."""
        if a.method is None or a.root_kind != "receiver" or (a.roles and a.func_key != a.decl_key):
            return False
        launch = self.sole_goroutine(a.method)
        if launch is None:
            return False
        for b in self.of(a.key):
            if b.test or b.init or b.root_kind in ("fresh", "copy") or b is a:
                continue
            if b.method is None or b.root_kind != "receiver" or (b.roles and b.func_key != b.decl_key):
                return False
            if self.sole_goroutine(b.method) != launch and not self.before_launch(b.method, launch):
                return False
        return True

    def goroutine_origin(self, a: Access) -> Optional[FrozenSet[tuple]]:
        """Where the value ``a`` touches comes from, as seen on one goroutine: the tokens of the ``go``
        statements, the entry methods and the functions that build it that reach ``a``'s function through
        the package's method calls, following the receiver or parameter that carries the value up each call
        (``p.exec(client)`` -> ``func (p *P) exec(client *C)``).  A token is ``("go", file, line, var)``
        for a ``go x.m(v)`` on a value the launcher built (inside the launching loop, if there is one),
        ``("built", decl, var)`` for a value a caller built itself, ``("entry", method, param)`` for a
        parameter of a method whose callers are not all known (exported on an exported type, a method
        value or an untyped call somewhere, or no caller).  None when the value is not followed there:
        a receiver of an entry method (its callers may share it), a local fetched from elsewhere, a call
        from a plain function, a goroutine or callback literal, or a launch on a shared value."""
        if a.test or a.root_kind not in ("receiver", "param") or a.method is None \
                or (a.func_key != a.decl_key and a.roles):
            return None
        return self._origin(a.method, a.root, 0)

    def _origin(self, method: Tuple[str, str], var: str, depth: int) -> Optional[FrozenSet[tuple]]:
        key = (method, var)
        if key in self._origins:
            return self._origins[key]
        self._origins[key] = None  # no cycles
        got = self._origin_of(method, var, depth)
        self._origins[key] = got
        return got

    def _origin_of(self, method: Tuple[str, str], var: str, depth: int) -> Optional[FrozenSet[tuple]]:
        sig = self.signature(method)
        if sig is None or depth > 8 or not var:
            return None
        recv, params = sig
        if var == recv:
            pos = -1
        elif var in params:
            pos = params.index(var)
        else:
            return None
        name = method[1]
        calls = [c for c in self.calls_of(method) if not _in_test_file(c.file)]
        followed = (name[:1].islower() or method[0][:1].islower()) and self.calls_complete(name)
        if not followed or not calls:
            return None if pos == -1 else frozenset({("entry", method, var)})
        out: Set[tuple] = set()
        for c in calls:
            if pos >= len(c.args) and pos != -1:
                return None
            v, kind, inside = c.recv_arg if pos == -1 else c.args[pos]
            if not v or (c.roles and c.in_literal):
                return None  # not a variable, or called from a goroutine, handler or callback literal
            if c.go:
                if kind != "fresh" or (c.in_loop and not inside):
                    return None  # one value handed to several goroutines, or a value from elsewhere
                out.add(("go", c.file, c.line, v))
            elif kind == "fresh":
                out.add(("built", c.decl_key, v))
            elif kind in ("receiver", "param") and c.caller is not None:
                got = self._origin(c.caller, v, depth + 1)
                if got is None:
                    return None
                out |= got
            else:
                return None
        return frozenset(out)

    def read_by_sole_writer(self, a: Access) -> bool:
        """``a`` is a plain read on the one goroutine that writes its field: ``a`` and every write of the
        field (atomic or not; constructors, ``init``, tests and values not shared yet aside) come from the
        same single origin (``goroutine_origin``), so they run one after the other."""
        if a.kind != "read":
            return False
        mine = self.goroutine_origin(a)
        if mine is None or len(mine) != 1:
            return False
        writes = [b for b in self.of(a.key) if b.is_write and not (b.test or b.init or b.constructs)
                  and not self.unpublished(b)]
        return any(b.atomic for b in writes) and all(self.goroutine_origin(b) == mine for b in writes)

    def some_caller_holds_lock(self, method: Tuple[str, str], guard: Tuple[str, str]) -> bool:
        return any(c.held_on_entry or any(lk.guard == guard or lk.mode == "?" for lk in c.locks)
                   for c in self.calls_of(method))


# The indexes of the last few packages, by content: the language server re-lints a package whose
# files did not change (another file saved, a setting changed) without walking it again.  A batch run
# never asks twice, so more would only hold memory (a big package's index is tens of MB).
_INDEXES: "collections.OrderedDict[tuple, FieldIndex]" = collections.OrderedDict()
_INDEX_LIMIT = 4


@provider(scope=PACKAGE, requires=(model, package_names, file_names, file_summary, file_atomic_accesses,
                                   file_locked_accesses, first_files, goroutine_bodies, handler_bodies, sync_point,
                                   scopes))
def index(ctx: FileContext) -> FieldIndex:
    """The field-access index of ``ctx``'s package, one per package (and kept per process for the same
    package contents, with the summaries made so far, so a package re-linted unchanged reuses them)."""
    files = ctx.package
    signature = tuple((f.path, hash(f.source), len(f.source)) for f in files.files)
    got = _INDEXES.get(signature)
    if got is None:
        got = FieldIndex(files)
        _INDEXES[signature] = got
        while len(_INDEXES) > _INDEX_LIMIT:
            _INDEXES.popitem(last=False)
    else:
        got.bind(files)
        _INDEXES.move_to_end(signature)
    return got
