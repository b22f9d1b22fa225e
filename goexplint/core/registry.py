"""Rule registry: discovers ``queries/<family>/<stem>.scm`` and binds refine modules.

A rule is one stem, ``gxl101_loopvar_goroutine_capture``:

* ``queries/loopvar/<stem>.scm`` -- the comment header holds the rule's metadata
  (TOML above ``; ---``) and its documentation (Markdown below), then the
  tree-sitter patterns that find candidates.  This header is the only place
  rule metadata lives; ``--explain``, ``--list-rules``, SARIF rule entries and
  the README rule table are generated from it.
* ``goexplint/rules/<family>/<stem>.py`` -- optional ``refine(match, ctx)``
  generator that turns query matches into findings, and optional ``applies(ctx)``: False when
  no finding of the rule is possible in the file (a cheap, exact test), so the engine drops the
  rule's matches in that file without refining them.
* ``fixtures/<family>/...`` -- Go modules with ``// want <ID>`` expectations.

Queries are compiled once per process, lazily, on first use.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
import tomllib
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import tree_sitter

from goexplint.core.data import CONFIDENCES, FAMILIES, SEVERITIES, family_of
from goexplint.core.parse import GO_LANGUAGE

ID_RE = re.compile(r"^GXL[1-7]\d\d$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
REQUIRED_KEYS = ("id", "name", "severity", "confidence", "message", "since")
OPTIONAL_KEYS = ("go", "default", "tags", "security-severity", "fix", "reports-at", "status")
DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
GATE_RE = re.compile(r"^(<|>=)\s*1\.(\d+)$")
DOCS_BASE = "https://github.com/goexplint/goexplint/blob/main/docs/rules.md"


class RuleError(Exception):
    """A query file whose header or patterns are broken (a bug in goexplint itself)."""


@dataclasses.dataclass
class Rule:
    id: str
    name: str
    severity: str
    confidence: str
    message: str
    since: str
    doc: str  # Markdown, the sections of DOC_SECTIONS and optional extras
    stem: str
    query_path: Path
    query_source: str
    go: Optional[str] = None  # version gate, e.g. "<1.22"
    default: bool = True
    tags: Tuple[str, ...] = ()
    security_severity: Optional[str] = None
    reports_at: str = ""
    refine: Optional[Callable] = None
    applies: Optional[Callable] = None  # applies(ctx) -> bool, see the module docstring
    requires: Tuple = ()  # the providers (core.providers) the rule module declares in REQUIRES

    @property
    def family(self) -> str:
        return family_of(self.id)

    @property
    def help_uri(self) -> str:
        return "%s#%s" % (DOCS_BASE, self.id.lower())

    @functools.cached_property
    def query(self) -> tree_sitter.Query:
        try:
            return tree_sitter.Query(GO_LANGUAGE, self.query_source)
        except Exception as exc:  # tree-sitter raises QueryError subclasses
            raise RuleError("%s: query does not compile: %s" % (self.query_path, exc)) from exc

    @functools.cached_property
    def sections(self) -> Dict[str, str]:
        out: Dict[str, str] = {}
        current = None
        for line in self.doc.splitlines():
            m = re.match(r"^## (.+?)\s*$", line)
            if m:
                current = m.group(1)
                out[current] = ""
            elif current is not None:
                out[current] += line + "\n"
        return {k: v.strip("\n") for k, v in out.items()}

    @property
    def short_description(self) -> str:
        what = " ".join(self.sections.get("What it does", "").split())
        m = re.match(r"(.+?\.)(\s|$)", what)
        return m.group(1) if m else what

    @property
    def full_description(self) -> str:
        why = " ".join(self.sections.get("Why is this bad?", "").split())
        text = self.short_description + " " + why
        return text if len(text) <= 1000 else text[:997] + "..."

    @functools.cached_property
    def _gate(self) -> Tuple[str, Tuple[int, int]]:
        op, minor = GATE_RE.match(self.go).groups()
        return op, (1, int(minor))

    def gate_allows(self, lang, per_iteration: bool) -> Optional[bool]:
        """Whether the version gate admits a file.

        Returns True/False, or None when the file's version is unknown and the gate
        is a "<" gate: the rule then runs assuming the older semantics.
        """
        if not self.go:
            return True
        op, bound = self._gate
        if bound == (1, 22):
            newer = per_iteration
        else:
            newer = lang is not None and lang >= bound
        if op == "<":
            if newer:
                return False
            return None if lang is None and not per_iteration else True
        return newer


def _split_header(text: str, path: Path) -> Tuple[dict, str]:
    toml_lines: List[str] = []
    md_lines: List[str] = []
    in_md = False
    for line in text.splitlines():
        if not line.startswith(";"):
            break
        body = line[1:]
        if body.startswith(" "):
            body = body[1:]
        if body.strip() == "---" and not in_md:
            in_md = True
            continue
        (md_lines if in_md else toml_lines).append(body)
    if not in_md:
        raise RuleError("%s: header has no '; ---' line between metadata and docs" % path)
    try:
        meta = tomllib.loads("\n".join(toml_lines))
    except tomllib.TOMLDecodeError as exc:
        raise RuleError("%s: bad TOML header: %s" % (path, exc)) from exc
    return meta, "\n".join(md_lines).strip() + "\n"


def load_rule(path: Path) -> Rule:
    text = path.read_text(encoding="utf-8")
    meta, doc = _split_header(text, path)
    unknown = set(meta) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS)
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if unknown or missing:
        raise RuleError("%s: unknown keys %s, missing keys %s" % (path, sorted(unknown), missing))
    rule = Rule(
        id=meta["id"], name=meta["name"], severity=meta["severity"], confidence=meta["confidence"],
        message=meta["message"], since=meta["since"], doc=doc, stem=path.stem, query_path=path,
        query_source=text, go=meta.get("go"), default=meta.get("default", True),
        tags=tuple(meta.get("tags", ())), security_severity=meta.get("security-severity"),
        reports_at=meta.get("reports-at", ""),
    )
    problems = []
    if not ID_RE.match(rule.id):
        problems.append("bad id %r" % rule.id)
    if not NAME_RE.match(rule.name):
        problems.append("bad name %r" % rule.name)
    if rule.severity not in SEVERITIES:
        problems.append("bad severity %r" % rule.severity)
    if rule.confidence not in CONFIDENCES:
        problems.append("bad confidence %r" % rule.confidence)
    if rule.go and not GATE_RE.match(rule.go):
        problems.append("bad go gate %r" % rule.go)
    if ID_RE.match(rule.id) and path.parent.name != FAMILIES[rule.id[3]]:
        problems.append("lives in queries/%s but its family is %s" % (path.parent.name, FAMILIES[rule.id[3]]))
    expected_stem = rule.id.lower() + "_" + rule.name.replace("-", "_")
    if rule.stem != expected_stem:
        problems.append("file stem should be %s" % expected_stem)
    if problems:
        raise RuleError("%s: %s" % (path, "; ".join(problems)))
    try:
        module = importlib.import_module("goexplint.rules.%s.%s" % (path.parent.name.replace("-", "_"), rule.stem))
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith(rule.stem):
            module = None
        else:
            raise
    rule.refine = getattr(module, "refine", None) if module else None
    rule.applies = getattr(module, "applies", None) if module else None
    rule.requires = tuple(getattr(module, "REQUIRES", ())) if module else ()
    return rule


# Engine-made rules (no query): the suppression stage reports them.
UNUSED = Rule(
    id="GXL000", name="unused-suppression", severity="note", confidence="high",
    message="suppression {directive!r} matched no finding; remove it", since="0.1.0",
    doc="""## What it does
