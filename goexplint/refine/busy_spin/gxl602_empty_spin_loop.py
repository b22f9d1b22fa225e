"""GXL602: ``for {}`` and ``for cond {}`` with an empty body."""

from goexplint.parse import captures


def refine(match, ctx):
    loop = match["loop"]
    body = match["body"]
    if any(c.type != "comment" for c in body.named_children):
        return
    clauses = [c for c in loop.named_children if c != body and c.type != "comment"]
    if any(c.type in ("for_clause", "range_clause") for c in clauses):
        return
    if not clauses:
        yield match.finding(loop, what="for {}", race="")
        return
    cond = clauses[0]
    atomic_load = any(f.text == b"Load" for f in captures(
        "(call_expression function: (selector_expression field: (field_identifier) @f))", cond).get("f", []))
    if atomic_load:
        yield match.finding(loop, confidence="medium", severity="note", what="this loop", race="")
    else:
        yield match.finding(loop, confidence="medium", what="this loop",
                            race=", and reading a variable another goroutine writes without synchronisation "
                                 "is a data race")
