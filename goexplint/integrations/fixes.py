"""Safe autofixes: choosing non-conflicting edits, applying them, unified diffs.

A rule attaches fixes to its findings (``Finding.fixes``: ``model.Fix`` with byte-offset
``model.Edit``s into the file as linted).  Only ``safe`` fixes are applied.  This module is
generic: it knows nothing about the rules, so any family's fixes work the same way on the
command line (``--fix`` / ``--diff``), in SARIF (``fixes``) and in the language server
(quick fixes and ``source.fixAll.goexplint``).

Conflicts: the fixes are taken in source order; a fix whose edits overlap an edit already
taken (or insert at the same offset) is skipped as a whole, and an identical edit from two
findings is applied once.  ``fix_source`` re-lints and repeats until nothing is left to fix,
so skipped fixes are applied in a later pass and a second ``--fix`` run changes nothing.
"""

from __future__ import annotations

import difflib
from typing import Callable, List, Sequence, Tuple

from goexplint.core.data import Edit, Finding, Fix
from goexplint.core.parse import parse_bytes

MAX_PASSES = 10


def _conflict(a: Edit, b: Edit) -> bool:
    if a == b:
        return False
    if a.start == b.start:
        return True  # two changes at one offset: their order would be arbitrary
    return a.start < b.end and b.start < a.end


def plan(findings: Sequence[Finding]) -> Tuple[List[Tuple[Finding, Fix]], List[Edit]]:
    """The fixes to apply (in source order) and their distinct edits, without conflicts."""
    taken: List[Edit] = []
    chosen: List[Tuple[Finding, Fix]] = []
    ordered = sorted((f for f in findings if f.suppressed is None and f.fixes), key=Finding.sort_key)
    for finding in ordered:
        fix = next((x for x in finding.fixes if x.safe), None)
        if fix is None or not fix.edits:
            continue
        if any(_conflict(e, t) for e in fix.edits for t in taken):
            continue
        if len({(e.start, e.end) for e in fix.edits}) != len(fix.edits) or \
                any(_conflict(a, b) for i, a in enumerate(fix.edits) for b in fix.edits[i + 1:]):
            continue  # a malformed fix (its own edits overlap)
        chosen.append((finding, fix))
        taken.extend(e for e in fix.edits if e not in taken)
    return chosen, taken


def uses_crlf(source: bytes) -> bool:
    """Most line endings of ``source`` are CRLF (then inserted lines get CRLF too)."""
    crlf = source.count(b"\r\n")
    return crlf > 0 and crlf * 2 >= source.count(b"\n")


def apply_edits(source: bytes, edits: Sequence[Edit]) -> bytes:
    """Apply non-overlapping edits (offsets into ``source``).  In a CRLF file the new text's line
    breaks are written as CRLF."""
    out = source
    crlf = uses_crlf(source)
    for e in sorted(set(edits), key=lambda e: (e.start, e.end), reverse=True):
        if not 0 <= e.start <= e.end <= len(source):
            raise ValueError("edit %r outside the file (%d bytes)" % (e, len(source)))
        text = e.text.replace("\r\n", "\n").replace("\n", "\r\n") if crlf else e.text
        out = out[:e.start] + text.encode("utf-8") + out[e.end:]
    return out


def fix_source(source: bytes, lint: Callable[[bytes], Sequence[Finding]]) -> Tuple[bytes, int]:
    """Apply safe fixes until none is left (at most MAX_PASSES passes).

    ``lint(bytes) -> findings`` lints the current text.  Returns the new text and the number of
    fixes applied.  A pass that would leave the file with a syntax error it did not have is
    rejected (its fixes are not applied)."""

    had_error = parse_bytes(source).root_node.has_error
    applied = 0
    for _ in range(MAX_PASSES):
        chosen, edits = plan(lint(source))
        if not edits:
            break
        new = apply_edits(source, edits)
        if new == source:
            break
        if parse_bytes(new).root_node.has_error and not had_error:
            break
        source = new
        applied += len(chosen)
    return source, applied


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    a = before.decode("utf-8", "replace").splitlines(keepends=True)
    b = after.decode("utf-8", "replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(a, b, fromfile="a/" + path.lstrip("/"), tofile="b/" + path.lstrip("/")))
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
