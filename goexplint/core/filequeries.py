"""Whole-file queries of the shared machinery, answered in the traversal the rules' query makes anyway.

A helper that needs every node of some shape in a file (``(for_statement) @loop``) registers its
query once, at import time, with :func:`file_query`, and reads the result with
:func:`file_captures` -- the same ``{capture name: [nodes]}`` that ``parse.captures(query, ctx.root)``
returns.  Running a query over a whole file costs about a third of parsing it, whatever the query,
so the registered queries do not run one by one:

* the engine appends all of them to the rules' combined query (``query.combined_query``), so a file
  it lints gets its captures from that one traversal (``store``);
* anywhere else (a sibling read for the package model before it is linted, a test, ``run_rule``) the
  first :func:`file_captures` of a file runs all registered queries together, once.

Register only queries whose matches are few (a shape, not every identifier): every linted file pays
for their matches whether a helper asks or not.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Tuple

import tree_sitter
from tree_sitter import Node

from goexplint.core.parse import FileContext, compile_query, in_document_order

_SOURCES: List[str] = []  # registered queries, in registration order
_INDEX: Dict[str, int] = {}  # query source -> its position in _SOURCES
_PREFIX = "f%d."
# a capture name, or a string literal (left alone: a predicate's argument may contain "@")
_CAPTURE_OR_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|@([A-Za-z_][\w.-]*)')
_KEY = ("core.filequeries",)


class FileQuery:
    """A registered whole-file query (:func:`file_query`)."""

    __slots__ = ("number", "source")

    def __init__(self, number: int, source: str):
        self.number = number
        self.source = source


def file_query(source: str) -> FileQuery:
    """Register ``source`` (a query, as for ``parse.captures``) as a whole-file fact; the same source
    registered twice is one fact."""
    number = _INDEX.get(source)
    if number is None:
        compile_query(source)  # a bad query fails here, at import, not in the middle of a run
        number = _INDEX[source] = len(_SOURCES)
        _SOURCES.append(source)
    return FileQuery(number, source)


def queries() -> List[FileQuery]:
    """Every registered query, in registration order."""
    return [FileQuery(n, source) for n, source in enumerate(_SOURCES)]


def registered() -> int:
    """How many queries are registered (part of the key of a compiled query that includes them)."""
    return len(_SOURCES)


def _renamed(number: int, source: str) -> str:
    prefix = _PREFIX % number

    def sub(m: "re.Match[str]") -> str:
        return "@" + prefix + m.group(1) if m.group(1) is not None else m.group(0)

    return _CAPTURE_OR_STRING.sub(sub, source)


def combined_source(count: int) -> Tuple[str, Tuple[int, ...]]:
    """The first ``count`` registered queries as one query source (captures renamed apart) and, per
    pattern of it, the registered query it comes from."""
    owner: List[int] = []
    for number in range(count):
        owner.extend([number] * compile_query(_SOURCES[number]).pattern_count)
    return "\n".join(_renamed(n, _SOURCES[n]) for n in range(count)), tuple(owner)


def store(ctx: FileContext, count: int, matches: Iterable[Tuple[int, Dict[str, List[Node]]]]) -> None:
    """Keep the captures of ``ctx`` from ``matches`` ((registered query number, captures) of the first
    ``count`` registered queries, in the cursor's order), unless the file has them already."""
    if ctx.cache.get(_KEY) is not None:
        return
    per: List[Dict[str, List[Node]]] = [{} for _ in range(count)]
    for number, caps in matches:
        prefix = _PREFIX % number
        got = per[number]
        for name, nodes in caps.items():
            got.setdefault(name[len(prefix):], []).extend(nodes)
    for got in per:
        for name, nodes in got.items():
            if len(nodes) > 1:
                got[name] = _in_capture_order(nodes)
    ctx.cache[_KEY] = per


def _in_capture_order(nodes: List[Node]) -> List[Node]:
    """The nodes one capture name collects over a query's matches, as ``parse.captures`` gives them: in
    document order, each node once."""
    seen = set()
    out = []
    for n in sorted(nodes, key=in_document_order):
        if n.id not in seen:
            seen.add(n.id)
            out.append(n)
    return out


def file_captures(ctx: FileContext, query: FileQuery) -> Dict[str, List[Node]]:
    """``parse.captures(query.source, ctx.root)``, from the file's captures (computed once per file)."""
    per = ctx.cache.get(_KEY)
    if per is None or query.number >= len(per):
        count = len(_SOURCES)
        source, owner = combined_source(count)
        cursor = tree_sitter.QueryCursor(compile_query(source))
        ctx.cache.pop(_KEY, None)
        store(ctx, count, ((owner[p], caps) for p, caps in cursor.matches(ctx.root)))
        per = ctx.cache[_KEY]
    return per[query.number]
