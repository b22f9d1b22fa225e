"""Stage 4: run a rule's compiled query over a file and hand matches to its refine step."""

from __future__ import annotations

import functools
import os
import re
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import tree_sitter
from tree_sitter import Node

from goexplint.core import filequeries, requery
from goexplint.core.data import Finding, Related, lower_confidence
from goexplint.core.parse import GO_LANGUAGE, FileContext
from goexplint.core.parse import function_name
from goexplint.core.registry import RuleError, rules_by_id

ASSUMED_SUFFIX = " (assuming Go < 1.22: the Go version is unknown; --go-version sets it)"


class Match:
    """One query match: the rule, the file and the captured nodes."""

    __slots__ = ("rule", "ctx", "pattern", "captures", "assumed")

    def __init__(self, rule, ctx: FileContext, pattern: int, captures: Dict[str, List[Node]], assumed: bool):
        self.rule = rule
        self.ctx = ctx
        self.pattern = pattern
        self.captures = captures
        self.assumed = assumed  # the version gate passed only by assuming legacy semantics

    def __getitem__(self, name: str) -> Optional[Node]:
        nodes = self.captures.get(name)
        return nodes[0] if nodes else None

    def finding(self, node: Node, *, related: Tuple[Tuple[Node, str], ...] = (), evidence: str = "",
                confidence: Optional[str] = None, severity: Optional[str] = None, fixes=(), **params) -> Finding:
        ctx = self.ctx
        rule = self.rule
        message = rule.message.format(**params) if params else rule.message
        conf = confidence or rule.confidence
        if self.assumed:
            message += ASSUMED_SUFFIX
            conf = lower_confidence(conf)
        span = ctx.span(node)
        return Finding(
            rule_id=rule.id, path=ctx.path, span=span, message=message, severity=severity or rule.severity,
            confidence=conf, go_version=ctx.go.text, go_version_source=ctx.go.source,
            related=tuple(Related(ctx.span(n), msg) for n, msg in related), evidence=evidence,
            fixes=tuple(fixes), line_text=ctx.line_text(span.start.row), context=function_name(node),
        )


def default_refine(match: Match, ctx: FileContext) -> Iterator[Finding]:
    node = match["report"]
    if node is not None:
        yield match.finding(node)


def run_rule(rule, ctx: FileContext, assumed: bool) -> Iterator[Finding]:
    """One rule on its own (its own query): for callers outside the engine.  Like the engine, it makes
    nothing of a file the rule's ``applies`` rules out (refine steps do not test it again)."""
    if rule.applies is not None and not rule.applies(ctx):
        return iter(())
    return refine_matches(rule, ctx, tree_sitter.QueryCursor(rule.query).matches(ctx.root), assumed)


# Every file is walked once: the queries of all rules that run are concatenated into one compiled
# query and each match is handed back to the rule that owns its pattern, with the rule-local
# pattern index.  Set GOEXPLINT_SEPARATE_QUERIES=1 to run one query per rule (for profiling).
SEPARATE_QUERIES = bool(os.environ.get("GOEXPLINT_SEPARATE_QUERIES"))

# A query's tokens: a string (a predicate's argument may hold any character), a comment, a capture, a
# bracket, a run of anything else.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|;[^\n]*|@[A-Za-z_][\w.-]*|[()\[\]]|\s+|[^\s()\[\]";@]+')
_QUANTIFIERS = ("*", "+", "?")

Owner = Tuple[int, int, Optional[Dict[str, str]]]  # rule position (-1: whole-file query), local pattern, rename


def split_patterns(source: str) -> List[Tuple[str, str, Tuple[str, ...]]]:
    """The top-level patterns of a query source, in order: (the pattern's text as written, its shape --
    comments and spacing dropped, capture names numbered by first appearance --, its capture names in
    order of appearance).  A top-level quantifier or capture belongs to the pattern before it; a
    top-level predicate ``(#eq? ...)`` is a pattern of its own, as tree-sitter counts it.  Two patterns
    of one shape match the same nodes; the combined query runs each shape once (``tests/test_speed.py``
    checks this split against tree-sitter's own)."""
    out: List[Tuple[str, str, Tuple[str, ...]]] = []
    start = end = -1
    shape: List[str] = []
    names: List[str] = []
    numbers: Dict[str, int] = {}
    depth = 0
    tokens = ((m.group(0), m.start(), m.end()) for m in _TOKENS.finditer(source))

    def close() -> None:
        if start >= 0:
            out.append((source[start:end], " ".join(shape), tuple(names)))

    for tok, a, b in tokens:
        first = tok[0]
        if first == ";" or first.isspace():
            continue
        if depth == 0:
            if not (first == "@" or tok in _QUANTIFIERS):
                close()  # a new pattern starts
                start, shape, names, numbers = a, [], [], {}
        if first == "@":
            names.append(tok[1:])
            tok = "@%d" % numbers.setdefault(tok[1:], len(numbers))
        elif first in "([":
            depth += 1
        elif first in ")]":
            depth -= 1
        shape.append(tok)
        end = b
    close()
    return out


