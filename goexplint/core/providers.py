"""Analyses as declared providers: one memo framework for every shared fact a rule may need.

A *provider* is a function of a file's context (and optionally of a few hashable arguments: nodes,
names, flags) whose answer is a fact about the code -- never a finding, never a rule id.  It is
declared once, with what it needs::

    @provider(scope=FILE, requires=(goroutine_bodies, locks_at))
    def shared_writes(ctx): ...

and called like the function it wraps: ``shared_writes(ctx)``.  The framework memoises the answer in
the store its scope names, under one key scheme (the provider's name, then its arguments; a node
argument is keyed by its id), so no module keeps memo keys of its own:

* ``FILE``: ``ctx.cache``, for the lint of one file (dropped by ``FileContext.release``);
* ``KEPT``: ``ctx.facts``, a file's own part of package-wide facts, which its siblings read and
  which therefore stays while the file is a sibling of the file being linted;
* ``PACKAGE``: ``ctx.package.cache``, once per package.  Its work is *package work*
  (``core.parse.package_work``): the engine keeps it out of the per-file budget of whichever file
  happened to ask first.  Arguments of a package provider must not be nodes (a node id means
  something only within its own tree).

A kept provider may say more about its answer:

* ``depends_on=f``: the answer depends on the package, not only on the file (a file's field summary
  depends on the package model): it is reused only while ``f(ctx)`` (a fingerprint string) is unchanged;
* ``persistent=True``: the answer is plain, picklable data, also kept in the per-file facts store
  (``ctx.store``, a ``core.cache.FactsStore``; None with ``--no-cache``), keyed by the file's bytes, path
  and Go version, the tool's code fingerprint and the ``depends_on`` answer; ``restore(ctx, value)`` binds
  a value read back to its context.  Linting one file of a big package then reads its siblings' parts
  instead of parsing and walking them.
* ``on_demand=True``: the package fact built from it asks for it only for the files a question needs
  (the field index summarises the files that hold a name it is asked about), so it is never made ahead
  for every file of a package (``core.schedule``, the big-package path of ``core.engine``).

Rules declare what they require in their module (``REQUIRES = (shared_writes, ...)``);
``--explain RULE`` lists the closure.  ``tests/test_providers.py`` runs every rule's fixtures with
:func:`tracing` on and fails when a rule or a provider calls a provider it did not declare (directly
or through what it declares).  Tracing is off in normal runs and costs one test of a global then.
"""

from __future__ import annotations

import collections
import contextlib
import functools
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple

from tree_sitter import Node

from goexplint.core.parse import FileContext, package_work

FILE = "file"
KEPT = "kept"
PACKAGE = "package"
SCOPES = (FILE, KEPT, PACKAGE)

_MISSING = object()


class ProviderError(Exception):
    """A provider declared wrongly (a bug in goexplint itself)."""


