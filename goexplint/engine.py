"""The engine: stages 1-6 in order.  Reporters (stage 7) are picked by the CLI.

``lint_source`` is a pure function of (path, bytes, options) -- the CLI, the
pre-commit hook and the language server all go through it.  ``lint_files``
adds file reading and a process pool (discovery is ``discover.discover``).
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Dict, List, Optional, Sequence, Tuple

from goexplint import goversion, suppress
from goexplint.discover import is_generated
from goexplint.model import Finding, Notice
from goexplint.parse import FileContext, first_syntax_error, parse_bytes
from goexplint.query import run_rule
from goexplint.registry import Rule, rules_by_id


@dataclasses.dataclass(frozen=True)
class Options:
    rule_ids: Tuple[str, ...]
    go_version: Optional[str] = None  # --go-version override
    report_unused: bool = False
    include_generated: bool = False
    environ: Tuple[Tuple[str, str], ...] = ()  # the GOEXPERIMENT setting, captured once
    test_files: str = "note"  # _test.go files and the TEST_FILE_FAMILIES: "note" | "off" | "normal"

    @property
    def rules(self) -> List[Rule]:
        by_id = rules_by_id()
        return [by_id[i] for i in self.rule_ids]


# Families whose findings in _test.go files follow ``Options.test_files`` (config ``test-files``):
# a test that waits forever fails by its own timeout, so these are notes (or nothing) there.
TEST_FILE_FAMILIES = ("context-timeout",)


@dataclasses.dataclass
class FileResult:
    findings: List[Finding]
    notices: List[Notice]
    linted: bool


@dataclasses.dataclass
class RunResult:
    findings: List[Finding]  # sorted, suppressed ones included (``suppressed`` set)
    notices: List[Notice]
    files: int  # files linted
    skipped: int  # files skipped (generated, unreadable, binary...)


def environ_options() -> Tuple[Tuple[str, str], ...]:
    return tuple((k, os.environ[k]) for k in ("GOEXPERIMENT",) if k in os.environ)


def check_source(path: str, source: bytes) -> Optional[Notice]:
    """A one-line notice when the bytes are not lintable Go text."""
    if not source.strip():
        return Notice(path, "empty", "empty file, nothing to lint", level="note")
    if b"\0" in source[:8192]:
        return Notice(path, "binary", "binary file (NUL bytes), skipped")
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = source.count(b"\n", 0, exc.start) + 1
        return Notice(path, "not-utf8", "not valid UTF-8 (byte 0x%02x on line %d), skipped: Go source must be UTF-8"
                      % (source[exc.start], line), row=line - 1)
    return None


def lint_source(path: str, source: bytes, options: Options, real_path: Optional[str] = None,
                tree=None) -> FileResult:
    """Lint one file's bytes.  ``path`` is what findings show; ``real_path`` locates go.mod.
    ``tree`` is an already parsed tree of exactly these bytes (the language server re-parses
    edited buffers incrementally and passes its tree)."""
    bad = check_source(path, source)
    if bad is not None:
        return FileResult([], [bad], False)
    if not options.include_generated and is_generated(source):
        return FileResult([], [], False)
    notices: List[Notice] = []
    if tree is None:
        tree = parse_bytes(source)
    err = first_syntax_error(tree.root_node)
    if err is not None:
        row, col = err.start_point
        what = "missing %s" % err.type if err.is_missing else "syntax error"
        notices.append(Notice(path, "parse-error", "%s at %d:%d; linted the parts that parse"
                              % (what, row + 1, col + 1), level="note", row=row, col=col))
    version = goversion.resolve(real_path or path, source, override=options.go_version, environ=dict(options.environ))
    ctx = FileContext(path, source, tree, version, real_path=real_path)
    enabled = options.rules
    findings: List[Finding] = []
    lang = version.lang
    for rule in enabled:
        if not rule.query_source:
            continue  # engine-made rule (GXL000)
        verdict = rule.gate_allows(lang, version.per_iteration_loops)
        if verdict is False:
            continue
        found = run_rule(rule, ctx, assumed=verdict is None)
        if ctx.is_test and rule.family in TEST_FILE_FAMILIES and options.test_files != "normal":
            if options.test_files == "off":
                continue
            found = (dataclasses.replace(f, severity="note") for f in found)
        findings.extend(found)
    findings = suppress.apply(ctx, findings, enabled, options.report_unused, notices)
    findings.sort(key=Finding.sort_key)
    return FileResult(findings, notices, True)


def _lint_file(args: Tuple[str, str, Options]) -> FileResult:
    real, shown, options = args
    try:
        with open(real, "rb") as fh:
            source = fh.read()
    except OSError as exc:
        return FileResult([], [Notice(shown, "unreadable", "cannot read: %s" % (exc.strerror or exc))], False)
    try:
        return lint_source(shown, source, options, real_path=real)
    except RecursionError:
        return FileResult([], [Notice(shown, "internal", "too deeply nested to analyse, skipped")], False)


def lint_files(files: Sequence[Tuple[str, str]], options: Options, jobs: int = 1) -> RunResult:
    work = [(real, shown, options) for real, shown in files]
    if jobs > 1 and len(work) > 1:
        chunk = max(1, min(64, len(work) // (jobs * 8) or 1))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_lint_file, work, chunksize=chunk))
    else:
        results = [_lint_file(w) for w in work]
    findings = [f for r in results for f in r.findings]
    notices = [n for r in results for n in r.notices]
    findings.sort(key=Finding.sort_key)
    notices.sort(key=Notice.sort_key)
    linted = sum(1 for r in results if r.linted)
    return RunResult(findings, notices, linted, len(results) - linted)


def summary_counts(findings: Sequence[Finding]) -> Dict[str, int]:
    counts = {"error": 0, "warning": 0, "note": 0}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts
