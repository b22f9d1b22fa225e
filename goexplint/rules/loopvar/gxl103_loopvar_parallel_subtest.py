"""GXL103: loop variables referenced after ``t.Parallel()`` in a ``t.Run`` literal inside the loop."""

from goexplint.analysis.syntax import loop_vars, scopes
from goexplint.core.parse import node_text
from goexplint.rules.loopvar._capture import capture_finding, captured_refs, loops_with

REQUIRES = (loop_vars, scopes)


def _testing_t_param(ctx, lit):
    """Name of the literal's first parameter when its type is ``*testing.T`` (any import name)."""
    params = lit.child_by_field_name("parameters")
    decls = [p for p in params.named_children if p.type == "parameter_declaration"] if params else []
    if not decls:
        return None
    typ = decls[0].child_by_field_name("type")
    if typ is None or typ.type != "pointer_type":
        return None
    qual = typ.named_children[0] if typ.named_children else None
    if qual is None or qual.type != "qualified_type":
        return None
    pkg = qual.child_by_field_name("package")
    name = qual.child_by_field_name("name")
    if pkg is None or name is None or name.text != b"T" or ctx.imports.get(node_text(pkg)) != "testing":
        return None
    ident = decls[0].child_by_field_name("name")
    return ident.text if ident is not None else None


def _parallel_stmt(body, tname):
    lists = [c for c in body.named_children if c.type == "statement_list"]
    stmts = lists[0].named_children if lists else []
    for stmt in stmts:
        if stmt.type != "expression_statement" or not stmt.named_children:
            continue
        call = stmt.named_children[0]
        fn = call.child_by_field_name("function") if call.type == "call_expression" else None
        if fn is not None and fn.type == "selector_expression":
            recv = fn.child_by_field_name("operand")
            if recv.text == tname and fn.child_by_field_name("field").text == b"Parallel":
                return stmt
    return None


def refine(match, ctx):
    call, lit = match["launch"], match["closure"]
    tname = _testing_t_param(ctx, lit)
    if tname is None:
        return
    body = lit.child_by_field_name("body")
    par = _parallel_stmt(body, tname)
    if par is None:
        return
    for loop in loops_with(ctx, call, "declared"):
        for ref in captured_refs(ctx, lit, loop, "declared"):
            if ref.start_byte >= par.end_byte:
                yield capture_finding(match, ref, loop, par, "t.Parallel() call")
