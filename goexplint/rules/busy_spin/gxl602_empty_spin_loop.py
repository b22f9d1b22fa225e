"""GXL602: ``for {}`` and ``for cond {}`` with an empty body."""

from goexplint.core.parse import captures


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
    calls = captures("(call_expression) @c", cond).get("c", [])
    if not calls:
        yield match.finding(loop, confidence="medium", what="this loop",
                            race=", and reading a variable another goroutine writes without synchronisation "
                                 "is a data race")
    elif all(_is_atomic_load(ctx, c) for c in calls):
        yield match.finding(loop, confidence="medium", severity="note", what="this loop", race="")
    # any other call in the condition does the loop's work (for sweepone() != done {}): not a spin


def _is_atomic_load(ctx, call):
    """``x.Load()`` (atomic types) or ``atomic.LoadT(&x)``."""
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return False
    field = fn.child_by_field_name("field").text
    operand = fn.child_by_field_name("operand")
    if field == b"Load":
        return True
    return field.startswith(b"Load") and operand is not None and operand.type == "identifier" \
        and ctx.imports.get(operand.text.decode()) == "sync/atomic"
