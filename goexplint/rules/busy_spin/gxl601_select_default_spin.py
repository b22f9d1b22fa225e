"""GXL601: ``for { select { …; default: } }`` spins."""

from goexplint.analysis.syntax import resolve, scopes, unparen
from goexplint.core.parse import captures, node_text

REQUIRES = (scopes,)

TIMER_FUNCS = ("After", "Tick")


def _is_timer_chan(ctx, expr, depth=0):
    """``time.After(d)``, ``time.Tick(d)``, ``t.C`` of a ``time.NewTimer``/``NewTicker``, or a local holding
    one of these."""
    expr = unparen(expr)
    if expr is None or depth > 2:
        return False
    if expr.type == "call_expression":
        fn = expr.child_by_field_name("function")
        if fn is not None and fn.type == "selector_expression":
            operand = fn.child_by_field_name("operand")
            return operand is not None and ctx.imports.get(node_text(operand)) == "time" \
                and node_text(fn.child_by_field_name("field")) in TIMER_FUNCS + ("NewTimer", "NewTicker")
        return False
    if expr.type == "selector_expression" and node_text(expr.child_by_field_name("field")) == "C":
        return _is_timer_chan(ctx, expr.child_by_field_name("operand"), depth + 1)
    if expr.type == "identifier":
        decl = resolve(expr)
        return decl is not None and _is_timer_chan(ctx, decl.value(), depth + 1)
    return False


def _has_timer_case(ctx, select):
    for case in select.named_children:
        if case.type != "communication_case":
            continue
        comm = case.child_by_field_name("communication")
        for recv in captures('(unary_expression operator: "<-" operand: (_) @ch)', comm).get("ch", []) \
                if comm is not None else ():
            if _is_timer_chan(ctx, recv):
                return True
    return False


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
    select = default.parent
    while select is not None and select.type != "select_statement":
        select = select.parent
    if clauses and select is not None and _has_timer_case(ctx, select):
        return  # waits for a condition, capped by a timer: without default it would stall until the timer
    confidence = None if not clauses else "medium"
    if not stmts:
        yield match.finding(default, confidence=confidence, what="empty")
    elif all(s.type == "continue_statement" and not s.named_children for s in stmts):
        yield match.finding(default, confidence="medium", what="continue-only")
    elif len(stmts) == 1 and _is_gosched(ctx, stmts[0]):
        yield match.finding(default, confidence=confidence, severity="note", what="Gosched-only")
