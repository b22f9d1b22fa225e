"""GXL601: ``for { select { …; default: } }`` spins."""

from goexplint.analysis.syntax import node_text


def _is_gosched(ctx, stmt):
    if stmt.type != "expression_statement" or not stmt.named_children:
        return False
    call = stmt.named_children[0]
    fn = call.child_by_field_name("function") if call.type == "call_expression" else None
    if fn is None or fn.type != "selector_expression":
        return False
    operand = fn.child_by_field_name("operand")
    return (node_text(fn.child_by_field_name("field")) == "Gosched" and operand is not None
            and ctx.imports.get(node_text(operand)) == "runtime")


def refine(match, ctx):
    loop = match["loop"]
    default = match["default"]
    stmts = []
    for child in default.named_children:
        if child.type == "statement_list":
            stmts = [s for s in child.named_children if s.type != "comment"]
        elif child.type != "comment":
            stmts.append(child)
    clauses = [c for c in loop.named_children if c.type not in ("block", "comment")]
    if any(c.type in ("for_clause", "range_clause") for c in clauses):
        return  # a bounded loop (for i := …; range …) polls a bounded number of times
    confidence = None if not clauses else "medium"
    if not stmts:
        yield match.finding(default, confidence=confidence, what="empty")
    elif all(s.type == "continue_statement" and not s.named_children for s in stmts):
        yield match.finding(default, confidence="medium", what="continue-only")
    elif len(stmts) == 1 and _is_gosched(ctx, stmts[0]):
        yield match.finding(default, confidence=confidence, severity="note", what="Gosched-only")
