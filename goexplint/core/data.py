"""Core data types shared by every stage: rules, findings, versions.

Everything here is plain data (picklable, so findings can cross process
boundaries when files are linted in parallel).
"""

from __future__ import annotations

import dataclasses
from typing import Optional, Tuple

# The family of a rule is the hundreds digit of its id (GXL1xx -> loopvar).
# Written once here; the queries/ sub-directory of a rule must carry the same name.
FAMILIES = {
    "0": "engine",  # findings the engine makes itself (GXL000 unused-suppression)
    "1": "loopvar",
    "2": "shared-counter",
    "3": "unsafe-pointer",
    "4": "context-timeout",
    "5": "waitgroup",
    "6": "busy-spin",
    "7": "typed-nil",
}

SEVERITIES = ("error", "warning", "note")
CONFIDENCES = ("high", "medium", "low")
_LOWER = {"high": "medium", "medium": "low", "low": "low"}


def lower_confidence(confidence: str) -> str:
    """One step less sure (used when the Go version had to be assumed)."""
    return _LOWER[confidence]


def family_of(rule_id: str) -> str:
    return FAMILIES[rule_id[3]]


@dataclasses.dataclass(frozen=True)
class GoVersion:
    """The effective Go language version of one file and where it came from.

    ``lang`` is ``(1, N)`` or ``None`` when unknown.  ``source`` is one of
    ``go.mod``, ``build-tag``, ``vendor``, ``flag``, ``GOEXPERIMENT``,
    ``default`` (go.mod without a go line), ``toolchain`` (no go.mod: the go
    command's own version) or ``unknown``.
    """

    lang: Optional[Tuple[int, int]]
    source: str
    detail: str = ""
    # Set by GOEXPERIMENT=loopvar: loops are per-iteration whatever ``lang`` says.
    loopvar_experiment: bool = False

    @property
    def text(self) -> str:
        return "go%d.%d" % self.lang if self.lang else "unknown"

    @property
    def per_iteration_loops(self) -> bool:
        """True when ``:=`` loop variables are fresh per iteration (Go >= 1.22 semantics)."""
        return self.loopvar_experiment or (self.lang is not None and self.lang >= (1, 22))

    def at_least(self, lang: Tuple[int, int]) -> bool:
        return self.lang is not None and self.lang >= lang


@dataclasses.dataclass(frozen=True)
class Position:
    """A point in a file: 0-based row and 0-based *byte* column, plus the byte offset."""

    row: int
    col: int
    offset: int
    col16: int = -1  # 0-based column in UTF-16 code units (SARIF, LSP); -1 = same as ``col``

    @property
    def utf16_col(self) -> int:
        return self.col if self.col16 < 0 else self.col16


@dataclasses.dataclass(frozen=True)
class Span:
    start: Position
    end: Position


@dataclasses.dataclass(frozen=True)
class Related:
    """A secondary location (the loop that declares a variable, the launch...)."""

    span: Span
    message: str


@dataclasses.dataclass(frozen=True)
class Edit:
    start: int  # byte offsets into the file
    end: int
    text: str


@dataclasses.dataclass(frozen=True)
class Fix:
    title: str
    edits: Tuple[Edit, ...]
    safe: bool = True


@dataclasses.dataclass
class Finding:
    rule_id: str
    path: str  # as given / discovered (relative to the current directory when possible)
    span: Span
    message: str
    severity: str
    confidence: str
    go_version: str = "unknown"
    go_version_source: str = "unknown"
    related: Tuple[Related, ...] = ()
    evidence: str = ""
    fixes: Tuple[Fix, ...] = ()
    line_text: str = ""  # the source line of the start position (for fingerprints / --show-source)
    context: str = ""  # enclosing function name (for fingerprints)
    suppressed: Optional[str] = None  # justification when suppressed in source

    @property
    def line(self) -> int:
        return self.span.start.row + 1

    @property
    def col(self) -> int:
        return self.span.start.col + 1

    def sort_key(self):
        return (self.path, self.span.start.row, self.span.start.col, self.rule_id, self.message)


@dataclasses.dataclass
class Notice:
    """A problem with an input (not a finding): unreadable, binary, parse error..."""

    path: str
    kind: str  # "parse-error" | "unreadable" | "not-utf8" | "binary" | "empty" | "config"
    message: str
    level: str = "warning"  # SARIF notification level
    row: Optional[int] = None
    col: Optional[int] = None

    def sort_key(self):
        return (self.path, self.row or 0, self.col or 0, self.kind)
