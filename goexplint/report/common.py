"""What every reporter shares: options and stable fingerprints."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from typing import Dict, List, Optional, Sequence

from goexplint.core.data import Finding


@dataclasses.dataclass
class ReportOptions:
    show_source: bool = False
    srcroot: str = ""  # absolute directory that SARIF URIs are relative to ("" = cwd)
    cwd: str = ""
    sarif_category: str = ""
    exit_code: int = 0
    execution_successful: bool = True
    sarif_max_results: int = 25000  # GitHub rejects runs with more results
    fail_on: str = "warning"  # --fail-on: JUnit fails the test cases of findings this severe or worse


_RANK = {"error": 0, "warning": 1, "note": 2}


def fails(finding: Finding, fail_on: str) -> bool:
    """Whether ``finding`` makes the run fail under ``--fail-on`` (error > warning > note)."""
    return _RANK.get(finding.severity, 0) <= _RANK.get(fail_on, 1)


def first_line_and_body(message: str) -> str:
    """The summary, then (after a blank line) the whole message when the summary leaves something out."""
    more = detail(message)
    return summary(message) + ("\n\n" + more if more else "")


def fingerprints(findings: Sequence[Finding], paths: Optional[Sequence[str]] = None) -> List[str]:
    """Stable per-finding keys: hash of rule, path, the whitespace-normalised source line, the
    enclosing function and an occurrence index.  Line numbers are left out on purpose, so an
    edit above a finding does not change its key (SARIF ``partialFingerprints``, baselines).
    ``paths`` (one per finding) replaces ``finding.path`` in the key: SARIF and baselines pass
    repository-relative paths so the key does not depend on the directory goexplint ran from."""
    seen: Dict[str, int] = {}
    out = []
    for i, f in enumerate(findings):
        path = f.path if paths is None else paths[i]
        base = "\0".join((f.rule_id, path, " ".join(f.line_text.split()), f.context))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(hashlib.sha256(("%s\0%d" % (base, n)).encode("utf-8")).hexdigest()[:32])
    return out


# ---- the short first line of a finding ---------------------------------------------------------
#
# Rule messages say what is wrong, why, and what to do, in one sentence of about 230 characters:
# too long for a terminal line.  Every reporter shows a short first line instead (``summary``,
# at most SUMMARY_LIMIT characters) and keeps the whole message where there is room for it
# (--show-source, JSON ``message``, SARIF, the JUnit and GitHub bodies).  The summary is cut out of
# the message itself at its natural breaks, so rules need not say anything twice:
#
# * the *problem* is the message up to its first top-level ``: ``, ``; `` or sentence end (when that
#   part is only an expression, up to the next one, with or without the expression), shortened at a
#   clause boundary (``, so``,
#   ``, which``, ``, but``, ``, and``, ``, while``, `` but ``) or without its ``(…)`` asides
#   when it is too long;
# * the *remedy* is the last top-level part that is not a condition (``if …``), up to its first list
#   comma, ``;`` or ``(…)`` aside, and if need be without its purpose (`` so …``, `` if …``);
# * the summary is ``problem: remedy`` when that fits, else the problem alone, else the message cut at
#   a word (with "…").
# "Top level" means outside brackets, quotes and backquotes, so Go code in a message never splits.

SUMMARY_LIMIT = 100
_OPEN = {"(": ")", "[": "]", "{": "}"}
_STRONG = (": ", "; ", ". ")
_CLAUSE = (", so ", ", which ", ", but ", ", and ", ", while ", " but ")
_REMEDY_CUT = (", ", "; ", " (")
_REMEDY_TAIL = (" so ", " if ", " when ", " until ")


def _top_level(text: str) -> List[bool]:
    """For each character: is it outside brackets, quotes and backquotes?"""
    out, depth, quote = [], [], None
    for i, ch in enumerate(text):
        if quote is not None:
            out.append(False)
            if ch == quote:
                quote = None
            continue
        if ch in "`\"" or (ch == "'" and (i == 0 or not text[i - 1].isalnum())):
            quote = ch
            out.append(False)
        elif ch in _OPEN:
            depth.append(_OPEN[ch])
            out.append(False)
        elif depth and (ch == "…" or text.startswith("...", i)):  # code cut short: its brackets never close
            depth = []
            out.append(False)
        elif depth:
            if ch == depth[-1]:
                depth.pop()
            out.append(False)
        else:
            out.append(True)
    return out


def _breaks(text: str, marks: Sequence[str]) -> List[int]:
    """Offsets of the top-level occurrences of ``marks`` that really end a part of the sentence."""
    top = _top_level(text)
    found = set()
    for mark in marks:
        i = text.find(mark)
        while i >= 0:
            if top[i] and all(top[i:i + len(mark.rstrip())]) and _real_break(text, i, mark):
                found.add(i)
            i = text.find(mark, i + 1)
    return sorted(found)


def _real_break(text: str, i: int, mark: str) -> bool:
    after = text[i + len(mark):i + len(mark) + 1]
    if mark == ". ":  # a sentence ends: the next one starts with a capital (not "e.g. x")
        return after.isupper() and not text[:i + 1].endswith(("e.g.", "i.e.", "etc."))
    if mark == ": ":  # not a Go key: value ("ReadHeaderTimeout: 5 * time.Second")
        return not (after.isdigit() or after in "\"'`&")
    if mark == " (":  # an aside, not a call or conversion
        return _aside_end(text, i) > 0
    return True


def _words(text: str) -> int:
    return len(text.split())


def _aside_end(text: str, i: int) -> int:
    """When a top-level `` (`` at ``i`` opens an aside -- a parenthesis followed by a space, a
    punctuation mark or the end, not Go code like ``(&net.Dialer{…}).DialContext`` -- the offset just
    past its ``)``, else -1."""
    depth, j = 0, i + 1
    while j < len(text):
        depth += {"(": 1, ")": -1}.get(text[j], 0)
        if depth == 0:
            break
        j += 1
    if j >= len(text):
        return -1
    after = text[j + 1:j + 3]
    if after and after[0] not in " ,;:" and not (after[0] == "." and after[1:] in ("", " ")):
        return -1
    return j + 1


def _without_asides(text: str) -> str:
    """``text`` without its top-level `` (…)`` asides."""
    top = _top_level(text)
    out, i = [], 0
    while i < len(text):
        end = _aside_end(text, i) if text.startswith(" (", i) and top[i] else -1
        if end > 0:
            i = end
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _top_words(text: str) -> int:
    """Words outside brackets and quotes (``unsafe.Pointer(1 + p)`` is one)."""
    top = _top_level(text)
    return len("".join(ch if top[i] or ch != " " else "_" for i, ch in enumerate(text)).split())


def _problems(text: str, strong: List[int]) -> List[str]:
    end = strong[0] if strong else len(text)
    firsts = [text[:end]]
    if _top_words(text[:end]) < 2 and len(strong) > 1:  # "expr: what is wrong with it; ..."
        firsts = [text[:strong[1]], text[end + 2:strong[1]]]  # also without the expression (the caret shows it)
    out: List[str] = []
    for first in firsts:
        cuts = [first] + [first[:i] for i in reversed(_breaks(first, _CLAUSE)) if _words(first[:i]) >= 3]
        for p in cuts:
            for q in (p, _without_asides(p)):
                q = q.rstrip(" ,;:.")
                if q and q not in out:
                    out.append(q)
    return out


def _remedies(text: str, strong: List[int], problem_end: int) -> List[str]:
    starts = [i for i in strong if i >= problem_end]
    for i in reversed(starts):
        part = text[i + 2:]
        if part.lower().startswith(("if ", "or ", "and ")) or _words(part) < 2:
            continue
        if part[:1].isupper() and part[1:2].islower():
            part = part[0].lower() + part[1:]
        out = [part.rstrip(" .")]
        cuts = [j for j in _breaks(part, _REMEDY_CUT) if _words(part[:j]) >= 2]
        if cuts:
            out.append(part[:cuts[0]].rstrip(" ,;:."))
        out.append(_without_asides(out[-1]))
        # the bare action, without its purpose or condition ("delete the default so the select blocks")
        shorter = [j for j in _breaks(out[-1], _REMEDY_TAIL) if _words(out[-1][:j]) >= 2]
        if shorter:
            out.append(out[-1][:shorter[0]])
        return list(dict.fromkeys(out))
    return []


@functools.lru_cache(maxsize=4096)
def summary(message: str, limit: int = SUMMARY_LIMIT) -> str:
    """The short first line of ``message`` (at most ``limit`` characters, one line)."""
    text = " ".join(message.split())
    if len(text) <= limit:
        return text
    strong = _breaks(text, _STRONG)
    problems = _problems(text, strong)
    problem_end = len(problems[0]) if problems else 0
    remedies = _remedies(text, strong, problem_end)
    with_remedy = [p + ": " + r for p in problems if _words(p) >= 3 for r in remedies]
    fitting = [s for s in with_remedy if len(s) <= limit]
    if fitting:
        return max(fitting, key=len)
    fitting = [p for p in problems if len(p) <= limit]
    if not fitting and problems:  # last resort: the problem without its relative clause
        first = problems[0]
        fitting = [first[:i] for i in reversed(_breaks(first, (" that ",))) if _words(first[:i]) >= 3 and i <= limit]
    if fitting:
        return fitting[0]
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


def detail(message: str, limit: int = SUMMARY_LIMIT) -> str:
    """The whole message when the summary leaves something out, else "" (nothing more to say)."""
    return "" if summary(message, limit) == message else message
