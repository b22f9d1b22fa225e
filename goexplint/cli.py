"""Command line: ``goexplint [PATH...]``.  Exit codes: 0 no findings, 1 findings, 2 usage/config/internal error,
130 interrupted (Ctrl-C)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import List, Optional

from goexplint import __version__, version_text
from goexplint.integrations import baseline
from goexplint.core import cache as cache_mod
from goexplint.core import config as config_mod
from goexplint.integrations import fixes
from goexplint.core import goversion
from goexplint.core import precision
from goexplint.core import providers
from goexplint.core.data import Notice
from goexplint.core.parse import gc_for_batch
from goexplint.core.discover import DiscoverOptions, DiscoveryError, Skipped, discover
from goexplint.core.engine import (DEFAULT_FILE_TIMEOUT, DEFAULT_MAX_FILE_MB, Options, RunResult, environ_options,
                                   exit_now_on_sigint, lint_files, lint_source, summary_counts)
from goexplint.core.registry import all_rules, rules_by_id, select_rules
from goexplint.core.safe_write import write_atomic
from goexplint.report import reporter
from goexplint.report.common import ReportOptions


# Notices that mean a file was not linted at all (exit 2 when the file was named explicitly).
NOT_LINTED = ("unreadable", "internal", "binary", "not-utf8", "empty", "too-large")

# Why files were skipped (discovery's and the engine's reasons) as the summary line says it, and the
# option that would lint them.  Reasons with a per-file notice (empty, binary...) are not repeated
# as a summary notice.
SKIP_LABELS = {"generated": "generated", "vendored": "vendored", "testdata": "in testdata",
               "hidden": "hidden", "dot-underscore": "with a _ or . name", "excluded": "excluded",
               "special": "special (pipe, device)",
               "empty": "empty", "binary": "binary", "not-utf8": "not UTF-8", "unreadable": "unreadable",
               "too-large": "too large", "internal": "too deeply nested", "other": "other"}
SKIP_OPTION = {"generated": "--include-generated", "vendored": "--include-vendor",
               "testdata": "--include-testdata", "hidden": "--include-hidden"}
SKIP_SUMMARY_NOTICE = ("generated", "vendored", "testdata", "hidden", "dot-underscore", "excluded", "special")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, exit 2 (argparse prints usage too)
        raise UsageError(message)


def _csv(values: Optional[List[str]]) -> Optional[List[str]]:
    if values is None:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


INCLUDE_HELP = {"vendor": "vendor/ directories", "testdata": "testdata/ directories",
                "hidden": "directories starting with . or _",
                "generated": "generated files (// Code generated ... DO NOT EDIT.)"}


FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit", "checkstyle")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="goexplint", usage="%(prog)s [options] [PATH ...]\n       %(prog)s lsp",
                description="Find Go hazards that compile fine and fail in production: "
                "loop-variable capture, unsynchronised counters, unsafe.Pointer misuse, missing timeouts. "
                "`goexplint lsp` runs the language server on stdio instead (for editors; also `goexplint-lsp`).",
                epilog="Exit status: 0 no findings at or above --fail-on, 1 such findings, 2 usage, configuration or "
                "internal error (or a file named on the command line could not be linted), 130 interrupted.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="Go files, directories, Go package patterns "
                   "(./..., dir/...) or - for standard input (default: .)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="output format (default text): text, json, sarif, github (workflow annotations), "
                   "gitlab (Code Quality), junit (JUnit XML), checkstyle (Checkstyle XML)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (always written, even when clean)")
    p.add_argument("--select", action="append", metavar="RULES",
                   help="only these rules: ids (GXL101), id prefixes (GXL1), names or families (loopvar), all")
    p.add_argument("--ignore", action="append", metavar="RULES", help="skip these rules (same forms as --select)")
    p.add_argument("--go-version", metavar="1.N", help="Go language version for every file (overrides go.mod)")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="parallel processes (default: CPU count)")
    p.add_argument("--file-timeout", type=float, metavar="SECONDS",
                   help="analysis budget per file in CPU seconds: past it the remaining checks of that file are "
                        "skipped, with a notice naming the rule (default %g; 0 = no limit)" % DEFAULT_FILE_TIMEOUT)
    p.add_argument("--max-file-size", type=float, metavar="MB",
                   help="skip files larger than MB megabytes (1 MB = 1,000,000 bytes), with a notice, before parsing "
                        "them: memory grows with the file (default %g; 0 = no limit)" % DEFAULT_MAX_FILE_MB)
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--fail-on", choices=FAIL_ON, metavar="{error,warning,note}",
                   help="exit 1 only for findings of this severity or worse (default warning: notes never fail)")
    p.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    p.add_argument("--explain", metavar="RULE", help="print a rule's documentation and exit")
    p.add_argument("--generate-docs", action="store_true", help="print the Markdown rule reference and exit")
    p.add_argument("--version", action="version", version=version_text())
    p.add_argument("--stdin-filename", metavar="NAME", help="lint standard input as if it were the file NAME")
    p.add_argument("--show-source", action="store_true", help="text format: show the source line and a caret")
    p.add_argument("--report-unused-suppressions", action="store_true", default=None,
                   help="report //goexplint:ignore and //nolint directives that matched nothing (GXL000)")
    p.add_argument("--config", metavar="FILE", help="use this configuration file for every file (default: for each "
                   "file the nearest .goexplint.toml or pyproject.toml [tool.goexplint] above it)")
    p.add_argument("--exclude", action="append", metavar="GLOB", help="skip paths matching GLOB (repeatable)")
    p.add_argument("--force-exclude", action="store_true", default=None,
                   help="apply the vendor/testdata/hidden/generated/exclude skips to files named explicitly "
                   "(for pre-commit)")
    for what in ("vendor", "testdata", "hidden", "generated"):
        p.add_argument("--include-" + what, action="store_true", default=None, help="also lint " + INCLUDE_HELP[what])
    p.add_argument("--test-files", choices=("note", "off", "normal"),
                   help="context-timeout findings in _test.go files: as notes (default), off, or normal severity")
    p.add_argument("--sarif-category", metavar="NAME",
                   help="SARIF automationDetails.id (GitHub code scanning category)")
    p.add_argument("--fix", action="store_true", help="apply the findings' safe fixes to the files, then report "
                   "what is left")
    p.add_argument("--diff", action="store_true", help="print the safe fixes as a unified diff; write nothing "
                   "(exit 1 when there is something to fix)")
    p.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in FILE")
    p.add_argument("--write-baseline", metavar="FILE",
                   help="record the current findings in FILE (for --baseline) and exit 0")
    p.add_argument("--new-from-rev", metavar="REV",
                   help="report only findings on lines added or changed since the git revision REV")
    p.add_argument("--sarif-max-results", type=int, metavar="N", default=25000,
                   help="SARIF: keep at most N results, the most severe first (default and maximum: 25000, "
                   "GitHub's limit per run)")
    p.add_argument("--no-cache", action="store_true",
                   help="do not read or write the result cache")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="result cache directory (default: $XDG_CACHE_HOME/goexplint, else ~/.cache/goexplint; "
                   "deleting it is safe)")
    p.add_argument("--profile-rules", action="store_true", help=argparse.SUPPRESS)  # per-rule seconds on stderr
    return p


class _Progress:
    """``files done/total, rate`` on one self-overwriting stderr line, at most 10 times a second."""

    def __init__(self, stream):
        self.stream = stream
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-6)
        self.stream.write("\rgoexplint: %d/%d files (%.0f files/s)\033[K" % (done, total, rate))
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _profile_table(timings: dict) -> str:
    total = sum(timings.values()) or 1e-9
    rows = ["goexplint: time per stage / rule (seconds, summed over worker processes)"]
    for name, sec in sorted(timings.items(), key=lambda kv: -kv[1]):
        rows.append("  %-12s %8.3f  %5.1f%%" % (name, sec, 100.0 * sec / total))
    rows.append("  %-12s %8.3f" % ("total", total))
    return "\n".join(rows) + "\n"


# --fail-on: the least severe level that makes the exit status 1.
FAIL_ON = ("error", "warning", "note")
_RANK = {"error": 0, "warning": 1, "note": 2}


def failing(findings, fail_on: str) -> bool:
    """True when some finding is at least as severe as ``fail_on`` (error > warning > note)."""
    limit = _RANK[fail_on]
    return any(_RANK.get(f.severity, 0) <= limit for f in findings)


def _settings(args, cfg: dict) -> dict:
    """Merge: command line over configuration file over defaults."""
    def pick(cli_value, key, default):
        if cli_value is not None:
            return cli_value
        return cfg.get(key, default)

    return {
        "select": _csv(args.select) if args.select else cfg.get("select"),
        "ignore": (cfg.get("ignore") or []) + (_csv(args.ignore) or []),
        "go_version": pick(args.go_version, "go-version", None),
        "jobs": pick(args.jobs, "jobs", os.cpu_count() or 1),
        "exclude": list(args.exclude or []),  # the configuration's globs are rooted at its file (Config)
        "report_unused": pick(args.report_unused_suppressions, "report-unused-suppressions", False),
        "force_exclude": pick(args.force_exclude, "force-exclude", False),
        "test_files": pick(args.test_files, "test-files", "note"),
        "fail_on": pick(args.fail_on, "fail-on", "warning"),
        "file_timeout": float(pick(args.file_timeout, "file-timeout", DEFAULT_FILE_TIMEOUT)),
        "max_file_size": float(pick(args.max_file_size, "max-file-size", DEFAULT_MAX_FILE_MB)),
        "include": {w: pick(getattr(args, "include_" + w), "include-" + w, False)
                    for w in ("vendor", "testdata", "hidden", "generated")},
    }


def list_rules_text() -> str:
    rows = ["%-7s %-32s %-15s %-8s %-7s %-7s %s" % ("ID", "NAME", "FAMILY", "SEVERITY", "PREC.", "GO", "DEFAULT")]
    for r in all_rules():
        rows.append("%-7s %-32s %-15s %-8s %-7s %-7s %s" % (
            r.id, r.name, r.family, r.severity, precision.column(r.id), r.go or "any",
            "on" if r.default else "off"))
    return "\n".join(rows) + "\n"


LIST_RULES_VERSION = 1


def _measured(rule_id: str):
    m = precision.measurement().of(rule_id)
    return None if m is None else {"total": m.total, "sampled": m.sampled, "true": m.true,
                                   "deliberate": m.deliberate, "false": m.false}


def list_rules_json() -> str:
    """``--list-rules --format json``: schema version 1 (README "Output formats"), one object per rule in
    id order: {"id", "name", "family", "severity", "precision" (the header's confidence), "measured" (the
    FALSE share measured on repositories the rule was never tuned on, or null: docs/precision.md), "go" (gate
    or null), "default", "short_description", "help_uri", "reports_at", "tags"}."""
    import json

    rules = [{"id": r.id, "name": r.name, "family": r.family, "severity": r.severity, "precision": r.confidence,
              "measured": _measured(r.id), "go": r.go or None, "default": bool(r.default),
              "short_description": r.short_description, "help_uri": r.help_uri,
              "reports_at": r.reports_at or "", "tags": list(r.tags)}
             for r in all_rules()]
    doc = {"version": LIST_RULES_VERSION, "tool": {"name": "goexplint", "version": __version__}, "rules": rules}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def explain(rule_id: str) -> str:
    by_id = rules_by_id()
    rule = by_id.get(rule_id.upper()) or next((r for r in by_id.values() if r.name == rule_id), None)
    if rule is None:
        raise UsageError("unknown rule %r (see --list-rules)" % rule_id)
    # The documentation opens with "## What it does", whose first sentence is the short description:
    # printing that sentence in the head as well showed the first paragraph twice.
    head = "%s %s\nfamily: %s | severity: %s | confidence: %s | go: %s | default: %s\nreports at: %s\n\n" % (
        rule.id, rule.name, rule.family, rule.severity,
        rule.confidence, rule.go or "any version", "on" if rule.default else "off", rule.reports_at or "the match")
    return head + _requires_text(rule) + precision.sentence(rule.id) + "\n\n" + rule.doc


def _requires_text(rule) -> str:
    """What the rule's decision is computed from: the providers it declares, then what they need."""
    if not rule.requires:
        return "requires: its query only\n\n"
    direct = [p.name for p in rule.requires]
    rest = [p.name for p in providers.closure(rule.requires) if p.name not in direct]
    return "requires: %s%s\n\n" % (", ".join(direct), " (and through them: %s)" % ", ".join(rest) if rest else "")


def rules_markdown_table() -> str:
    lines = ["| ID | Name | Family | Severity | FALSE share measured | Go | Default |", "|---|---|---|---|---|---|---|"]
    for r in all_rules():
        lines.append("| [%s](docs/rules.md#%s) | %s | %s | %s | %s | %s | %s |" % (
            r.id, r.id.lower(), r.name, r.family, r.severity, precision.column(r.id),
            (r.go or "any").replace("<", "&lt;"), "on" if r.default else "off"))
    return "\n".join(lines) + "\n"


def generate_docs() -> str:
    parts = ["# goexplint rules\n\nGenerated from the query file headers by `goexplint --generate-docs`; "
             "do not edit by hand.\n\n" + rules_markdown_table()]
    for r in all_rules():
        parts.append('\n<a id="%s"></a>\n## %s %s\n\n%s | severity **%s** | confidence **%s** | Go **%s** | %s'
                     " by default\n\nReported at: %s.\n\n%s\n\n%s" % (
                         r.id.lower(), r.id, r.name, "family `%s`" % r.family,
                         r.severity, r.confidence, r.go or "any", "on" if r.default else "off",
                         r.reports_at or "the match", precision.sentence(r.id), r.doc.replace("\n## ", "\n### ")))
    return "".join(parts)


def _write(text: str, output: Optional[str]) -> None:
    if output:
        try:
            write_atomic(output, text.encode("utf-8"))
        except OSError as exc:
            raise UsageError("cannot write %s: %s" % (output, exc.strerror or exc))
    else:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as exc:  # a full disk, a closed pipe: say so in one line, once
            _silence_stdout()
            raise UsageError("cannot write the report to standard output: %s" % (exc.strerror or exc))


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush of the unwritten rest fails no more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _apply_fixes(result: RunResult, real_paths: dict, options_of: dict, write: bool) -> List[str]:
    """Fix every file with fixable findings (``fixes.fix_source``: repeated until nothing is left).
    With ``write`` the files are rewritten and their findings replaced by a re-lint; returns the diffs."""
    todo = sorted({f.path for f in result.findings if f.suppressed is None and any(x.safe for x in f.fixes)})
    diffs, applied = [], 0
    for shown in todo:
        real = real_paths[shown]
        options = options_of[shown]
        with open(real, "rb") as fh:
            source = fh.read()
        new, n = fixes.fix_source(
            source, lambda b, o=options, s=shown, r=real: lint_source(s, b, o, real_path=r).findings)
        if new == source:
            continue
        diffs.append(fixes.unified_diff(shown, source, new))
        if not write:
            continue
        try:
            write_atomic(real, new)
        except OSError as exc:
            raise UsageError("cannot write %s: %s" % (shown, exc.strerror or exc))
        applied += n
        fr = lint_source(shown, new, options, real_path=real)
        result.findings = [f for f in result.findings if f.path != shown] + fr.findings
        result.notices = [x for x in result.notices if x.path != shown] + fr.notices
    if write:
        result.findings.sort(key=lambda f: f.sort_key())
        result.notices.sort(key=lambda x: x.sort_key())
        sys.stderr.write("goexplint: applied %d fix%s in %d file%s\n" % (
            applied, "" if applied == 1 else "es", len(diffs), "" if len(diffs) == 1 else "s"))
    return diffs


