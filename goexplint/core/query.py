"""Stage 4: run a rule's compiled query over a file and hand matches to its refine step."""

from __future__ import annotations

import functools
import os
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import tree_sitter
from tree_sitter import Node

from goexplint.core import filequeries, requery
from goexplint.core.data import Finding, Related, lower_confidence
from goexplint.core.parse import GO_LANGUAGE, FileContext
from goexplint.core.parse import function_name
from goexplint.core.registry import rules_by_id

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


@functools.lru_cache(maxsize=64)
def combined_query(rule_ids: Tuple[str, ...], queries_count: int = 0
                   ) -> Tuple[tree_sitter.Query, Tuple[Tuple[int, int], ...]]:
    """One query for the rules and the first ``queries_count`` registered whole-file queries
    (``core.filequeries``) and, per combined pattern index, (rule position, local pattern index) -- for a
    whole-file query's pattern (-1, that query's number).  A pattern's owner is the source it starts in
    (``start_byte_for_pattern``), so the rules' own queries are not compiled as well."""

    by_id = rules_by_id()
    rules = [by_id[i] for i in rule_ids]
    file_source, file_owner = filequeries.combined_source(queries_count)
    sources = [r.query_source for r in rules] + [file_source]
    try:
        query = tree_sitter.Query(GO_LANGUAGE, "\n".join(sources))
    except Exception:  # tree-sitter raises QueryError subclasses: name the rule whose query is wrong
        for rule in rules:
            rule.query  # (raises RuleError)
        raise
    ends: List[int] = []  # byte offset just past each source in the combined text
    at = 0
    for text in sources:
        at += len(text.encode("utf-8")) + 1
        ends.append(at)
    owner: List[Tuple[int, int]] = []
    pos, local = 0, 0
    for pattern in range(query.pattern_count):
        start = query.start_byte_for_pattern(pattern)
        while start >= ends[pos]:
            pos, local = pos + 1, 0
        owner.append((pos, local) if pos < len(rules) else (-1, file_owner[local]))
        local += 1
    return query, tuple(owner)


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
        pos, local = owner[pattern]
        if pos < 0:
            found.append((local, caps))
        else:
            out[pos].append((local, caps))
    filequeries.store(ctx, count, found)
    return out


def refine_matches(rule, ctx: FileContext, matches, assumed: bool) -> Iterator[Finding]:
    refine = rule.refine or default_refine
    for pattern, caps in matches:
        yield from refine(Match(rule, ctx, pattern, caps, assumed), ctx)
