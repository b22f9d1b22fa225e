r"""Text reporter: ``path:line:col: GXL101 message [severity]`` (1-based line, 1-based byte column, as
go vet).  The severity (error, warning or note) closes the line in brackets, so the
``path:line:col: GXL101`` prefix stays what tools already match and a problem matcher can read
the level with ``\[(error|warning|note)\]$``.

The message on that line is the finding's short first line (``common.summary``, at most 100
characters); ``--show-source`` adds the source line, a caret and, when the summary leaves something
out, the whole message wrapped below it."""

from __future__ import annotations

import textwrap

from goexplint.report.common import SUMMARY_LIMIT, detail, summary


def render(result, rules, opts) -> str:
    lines = []
    for f in result.findings:
        if f.suppressed is not None:
            continue
        lines.append("%s:%d:%d: %s %s [%s]" % (f.path, f.line, f.col, f.rule_id, summary(f.message), f.severity))
        if not opts.show_source:
            continue
        if f.line_text:
            lines.append("    " + f.line_text.expandtabs(4))
            prefix = f.line_text.encode("utf-8")[:f.span.start.col].decode("utf-8", "replace").expandtabs(4)
            width = max(1, (f.span.end.col - f.span.start.col) if f.span.end.row == f.span.start.row else 1)
            lines.append("    " + " " * len(prefix) + "^" * min(width, 80))
        more = detail(f.message)
        if more:  # the whole message, wrapped to the width of the first line
            lines += textwrap.wrap(" ".join(more.split()), SUMMARY_LIMIT, initial_indent="    ",
                                   subsequent_indent="    ", break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines) + ("\n" if lines else "")
