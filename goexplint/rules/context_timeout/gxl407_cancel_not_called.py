"""GXL407: the cancel function of context.With* is not used on every path (vet lostcancel, without types)."""

from goexplint.analysis.ctxflow import (CONTEXT, WITH_CANCEL, CancelWalk, decl_ident_of, enclosing_function,
                                        is_named_result, package_member, package_name, references, result_targets)
from goexplint.analysis.syntax import is_ancestor, node_text


def refine(match, ctx):
    call = match["call"]
    name = package_member(ctx, match["fn"], CONTEXT, WITH_CANCEL)
    if name is None:
        return
    stmt, targets = result_targets(call)
    if stmt is None or len(targets) != 2:
        return
    ident = targets[1]
    if ident.type != "identifier" or ident.text == b"_":
        return  # stored in a field / index expression (a use), or discarded (GXL406)
    fn = enclosing_function(call)
    if fn is None:
        return
    if fn.type == "function_declaration" and node_text(fn.child_by_field_name("name")) == "main" \
            and package_name(ctx) == "main":
        return  # returning from main.main ends the process
    decl = decl_ident_of(ident)
    if decl is None or not is_ancestor(fn, decl):
        return  # declared outside this function: other uses are assumed (as vet does)
    if enclosing_function(decl) != fn:
        return
    def_stmt = stmt
    walk = CancelWalk(ctx, fn, def_stmt, decl, is_named_result(fn, decl.text))
    leaks = walk.run()
    if not leaks:
        return
    cancel = node_text(ident)
    later = [r for r in references(fn, decl) if r.start_byte > def_stmt.end_byte]
    confidence = "medium" if later else "high"
    line = call.start_point[0] + 1
    related = tuple((r, "reached without using %s" % cancel) for r in leaks)
    problem = "the %s function returned by context.%s is not used on every path" % (cancel, name)
    if not later:
        problem = "the %s function returned by context.%s is never used" % (cancel, name)
    yield match.finding(call, related=related, confidence=confidence, evidence="%d leaking exit(s)" % len(leaks),
                        problem=problem, cancel=cancel, fn=name)
    for ret in leaks:
        where = "this return" if ret.type == "return_statement" else "the end of the function"
        yield match.finding(ret, related=((call, "context.%s here" % name),), confidence=confidence,
                            problem="%s is reached without using %s from context.%s on line %d"
                            % (where, cancel, name, line), cancel=cancel, fn=name)
