"""Stage 7: reporters.  Each ``render(result, rules, opts) -> str``."""

from __future__ import annotations

import importlib

from goexplint.report.common import ReportOptions, fingerprints  # noqa: F401

# format -> (module of goexplint.report, its render function)
FORMATS = {"text": ("text", "render"), "json": ("json_report", "render"), "sarif": ("sarif", "render"),
           "github": ("ci", "render_github"), "gitlab": ("ci", "render_gitlab"), "junit": ("ci", "render_junit"),
           "checkstyle": ("ci", "render_checkstyle")}


def reporter(fmt: str):
    """The render function of one format, importing only its module (a pre-commit run of one file
    writes text: the SARIF, XML and CI writers are not loaded for it)."""
    module, name = FORMATS[fmt]
    return getattr(importlib.import_module("goexplint.report." + module), name)


def reporters():
    return {fmt: reporter(fmt) for fmt in FORMATS}
