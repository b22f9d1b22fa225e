"""Stage 6: in-source suppressions.

Accepted forms (the reason is optional but recommended):

* ``//goexplint:ignore GXL101[,GXL102] reason`` -- at the end of the finding's line,
  or alone on the line above it.  Ids may also be family names (``loopvar``) or
  id prefixes (``GXL1``).
* ``//goexplint:file-ignore GXL101 reason`` -- anywhere in the file, for the whole file.
* golangci-lint's ``//nolint``, ``//nolint:all`` and ``//nolint:goexplint[,other]`` (every
  goexplint rule), read as golangci-lint reads them: ``// nolint`` with a space too, linter names
  split at commas, trimmed and case-insensitive, anything after a second ``//`` is the reason.  At
  the end of a line it covers that line; alone on its line it covers the next line and, like
  golangci-lint, the whole statement or declaration that starts there in the same column (a
  ``//nolint`` above a ``func`` covers the function).  ``//nolint:GXL101`` is *not* accepted:
  ``//nolint`` names linters, not rules (golangci-lint would call ``gxl101`` an unknown linter), so
  it suppresses nothing and gives a notice naming ``//goexplint:ignore GXL101`` instead.
* staticcheck's ``//lint:ignore GXL101 reason``.

Directives that matched nothing can be reported as ``GXL000`` findings
(``--report-unused-suppressions``) -- except a bare ``//nolint`` or ``//nolint:all``, which may be
there for another linter; directives naming unknown rules give a notice.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import List, Optional, Tuple

import tree_sitter

from goexplint.core.data import FAMILIES, Finding, Notice
from goexplint.core.parse import FileContext, captures
from goexplint.core.query import Match
from goexplint.core.registry import ENGINE_RULES, UNUSED, Rule, all_rules  # noqa: F401

_DIRECTIVE = re.compile(
    r"^//\s*(?:(?P<gx>goexplint:(?P<verb>ignore|file-ignore))|(?P<nolint>nolint)|(?P<lint>lint:(?:ignore|file-ignore)))"
    r"(?P<rest>.*)$", re.S)
_ID_TOKEN = re.compile(r"^(GXL\d{1,3}|[a-z][a-z-]*)$")


@dataclasses.dataclass
class Directive:
    comment: tree_sitter.Node
    row: int  # the line it applies to (-1: the whole file)
    selectors: Optional[Tuple[str, ...]]  # None: every rule
    reason: str
    text: str
    used: bool = False
    last: int = -1  # the last line it applies to (a //nolint above a multi-line statement); -1: ``row``
    may_be_for_others: bool = False  # a bare //nolint or //nolint:all: unused here is not stale

    def covers_row(self, row: int) -> bool:
        return self.row == -1 or self.row <= row <= max(self.row, self.last)

    def covers(self, rule_id: str) -> bool:
        if self.selectors is None:
            return True
        return any(selector_matches(s, rule_id) for s in self.selectors)


def selector_matches(selector: str, rule_id: str) -> bool:
    s = selector.upper()
    if s == rule_id:
        return True
    if re.match(r"^GXL\d{1,2}$", s) and rule_id.startswith(s):
        return True
    return FAMILIES.get(rule_id[3]) == selector


def _parse(ctx: FileContext, comment: tree_sitter.Node, known_ids: set, notices: List[Notice]) -> Optional[Directive]:
    text = ctx.text(comment)
    m = _DIRECTIVE.match(text)
    if not m:
        return None
    rest = m.group("rest")
    row = comment.start_point[0]
    before = ctx.line_bytes(row)[:comment.start_point[1]]
    target = row + 1 if not before.strip() else row
    if m.group("nolint"):
        return _nolint(ctx, comment, rest, target, text, notices)
    words = rest.strip().split(None, 1)
    if not words:
        notices.append(Notice(ctx.path, "suppression", "%s names no rule; it suppresses nothing" % text.strip(),
                              row=row, col=comment.start_point[1]))
        return None
    selectors = tuple(s for s in words[0].split(",") if s)
    if m.group("lint") and not all(s.upper().startswith("GXL") for s in selectors):
        return None  # a staticcheck directive for staticcheck's own checks
    for s in selectors:
        if not _ID_TOKEN.match(s) or not any(selector_matches(s, i) for i in known_ids):
            notices.append(Notice(ctx.path, "suppression", "unknown rule %r in suppression %s" % (s, text.strip()),
                                  row=row, col=comment.start_point[1]))
    is_file = (m.group("verb") or m.group("lint") or "").endswith("file-ignore")
    return Directive(comment, -1 if is_file else target, selectors, words[1].strip() if len(words) > 1 else "",
                     text)


def _nolint(ctx: FileContext, comment: tree_sitter.Node, rest: str, target: int, text: str,
            notices: List[Notice]) -> Optional[Directive]:
    """golangci-lint's directive, as its nolint processor reads it (``^nolint( |:|$)`` after the
    slashes and spaces; linters after ``nolint:`` up to a second ``//``, split at commas)."""
    if rest and rest[0] not in " \t:":
        return None  # //nolintfoo
    body, _, reason = rest.partition("//")
    body = body.strip()
    every = not body.startswith(":")
    if not every:
        linters = [item.strip().lower() for item in body[1:].split(",")]
        if "all" not in linters and "goexplint" not in linters:
            ids = [item for item in linters if re.match(r"^gxl\d{1,3}$", item)]
            if ids:
                notices.append(Notice(ctx.path, "suppression", "%s names rule %s, but //nolint names linters: "
                                      "use //goexplint:ignore %s (or //nolint:goexplint for every rule); "
                                      "it suppresses nothing" % (text.strip(), ids[0].upper(), ids[0].upper()),
                                      row=comment.start_point[0], col=comment.start_point[1]))
            return None
        every = "all" in linters
    d = Directive(comment, target, None, reason.strip(), text, may_be_for_others=every)
    if target != comment.start_point[0]:  # alone on its line: also the statement or declaration below
        d.last = _node_below(ctx, comment)
    return d