@functools.lru_cache(maxsize=64)
def combined_query(rule_ids: Tuple[str, ...], queries_count: int = 0
                   ) -> Tuple[tree_sitter.Query, Tuple[Tuple[Owner, ...], ...]]:
    """One query for the rules and the first ``queries_count`` registered whole-file queries
    (``core.filequeries``) and, per pattern of it, its owners: (rule position, local pattern index, the
    rule's names of the pattern's captures or None when they are the same) -- for a whole-file query's
    pattern (-1, that query's number, rename).  A pattern written in several rules (``(go_statement)
    @launch`` in three, every ``x.M()`` call in three) is in the query once, with an owner each: each
    match is built once (building matches is most of a query's cost).  The rules' own queries are not
    compiled as well (the patterns are split from the sources)."""

    by_id = rules_by_id()
    rules = [by_id[i] for i in rule_ids]
    file_source, file_owner = filequeries.combined_source(queries_count)
    sources = [r.query_source for r in rules] + [file_source]
    texts: List[str] = []
    owners: List[List[Owner]] = []
    canonical: Dict[str, Tuple[int, Tuple[str, ...]]] = {}  # shape -> (its pattern, the names it captures with)
    for pos, text in enumerate(sources):
        for local, (written, shape, names) in enumerate(split_patterns(text)):
            if pos < len(rules):
                owner_of = (pos, local)
            else:  # (a split that disagrees with tree-sitter's is caught below)
                owner_of = (-1, file_owner[local] if local < len(file_owner) else -1)
            got = canonical.get(shape)
            if got is None:
                canonical[shape] = (len(texts), names)
                texts.append(written)
                owners.append([owner_of + (None,)])
                continue
            index, first_names = got
            rename = None if names == first_names else dict(zip(first_names, names))
            owners[index].append(owner_of + (rename,))
    try:
        query = tree_sitter.Query(GO_LANGUAGE, "\n".join(texts))
    except Exception:  # tree-sitter raises QueryError subclasses: name the rule whose query is wrong
        for rule in rules:
            rule.query  # (raises RuleError)
        raise
    if query.pattern_count != len(texts) or len(file_owner) != sum(o[0] < 0 for mine in owners for o in mine):
        raise RuleError("the rules' queries could not be split into patterns (%d patterns, %d split)"
                        % (query.pattern_count, len(texts)))
    return query, tuple(tuple(o) for o in owners)


def prepare(rules: Sequence) -> None:
    """Compile now the queries that ``rule_matches`` will run for ``rules`` (a process about to fork
    workers compiles them once for all of them)."""
    if rules and not SEPARATE_QUERIES and len(rules) > 1:
        combined_query(tuple(r.id for r in rules), filequeries.registered())
    else:
        for rule in rules:
            rule.query


def rule_matches(rules: Sequence, ctx: FileContext,
                 memo: Optional[requery.QueryMemo] = None) -> List[List[Tuple[int, Dict[str, List[Node]]]]]:
    """Per rule (same order as ``rules``), its matches in the order its own query yields them.  The same
    traversal answers the file's whole-file queries (``core.filequeries``) when the rules share one query.
    With ``memo`` (the last matches of this buffer: the language server) only the top-level
    declarations an edit changed are queried again (``core.requery``); the matches are the same."""
    out: List[List[Tuple[int, Dict[str, List[Node]]]]] = [[] for _ in rules]
    if not rules:
        return out
    if SEPARATE_QUERIES or len(rules) == 1:
        for pos, rule in enumerate(rules):
            out[pos].extend(tree_sitter.QueryCursor(rule.query).matches(ctx.root))
        return out
    count = filequeries.registered()
    key = (tuple(r.id for r in rules), count)
    query, owner = combined_query(*key)
    matches = requery.requery(memo, key, query, ctx.source, ctx.tree) if memo is not None else None
    if matches is None:
        matches = tree_sitter.QueryCursor(query).matches(ctx.root)
        if memo is not None:
            requery.remember(memo, key, ctx.source, ctx.tree, matches)
    found = []
    for pattern, caps in matches:
        for pos, local, rename in owner[pattern]:
            # (owners of one pattern share its captures: refine steps only read them)
            mine = caps if rename is None else {rename[name]: nodes for name, nodes in caps.items()}
            if pos < 0:
                found.append((local, mine))
            else:
                out[pos].append((local, mine))
    filequeries.store(ctx, count, found)
    return out


def refine_matches(rule, ctx: FileContext, matches, assumed: bool) -> Iterator[Finding]:
    refine = rule.refine or default_refine
    for pattern, caps in matches:
        yield from refine(Match(rule, ctx, pattern, caps, assumed), ctx)
