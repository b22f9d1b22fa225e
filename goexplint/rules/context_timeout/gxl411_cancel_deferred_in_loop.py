"""GXL411: defer cancel() in a loop body, cancel from a context.With* call in the same iteration."""

from goexplint.analysis.ctxflow import (CONTEXT, WITH_CANCEL, decl_ident_of, enclosing_function, package_member,
                                        result_targets)
from goexplint.core.parse import captures
from goexplint.analysis.syntax import enclosing_loops, node_text


def refine(match, ctx):
    defer = match["defer"]
    callee = match["callee"]
    if callee.type == "identifier":
        idents = [callee]
    else:  # defer func() { cancel() }()
        body = callee.child_by_field_name("body")
        idents = [c.child_by_field_name("function") for c in captures("(call_expression) @c", body).get("c", [])]
        idents = [i for i in idents if i is not None and i.type == "identifier"]
    loop = next(enclosing_loops(defer), None)
    if loop is None:
        return
    loop_body = loop.child_by_field_name("body")
    for ident in idents:
        decl = decl_ident_of(ident)
        if decl is None:
            continue
        with_call = _with_call_in(ctx, loop_body, decl)
        if with_call is not None:
            fn_name = node_text(with_call.child_by_field_name("function").child_by_field_name("field")) \
                if with_call.child_by_field_name("function").type == "selector_expression" \
                else node_text(with_call.child_by_field_name("function"))
            yield match.finding(defer, related=((with_call, "created here, once per iteration"),),
                                evidence="loop at L%d" % (loop.start_point[0] + 1), cancel=node_text(ident),
                                fn=fn_name)
            return


def _with_call_in(ctx, loop_body, decl):
    fn = enclosing_function(loop_body)
    for call in captures("(call_expression) @c", loop_body).get("c", []):
        if enclosing_function(call) != fn:
            continue
        if not package_member(ctx, call.child_by_field_name("function"), CONTEXT, WITH_CANCEL):
            continue
        _, targets = result_targets(call)
        if len(targets) == 2 and targets[1].type == "identifier" and decl_ident_of(targets[1]) == decl:
            return call
    return None
