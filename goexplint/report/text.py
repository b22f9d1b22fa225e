r"""Text reporter: ``path:line:col: GXL101 message [severity]`` (1-based line, 1-based byte column, as
go vet).  The severity (error, warning or note) closes the line in brackets, so the
``path:line:col: GXL101`` prefix stays what tools already match and a problem matcher can read
the level with ``\[(error|warning|note)\]$``."""

from __future__ import annotations


def render(result, rules, opts) -> str:
    lines = []
    for f in result.findings:
        if f.suppressed is not None:
            continue
        lines.append("%s:%d:%d: %s %s [%s]" % (f.path, f.line, f.col, f.rule_id, f.message, f.severity))
        if opts.show_source and f.line_text:
            lines.append("    " + f.line_text.expandtabs(4))
            prefix = f.line_text.encode("utf-8")[:f.span.start.col].decode("utf-8", "replace").expandtabs(4)
            width = max(1, (f.span.end.col - f.span.start.col) if f.span.end.row == f.span.start.row else 1)
            lines.append("    " + " " * len(prefix) + "^" * min(width, 80))
    return "\n".join(lines) + ("\n" if lines else "")