class Provider:
    """A declared analysis: call it as ``provider(ctx, *args)``."""

    def __init__(self, fn: Callable, name: str, scope: str, requires: Tuple["Provider", ...], doc: str,
                 depends_on: Optional[Callable] = None, persistent: bool = False,
                 restore: Optional[Callable] = None, on_demand: bool = False):
        if scope not in SCOPES:
            raise ProviderError("%s: unknown scope %r (one of %s)" % (name, scope, ", ".join(SCOPES)))
        for r in requires:
            if not isinstance(r, Provider):
                raise ProviderError("%s requires %r, which is not a provider" % (name, r))
        self.fn = fn
        self.name = name
        self.scope = scope
        self.requires = tuple(requires)
        self.doc = doc
        # KEPT providers whose answer depends on the package: ``depends_on(ctx)`` names what it depends on
        # (e.g. the package model); a kept answer is reused only while that compares equal.
        self.depends_on = depends_on
        if depends_on is not None and scope != KEPT:
            raise ProviderError("%s: only a kept provider can depend on its package (depends_on)" % name)
        # Persistent kept providers: the answer (plain, picklable data) is also kept in the per-file facts
        # store (``ctx.store``), keyed by the file (bytes, path, Go version), the tool's fingerprint and the
        # ``depends_on`` answer (then a string); ``restore(ctx, value)`` binds a value read back to ``ctx``.
        self.persistent = persistent
        self.restore = restore
        if persistent and scope != KEPT:
            raise ProviderError("%s: only a kept provider can be persistent" % name)
        # Kept providers that the package facts built from them ask for file by file, when a question
        # needs that file: not made ahead for every file of a package.
        self.on_demand = on_demand
        if on_demand and scope != KEPT:
            raise ProviderError("%s: only a kept provider is made on demand" % name)
        self._key = (name,)
        self._node_name = name + "#node"  # one-node keys: (name#node, id), never equal to another key's
        functools.update_wrapper(self, fn)

    def __repr__(self) -> str:
        return "<provider %s (%s)>" % (self.name, self.scope)

    def __call__(self, ctx: FileContext, *args):
        if _TRACE is not None:
            _TRACE.called(self)
        # _key_of, inlined for the common shapes: some providers are asked once per identifier
        if not args:
            key = self._key
        elif len(args) == 1 and type(args[0]) is Node and self.scope != PACKAGE:
            key = (self._node_name, args[0].id)
        else:
            key = self._args_key(args)
        scope = self.scope
        store = ctx.cache if scope == FILE else ctx.facts if scope == KEPT else ctx.package.cache
        got = store.get(key, _MISSING)
        if self.depends_on is not None:
            return self._call_dependent(ctx, args, store, key, got)
        if got is _MISSING:
            got = self._persisted(ctx, args, None) if self.persistent else self._run(ctx, args)
            store[key] = got
        return got

    def _key_of(self, args: tuple) -> tuple:
        """The memo key: the provider's name, then the arguments (a node by its id).  The common shapes
        (no argument, one node) are built without a loop: some providers are asked per identifier."""
        if not args:
            return self._key
        if len(args) == 1 and type(args[0]) is Node and self.scope != PACKAGE:
            return (self._node_name, args[0].id)
        return self._args_key(args)

    def _args_key(self, args: tuple) -> tuple:
        return (self.name,) + tuple(_arg_key(a, self) for a in args)

    def _store(self, ctx: FileContext) -> Dict[object, object]:
        scope = self.scope
        return ctx.cache if scope == FILE else ctx.facts if scope == KEPT else ctx.package.cache

    def _run(self, ctx: FileContext, args: tuple):
        """Compute the answer (a package provider's as package work, outside the per-file budget)."""
        if _TRACE is not None:
            _TRACE.stack.append(self)
        try:
            if self.scope == PACKAGE:
                with package_work():
                    return self.fn(ctx, *args)
            return self.fn(ctx, *args)
        finally:
            if _TRACE is not None:
                _TRACE.stack.pop()

    def _persisted(self, ctx: FileContext, args: tuple, token: object):
        """The answer from the facts store when it holds one for this file, else computed (and stored)."""
        facts = getattr(ctx, "store", None)
        if facts is None or args:
            return self._run(ctx, args)
        skey = facts.key(self.name, ctx, token)
        got = facts.get(skey, _MISSING)
        if got is not _MISSING:
            if self.restore is not None:
                self.restore(ctx, got)
            return got
        got = self._run(ctx, args)
        facts.put(skey, got)
        return got

    def _call_dependent(self, ctx: FileContext, args: tuple, store: Dict[object, object], key: object, got):
        token = self.depends_on(ctx)
        if got is not _MISSING and got[0] == token:  # type: ignore[index]
            return got[1]  # type: ignore[index]
        value = self._persisted(ctx, args, token) if self.persistent else self._run(ctx, args)
        store[key] = (token, value)
        return value

    def uncached(self, ctx: FileContext, *args):
        """The answer computed afresh, bypassing and not touching the memo (for tests)."""
        return self.fn(ctx, *args)

    def known(self, ctx: FileContext, *args) -> bool:
        """The memo holds a valid answer (for a dependent provider: one for what it depends on now)."""
        key = self._key_of(args)
        got = self._store(ctx).get(key, _MISSING)
        if got is _MISSING:
            return False
        return self.depends_on is None or got[0] == self.depends_on(ctx)  # type: ignore[index]

    def remember(self, ctx: FileContext, value: object, *args) -> None:
        """Store ``value`` as the answer, as a call would have (``core.schedule`` hands in the answers that
        worker processes computed)."""
        key = self._key_of(args)
        if self.restore is not None:
            self.restore(ctx, value)  # (a value handed in was made in another process, like one read back)
        self._store(ctx)[key] = (self.depends_on(ctx), value) if self.depends_on is not None else value


def _arg_key(arg: object, p: Provider) -> object:
    if isinstance(arg, Node):
        if p.scope == PACKAGE:
            raise ProviderError("%s: a package provider cannot take a node argument" % p.name)
        return ("node", arg.id)
    return arg


_REGISTRY: Dict[str, Provider] = {}


def unload(ctx: FileContext) -> None:
    """Free the tree of ``ctx`` (a file of a big package whose lint is done, or whose parts are made):
    its memos go, and so do its kept facts but the persistent ones (plain data, which hold no nodes;
    those with a ``forget_nodes`` method forget the nodes found through them).  The tree is parsed
    again if something asks for it later, and the facts are made again from it."""
    ctx.release()
    kept = {}
    for key, value in ctx.facts.items():
        p = _REGISTRY.get(key[0]) if type(key) is tuple and key and type(key[0]) is str else None
        if p is None or not p.persistent:
            continue
        kept[key] = value
        plain = value[1] if p.depends_on is not None else value  # type: ignore[index]
        forget = getattr(plain, "forget_nodes", None)
        if forget is not None:
            forget()
    ctx.facts.clear()
    ctx.facts.update(kept)
    ctx.__dict__.pop("tree", None)
    ctx.__dict__.pop("root", None)


