"""Stage 7: reporters.  Each ``render(result, rules, opts) -> str``."""

from __future__ import annotations

from goexplint.report.common import ReportOptions, fingerprints  # noqa: F401


def reporters():
    from goexplint.report import ci, json_report, sarif, text

    return {"text": text.render, "json": json_report.render, "sarif": sarif.render, "github": ci.render_github,
            "gitlab": ci.render_gitlab, "junit": ci.render_junit, "checkstyle": ci.render_checkstyle}
