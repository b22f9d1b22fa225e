"""Stage 4: run a rule's compiled query over a file and hand matches to its refine step."""

from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Tuple

import tree_sitter
from tree_sitter import Node

from goexplint.model import Finding, Related, lower_confidence
from goexplint.parse import FileContext
from goexplint.syntax import function_name

ASSUMED_SUFFIX = " (assuming Go < 1.22: no go.mod or --go-version says otherwise)"


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
    refine = rule.refine or default_refine
    cursor = tree_sitter.QueryCursor(rule.query)
    for pattern, caps in cursor.matches(ctx.root):
        yield from refine(Match(rule, ctx, pattern, caps, assumed), ctx)