def _node_below(ctx: FileContext, comment: tree_sitter.Node) -> int:
    """The last line of the outermost node that starts on the line after ``comment`` in its column
    (golangci-lint's range expansion), or -1."""
    point = (comment.end_point[0] + 1, comment.start_point[1])
    node = ctx.root.descendant_for_point_range(point, point)
    if node is None or tuple(node.start_point) != point:
        return -1
    # Go's syntax tree has no node for a block's statement list: stop below tree-sitter's
    while node.parent is not None and tuple(node.parent.start_point) == point \
            and node.parent.type not in _LISTS:
        node = node.parent
    return node.end_point[0]


_LISTS = ("statement_list", "source_file")


def directives(ctx: FileContext, known_ids: set, notices: List[Notice]) -> List[Directive]:
    out = []
    src = ctx.source
    if b"goexplint:" not in src and b"nolint" not in src and b"lint:" not in src:
        return out
    caps = captures("(comment) @c", ctx.root)
    for comment in sorted(caps.get("c", []), key=lambda n: n.start_byte):
        d = _parse(ctx, comment, known_ids, notices)
        if d is not None:
            out.append(d)
    return out


@functools.lru_cache(maxsize=1)
def _known_ids() -> frozenset:
    return frozenset(r.id for r in all_rules())


def apply(ctx: FileContext, findings: List[Finding], enabled: List[Rule], report_unused: bool,
          notices: List[Notice]) -> List[Finding]:
    """Mark suppressed findings (``finding.suppressed`` = reason) and add GXL000 for unused directives."""
    dirs = directives(ctx, _known_ids(), notices)
    if not dirs:
        return findings
    for f in findings:
        for d in dirs:
            if d.covers_row(f.span.start.row) and d.covers(f.rule_id):
                d.used = True
                f.suppressed = d.reason or "suppressed in source"
                break
    if report_unused:
        enabled_ids = {r.id for r in enabled}
        for d in dirs:
            if d.used or d.may_be_for_others:
                continue
            if d.selectors is not None and not any(d.covers(i) for i in enabled_ids):
                continue
            m = Match(UNUSED, ctx, 0, {}, False)
            findings.append(m.finding(d.comment, directive=d.text.strip()))
    return findings