def run(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list_rules:
        if args.format not in ("text", "json"):
            raise UsageError("--list-rules prints text or json, not %s" % args.format)
        _write(list_rules_json() if args.format == "json" else list_rules_text(), args.output)
        return 0
    if args.explain:
        _write(explain(args.explain), args.output)
        return 0
    if args.generate_docs:
        _write(generate_docs(), args.output)
        return 0
    cwd = Path.cwd()
    try:
        resolver = config_mod.Resolver(cwd, Path(args.config) if args.config else None)
    except OSError as exc:
        raise UsageError("cannot read config %s: %s" % (args.config, exc.strerror or exc))
    per_dir = _PerConfig(args, resolver)
    s = per_dir.settings(resolver.cwd_config)
    if "-" in args.paths:  # standard input, as ruff and gofmt take it; --stdin-filename names it
        if len(args.paths) > 1:
            raise UsageError("- (standard input) cannot be combined with other paths")
        args.paths = []
        args.stdin_filename = args.stdin_filename or "-"
    if s["file_timeout"] < 0:
        raise UsageError("--file-timeout must be 0 (no limit) or more seconds")
    if s["max_file_size"] < 0:
        raise UsageError("--max-file-size must be 0 (no limit) or more megabytes")
    if s["jobs"] < 1:
        raise UsageError("--jobs must be at least 1")
    if args.fix and args.diff:
        raise UsageError("--fix writes the fixes and --diff only shows them: choose one")
    if (args.fix or args.diff) and args.stdin_filename:
        raise UsageError("--fix and --diff work on files, not on --stdin-filename")
    if args.write_baseline and (args.baseline or args.new_from_rev):
        raise UsageError("--write-baseline records every finding; do not combine it with --baseline/--new-from-rev")
    if not 1 <= args.sarif_max_results <= 25000:
        raise UsageError("--sarif-max-results must be between 1 and 25000")
    _check_flags(args)
    options = per_dir.options(resolver.cwd_config)
    known, changed = set(), {}
    try:
        if args.baseline:
            known = baseline.load(args.baseline)
        if args.new_from_rev:
            changed = baseline.changed_lines(args.new_from_rev, str(cwd))
    except baseline.BaselineError as exc:
        raise UsageError(str(exc))
    named: set = set()  # display paths of the files named on the command line
    unreadable_dirs: set = set()  # ... and of the directories named there that could not be read
    if args.stdin_filename:
        if args.paths:
            raise UsageError("--stdin-filename lints standard input; do not also give paths")
        source = sys.stdin.buffer.read()
        real = str((cwd / args.stdin_filename).resolve())
        conf = resolver.for_dir(Path(real).parent)
        options = per_dir.options(conf)
        report_rules = options.rules
        if not per_dir.settings(conf)["force_exclude"]:
            options = dataclasses.replace(options, include_generated=True)  # named: linted as given
        fr = lint_source(args.stdin_filename, source, options, real_path=real)
        result = RunResult(fr.findings, fr.notices, 1 if fr.linted else 0, 0 if fr.linted else 1,
                           skip_reasons={} if fr.linted else {fr.skipped or "other": 1})
        named = {args.stdin_filename}
    else:
        warnings: List[str] = []
        left_out = Skipped()
        try:
            files = discover(args.paths or ["."], per_dir.discover_options(resolver.cwd_config), cwd,
                             options_for=lambda d: per_dir.discover_options(resolver.for_dir(d)), warnings=warnings,
                             report=left_out)
        except DiscoveryError as exc:
            raise UsageError(str(exc))
        for w in warnings:
            sys.stderr.write("goexplint: warning: %s\n" % w)
        options_of = {shown: per_dir.options(resolver.for_dir(p.parent)) for p, shown in files}
        given = {os.path.normpath(str(cwd / g)) for g in args.paths if not (cwd / g).is_dir()}
        named = {shown for p, shown in files if str(p) in given}
        for p, shown in files:  # a file named on the command line is linted as given, generated or not (go vet
            # lints it too); with --force-exclude (pre-commit passes every staged file) the usual skips apply
            if shown in named and not per_dir.settings(resolver.for_dir(p.parent))["force_exclude"]:
                options_of[shown] = dataclasses.replace(options_of[shown], include_generated=True)
        cache_dir = None if args.no_cache else (args.cache_dir or cache_mod.default_dir())
        progress = _Progress(sys.stderr) if _isatty(sys.stderr) else None
        try:
            result = _lint_groups(files, options_of, s["jobs"], cache_dir, progress, args.profile_rules)
        finally:
            if progress:
                progress.clear()
        unreadable_dirs = _add_discovery_skips(result, left_out, named)
        used = {o.rule_ids for o in options_of.values()} or {options.rule_ids}
        wanted = {i for ids in used for i in ids}
        report_rules = [r for r in all_rules() if r.id in wanted]
        if result.timings is not None:
            sys.stderr.write(_profile_table(result.timings))
        if args.fix or args.diff:
            diffs = _apply_fixes(result, {shown: str(p) for p, shown in files}, options_of, write=args.fix)
            if args.diff:
                _write("".join(diffs), args.output)
                sys.stderr.write("goexplint: %d file%s would be changed by safe fixes\n"
                                 % (len(diffs), "" if len(diffs) == 1 else "s"))
                return 1 if diffs else 0
    if args.write_baseline:
        n = baseline.write(args.write_baseline, result.findings, str(cwd))
        plural = "" if n == 1 else "s"
        sys.stderr.write("goexplint: wrote %d finding%s to the baseline %s\n" % (n, plural, args.write_baseline))
        return 0
    before = len(result.findings)
    if args.baseline:
        result.findings = baseline.filter_new(result.findings, known, args.baseline, str(cwd))
    if args.new_from_rev:
        result.findings = baseline.filter_changed(result.findings, changed, str(cwd))
    hidden = before - len(result.findings)
    shown = [f for f in result.findings if f.suppressed is None]
    code = 1 if failing(shown, s["fail_on"]) and not args.exit_zero else 0
    failed = sorted({n.path for n in result.notices if n.kind in NOT_LINTED and n.path in named})
    if failed:
        code = 2  # a file named on the command line could not be linted: the run did not do its job
    _skip_notices(result)
    ropts = ReportOptions(show_source=args.show_source, cwd=str(cwd), sarif_category=args.sarif_category or "",
                          exit_code=code, sarif_max_results=args.sarif_max_results, fail_on=s["fail_on"])
    if args.format == "sarif" and len(shown) > args.sarif_max_results:
        sys.stderr.write("goexplint: warning: %d findings; the SARIF report keeps the %d most severe\n"
                         % (len(shown), args.sarif_max_results))
    _write(reporter(args.format)(result, report_rules, ropts), args.output)
    for n in result.notices:
        if n.kind == "skipped":
            continue  # said once, in the summary line below
        where = n.path + ("" if n.row is None else ":%d:%d" % (n.row + 1, (n.col or 0) + 1))
        sys.stderr.write("%s: %s: %s\n" % (where, n.level, n.message))
    counts = summary_counts(shown)
    if shown:
        detail = ", ".join("%d %s%s" % (counts[k], k, "" if counts[k] == 1 else "s")
                           for k in ("error", "warning", "note") if counts[k])
        msg = "goexplint: %d finding%s (%s) in %d file%s" % (
            len(shown), "" if len(shown) == 1 else "s", detail, result.files, "" if result.files == 1 else "s")
    else:
        msg = "goexplint: no findings in %d file%s" % (result.files, "" if result.files == 1 else "s")
    if len(result.findings) != len(shown):
        msg += "; %d suppressed" % (len(result.findings) - len(shown))
    if hidden:
        msg += "; %d not new (%s)" % (hidden, "baseline" if not args.new_from_rev else
                                      "unchanged lines" if not args.baseline else "baseline or unchanged lines")
    if result.skipped:
        msg += "; " + _skip_summary(result)
    sys.stderr.write(msg + "\n")
    for path in failed:
        sys.stderr.write("goexplint: error: %s was named on the command line but could not be %s\n"
                         % (path, "read" if path in unreadable_dirs else "linted"))
    return code


def _add_discovery_skips(result: RunResult, left_out: Skipped, named: set) -> set:
    """Fold what discovery left out into the result: its counts into ``skipped``/``skip_reasons``, a
    notice per directory it could not read.  Returns the unreadable directories named on the command
    line (they join ``named``, so the exit status is 2)."""
    unreadable_named = set()
    for reason, n in left_out.files.items():
        result.skip_reasons[reason] = result.skip_reasons.get(reason, 0) + n
        result.skipped += n
    for shown, message, was_named in left_out.unreadable:
        result.notices.append(Notice(shown, "unreadable", message))
        if was_named:
            named.add(shown)
            unreadable_named.add(shown)
    result.notices.sort(key=lambda x: x.sort_key())
    return unreadable_named


def _skip_summary(result: RunResult) -> str:
    """``88 skipped: 80 generated, 8 vendored (--include-generated, --include-vendor lint them)``; adds a
    summary notice per reason that has no notice per file (the JSON and SARIF reports show notices)."""
    reasons = sorted(result.skip_reasons.items(), key=lambda kv: (-kv[1], list(SKIP_LABELS).index(kv[0])
                                                                  if kv[0] in SKIP_LABELS else 99))
    parts = ["%d %s" % (n, SKIP_LABELS.get(why, why)) for why, n in reasons]
    flags = [SKIP_OPTION[why] for why, _ in reasons if why in SKIP_OPTION]
    text = "%d skipped: %s" % (result.skipped, ", ".join(parts))
    if flags:
        text += " (%s lint%s them)" % (", ".join(flags), "" if len(flags) > 1 else "s")
    return text


def _skip_notices(result: RunResult) -> None:
    """One notice per skip reason that has no notice per file (generated, vendored...), for the JSON and
    SARIF reports; the text output says it in the summary line."""
    for why, n in sorted(result.skip_reasons.items()):
        if why not in SKIP_SUMMARY_NOTICE:
            continue
        how = " (%s lints %s)" % (SKIP_OPTION[why], "it" if n == 1 else "them") if why in SKIP_OPTION else ""
        result.notices.append(Notice("", "skipped", "skipped %d file%s: %s%s" % (
            n, "" if n == 1 else "s", SKIP_LABELS[why], how), level="note"))


def _check_flags(args) -> None:
    """--select, --ignore and --go-version are checked up front (even with no files to lint), naming the
    flag; the configuration files' values were checked when they were read (naming the file and key)."""
    for flag, values in (("--select", args.select), ("--ignore", args.ignore)):
        try:
            if values:
                select_rules(_csv(values), None) if flag == "--select" else select_rules(None, _csv(values))
        except ValueError as exc:
            raise UsageError("%s: %s" % (flag, exc))
    if args.go_version is not None:
        try:
            goversion.parse_lang(args.go_version)
        except ValueError as exc:
            raise UsageError("--go-version: %s" % exc)


class _PerConfig:
    """Settings, engine options and discovery options for each configuration (memoised): the
    command line over the configuration file over the defaults."""

    def __init__(self, args, resolver: config_mod.Resolver):
        self.args = args
        self.resolver = resolver
        self._settings: dict = {}
        self._options: dict = {}
        self._discover: dict = {}

    def _where(self, conf: config_mod.Config) -> str:
        return "" if conf is self.resolver.cwd_config or conf.path is None else "%s: " % conf.path

    def settings(self, conf: config_mod.Config) -> dict:
        if id(conf) not in self._settings:
            self._settings[id(conf)] = _settings(self.args, conf.data)
        return self._settings[id(conf)]

    def options(self, conf: config_mod.Config) -> Options:
        if id(conf) not in self._options:
            s = self.settings(conf)
            try:
                if s["go_version"] is not None:
                    goversion.parse_lang(s["go_version"])
                rules = select_rules(s["select"], s["ignore"])
            except ValueError as exc:
                raise UsageError(self._where(conf) + str(exc))
            self._options[id(conf)] = Options(
                rule_ids=tuple(r.id for r in rules), go_version=s["go_version"],
                report_unused=bool(s["report_unused"]), include_generated=bool(s["include"]["generated"]),
                environ=environ_options(), test_files=s["test_files"], file_timeout=s["file_timeout"],
                max_file_size=int(s["max_file_size"] * 1e6))
        return self._options[id(conf)]

    def discover_options(self, conf: config_mod.Config) -> DiscoverOptions:
        if id(conf) not in self._discover:
            s = self.settings(conf)
            self._discover[id(conf)] = DiscoverOptions(
                include_vendor=s["include"]["vendor"], include_testdata=s["include"]["testdata"],
                include_hidden=s["include"]["hidden"], exclude=tuple(s["exclude"]),
                force_exclude=bool(s["force_exclude"]), rooted_exclude=conf.rooted_exclude)
        return self._discover[id(conf)]


def _lint_groups(files, options_of: dict, jobs: int, cache_dir, progress, profile: bool) -> RunResult:
    """Lint the files in groups of equal options (one per configuration in effect) and merge."""
    groups: dict = {}
    for p, shown in files:
        groups.setdefault(options_of[shown], []).append((str(p), shown))
    if len(groups) <= 1:
        options = next(iter(groups), None) or Options(rule_ids=())
        return lint_files(groups.get(options, []), options, jobs=jobs, cache_dir=cache_dir, progress=progress,
                          profile=profile)
    total, offset, parts = len(files), 0, []
    for options, group in groups.items():
        def step(done, _total, base=offset):
            if progress:
                progress(base + done, total)
        parts.append(lint_files(group, options, jobs=jobs, cache_dir=cache_dir, progress=step, profile=profile))
        offset += len(group)
    timings = None
    if profile:
        timings = {}
        for part in parts:
            for k, v in (part.timings or {}).items():
                timings[k] = timings.get(k, 0.0) + v
    return RunResult(sorted((f for part in parts for f in part.findings), key=lambda f: f.sort_key()),
                     sorted((n for part in parts for n in part.notices), key=lambda n: n.sort_key()),
                     sum(part.files for part in parts), sum(part.skipped for part in parts),
                     cached=sum(part.cached for part in parts), timings=timings,
                     skip_reasons=_merged_counts(part.skip_reasons for part in parts))


def _merged_counts(dicts) -> dict:
    out: dict = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return out


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def main(argv: Optional[List[str]] = None) -> int:
    as_program = argv is None  # the goexplint command itself (not a caller in the same process)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["lsp"]:  # the language server (lint a directory named lsp as ./lsp)
        from goexplint.integrations import lsp

        return lsp.main(argv[1:])
    previous = _catch_first_sigint()
    with gc_for_batch():
        code = _main(argv)
    if code == 130 and as_program:
        # Interrupted: leave now.  Interpreter shutdown resets SIGINT to its default, so a second
        # Ctrl-C arriving during it would kill the process by signal instead of exiting with 130.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(130)
    if previous is not None:
        signal.signal(signal.SIGINT, previous)
    return code


def _first_sigint(signum, frame):
    """The first Ctrl-C: from now on a second one exits at once (even while the first is still being
    unwound, which Python's default handler would turn into a traceback or a death by signal)."""
    exit_now_on_sigint()
    raise KeyboardInterrupt


def _catch_first_sigint():
    """Install :func:`_first_sigint` (main thread only); returns the handler to restore, or None."""
    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        return signal.signal(signal.SIGINT, _first_sigint)
    except (ValueError, OSError):
        return None


def _main(argv: List[str]) -> int:
    try:
        return run(argv)
    except (UsageError, baseline.BaselineError) as exc:
        sys.stderr.write("goexplint: error: %s\n" % exc)
        return 2
    except config_mod.ConfigError as exc:
        sys.stderr.write("goexplint: config error: %s\n" % exc)
        return 2
    except KeyboardInterrupt:
        exit_now_on_sigint()
        sys.stderr.write("goexplint: interrupted\n")
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 2
    except Exception as exc:  # never a traceback for users; GOEXPLINT_DEBUG=1 shows it
        if os.environ.get("GOEXPLINT_DEBUG"):
            raise
        sys.stderr.write("goexplint: internal error: %s: %s (set GOEXPLINT_DEBUG=1 for details)\n"
                         % (type(exc).__name__, exc))
        return 2
