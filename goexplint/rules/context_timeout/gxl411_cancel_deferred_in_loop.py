"""GXL411: defer cancel() in a loop body, cancel from a context.With* call in the same iteration."""

import re

from goexplint.analysis.syntax import enclosing_function, enclosing_loops, is_ancestor, package_member, scopes
from goexplint.analysis.values import decl_ident_of, references, result_targets
from goexplint.core.parse import captures, node_text
from goexplint.rules.context_timeout._support import CONTEXT, WITH_CANCEL

REQUIRES = (scopes,)


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
        with_call = _with_call_in(ctx, loop_body, decl, defer)
        if with_call is not None:
            _, targets = result_targets(with_call)
            ctx_var = targets[0] if targets and targets[0].type == "identifier" else None
            if ctx_var is not None and _outlives(loop_body, decl_ident_of(ctx_var)):
                return  # the watch/stream made with this context is used after the iteration
            fn_name = node_text(with_call.child_by_field_name("function").child_by_field_name("field")) \
                if with_call.child_by_field_name("function").type == "selector_expression" \
                else node_text(with_call.child_by_field_name("function"))
            yield match.finding(defer, related=((with_call, "created here, once per iteration"),),
                                evidence="loop at L%d" % (loop.start_point[0] + 1), cancel=node_text(ident),
                                fn=fn_name)
            return


ERR_NAME = re.compile(rb"^err$|Err$|^err[A-Z0-9]|Error$")


def _outlives(loop_body, decl, depth=0):
    """A value made from the local ``decl`` (the iteration's context, or a watch/stream built with it)
    leaves the iteration: stored in a variable declared outside the loop body, in an element or a field,
    appended to such, sent on a channel, or used by a goroutine launched in the loop.  Cancelling at the
    end of the iteration would then break it, so the deferred cancel is what the code needs."""
    if decl is None or depth > 2:
        return False
    for ref in references(loop_body, decl):
        n = ref.parent
        while n is not None and n != loop_body:
            if n.type == "go_statement":
                return True
            if n.type == "send_statement" and is_ancestor(n.child_by_field_name("value"), ref):
                return True
            if n.type in ("assignment_statement", "short_var_declaration") \
                    and is_ancestor(n.child_by_field_name("right"), ref):
                for target in n.child_by_field_name("left").named_children:
                    if target.type != "identifier":
                        return True  # watches[i] = …, s.stream = …
                    if target.text == b"_" or ERR_NAME.search(target.text):
                        continue  # an error result does not carry the context
                    tdecl = decl_ident_of(target)
                    if tdecl is None or not is_ancestor(loop_body, tdecl):
                        return True  # a variable of the enclosing scope
                    if tdecl != decl and _outlives(loop_body, tdecl, depth + 1):
                        return True
                break
            if n.type in ("expression_statement", "return_statement", "if_statement", "for_statement",
                          "defer_statement"):
                break
            n = n.parent
    return False


def _with_call_in(ctx, loop_body, decl, defer):
    """The ``context.With*`` call of this iteration whose cancel ``defer`` defers: of the calls in the loop
    body (not in a nested func literal) that assign the cancel variable ``decl``, the last one before the
    ``defer`` (the value it evaluates), else the first one.  Chosen by byte offset, so the related
    location is the same on every run whatever order the candidates are found in."""
    fn = enclosing_function(loop_body)
    before = after = None
    for call in captures("(call_expression) @c", loop_body).get("c", []):
        if enclosing_function(call) != fn:
            continue
        if not package_member(ctx, call.child_by_field_name("function"), CONTEXT, WITH_CANCEL):
            continue
        _, targets = result_targets(call)
        if len(targets) == 2 and targets[1].type == "identifier" and decl_ident_of(targets[1]) == decl:
            if call.start_byte < defer.start_byte:
                if before is None or call.start_byte > before.start_byte:
                    before = call
            elif after is None or call.start_byte < after.start_byte:
                after = call
    return before if before is not None else after