Reports a `//goexplint:ignore`, `//goexplint:file-ignore` or `//nolint:goexplint` directive that suppressed nothing.
(A bare `//nolint` or `//nolint:all` is never reported: it may be there for another linter.)

## Why is this bad?
Stale suppressions hide the next real finding on that line. Enabled by `--report-unused-suppressions`.

## Example
```go
x := 1 //goexplint:ignore GXL101 nothing here captures a loop variable
```

## Use instead
```go
x := 1
```
""",
    stem="gxl000_unused_suppression", query_path=Path(__file__), query_source="", default=False,
    reports_at="the directive comment",
)
ENGINE_RULES = (UNUSED,)


def queries_dir() -> Path:
    """The query files: package data in an installed wheel, ``queries/`` in a checkout."""
    packaged = Path(__file__).resolve().parent.parent / "queries"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "queries"


@functools.lru_cache(maxsize=None)
def all_rules() -> Tuple[Rule, ...]:
    """Every rule, sorted by id (the engine-made GXL0xx rules included)."""
    rules = [load_rule(p) for p in sorted(queries_dir().glob("*/*.scm"))]
    rules.extend(ENGINE_RULES)
    seen = set()
    for rule in rules:
        if rule.id in seen or rule.name in seen:
            raise RuleError("duplicate rule id or name: %s %s" % (rule.id, rule.name))
        seen.update((rule.id, rule.name))
    return tuple(sorted(rules, key=lambda r: r.id))


@functools.lru_cache(maxsize=None)
def rules_by_id() -> Dict[str, Rule]:
    return {r.id: r for r in all_rules()}


def select_rules(select: Optional[List[str]], ignore: Optional[List[str]]) -> List[Rule]:
    """Resolve ``--select``/``--ignore`` selectors into rules.

    A selector is a rule id (``GXL101``), an id prefix (``GXL1``), a rule name
    (``loopvar-defer-capture``), a family name (``loopvar``) or ``all``.
    Without ``select`` the default-on rules run.  Raises ValueError on a selector
    that matches nothing.
    """
    rules = all_rules()

    def matching(sel: str) -> List[Rule]:
        s = sel.strip()
        if s.lower() == "all":
            return list(rules)
        found = [r for r in rules if r.id == s.upper() or r.name == s or r.family == s
                 or (re.match(r"^GXL\d{1,2}$", s.upper()) and r.id.startswith(s.upper()))]
        if not found:
            raise ValueError("unknown rule or family %r (see --list-rules)" % sel)
        return found

    if select:
        chosen = {r.id for sel in select for r in matching(sel)}
    else:
        chosen = {r.id for r in rules if r.default}
    for sel in ignore or ():
        chosen -= {r.id for r in matching(sel)}
    return [r for r in rules if r.id in chosen]