class Resident:
    """The files of a big package whose trees are kept: the most recently parsed ones, up to ``limit``
    bytes of their source; ``settle`` frees the trees of the others (``unload``)."""

    def __init__(self, files: List[FileContext], limit: int):
        self.files = files
        self.limit = limit
        self.kept: "collections.OrderedDict[int, FileContext]" = collections.OrderedDict()  # in the order seen parsed
        self.size = 0

    def settle(self, last: Optional[FileContext] = None) -> None:
        """Free trees beyond the limit, the oldest first; ``last`` (the file just linted, the least likely
        to be asked for again) counts as the oldest."""
        for f in self.files:
            if f.parsed and id(f) not in self.kept:
                self.kept[id(f)] = f
                self.size += len(f.source)
        if last is not None and id(last) in self.kept:
            self.kept.move_to_end(id(last), last=False)
        while self.size > self.limit and self.kept:
            _, f = self.kept.popitem(last=False)
            self.size -= len(f.source)
            if f.parsed:
                unload(f)


def provider(scope: str = FILE, requires: Iterable[Provider] = (), name: Optional[str] = None,
             depends_on: Optional[Callable] = None, persistent: bool = False, restore: Optional[Callable] = None,
             on_demand: bool = False):
    """Declare the decorated function a provider (see the module docstring).  ``name`` defaults to
    ``<module>.<function>`` with the leading ``goexplint.`` dropped.  Kept providers only: ``depends_on``,
    a function of the context whose answer the kept value is valid for; ``persistent``, the value is plain
    data kept in the per-file facts store too (``restore(ctx, value)`` binds a value read back); ``on_demand``,
    asked for only for the files a package fact's question needs, never made ahead."""

    def wrap(fn: Callable) -> Provider:
        full = name or "%s.%s" % (fn.__module__.replace("goexplint.", "", 1), fn.__name__)
        if full in _REGISTRY:
            raise ProviderError("provider %s declared twice" % full)
        p = _REGISTRY[full] = Provider(fn, full, scope, tuple(requires), (fn.__doc__ or "").strip(), depends_on,
                                       persistent, restore, on_demand)
        return p

    return wrap


def registered() -> Dict[str, Provider]:
    """Every declared provider, by name (those of modules imported so far)."""
    return dict(_REGISTRY)


def closure(requires: Iterable[Provider]) -> List[Provider]:
    """``requires`` and everything they require, each once, dependencies first."""
    out: List[Provider] = []
    seen: Set[str] = set()

    def visit(p: Provider, path: Tuple[str, ...]) -> None:
        if p.name in path:
            raise ProviderError("providers require each other in a circle: %s" % " -> ".join(path + (p.name,)))
        if p.name in seen:
            return
        for r in p.requires:
            visit(r, path + (p.name,))
        seen.add(p.name)
        out.append(p)

    for p in requires:
        visit(p, ())
    return out


# ------------------------------------------------------------------------------------------ tracing
class _Trace:
    def __init__(self, consumer: str):
        self.consumer = consumer  # who calls from outside every provider (the engine sets the rule id)
        self.stack: List[Provider] = []
        # (caller: a provider name or the consumer, callee provider name)
        self.edges: Set[Tuple[str, str]] = set()

    def called(self, p: Provider) -> None:
        caller = self.stack[-1].name if self.stack else self.consumer
        self.edges.add((caller, p.name))


_TRACE: Optional[_Trace] = None


@contextlib.contextmanager
def tracing(consumer: str) -> Iterator[_Trace]:
    """Record, for the ``with`` body, which provider calls which (a caller outside every provider is
    ``consumer``, e.g. a rule id)."""
    global _TRACE
    previous = _TRACE
    _TRACE = _Trace(consumer)
    try:
        yield _TRACE
    finally:
        _TRACE = previous


def consumer(name: str) -> None:
    """Name the caller of the provider calls that follow outside every provider (the engine calls it
    with each rule's id before the rule's ``applies`` and ``refine``); a no-op unless tracing."""
    if _TRACE is not None:
        _TRACE.consumer = name


def undeclared(trace: _Trace, requires_of: Dict[str, Iterable[Provider]]) -> List[str]:
    """The calls of ``trace`` that no declaration covers: a consumer (a key of ``requires_of``, e.g. a
    rule id) calling a provider outside the closure of what it requires, or a provider calling one
    outside the closure of its own ``requires``."""
    bad = []
    for caller, callee in sorted(trace.edges):
        if caller == callee:
            continue  # a recursive provider (its own cycle guard decides when to stop)
        p = _REGISTRY.get(caller)
        declared = p.requires if p is not None else requires_of.get(caller, ())
        if callee not in {q.name for q in closure(declared)}:
            bad.append("%s%s calls %s, which it does not require" % (
                "provider " if p is not None else "", caller, callee))
    return bad
