"""GXL407: the cancel function of context.With* is not used on every path (vet lostcancel, without types)."""

from goexplint.analysis.syntax import (enclosing_function, is_ancestor, is_named_result, package_member, scopes,
                                       top_level_names)
from goexplint.analysis.cfg import no_return_functions
from goexplint.analysis.values import decl_ident_of, references, result_targets
from goexplint.core.parse import node_text, package_clause
from goexplint.rules.context_timeout._cancel import CancelWalk, conditional_deferred_cancel, lost_in_fields, read_fields
from goexplint.rules.context_timeout._support import CONTEXT, WITH_CANCEL
from goexplint.analysis.package import model

REQUIRES = (model, no_return_functions, read_fields, scopes, top_level_names)


def refine(match, ctx):
    call = match["call"]
    name = package_member(ctx, match["fn"], CONTEXT, WITH_CANCEL)
    if name is None:
        return
    stmt, targets = result_targets(call)
    if stmt is None or len(targets) != 2:
        return
    ident = targets[1]
    fn = enclosing_function(call)
    if fn is None:
        return
    if ident.type == "selector_expression":
        # ctx, x.cancel = context.With…(…): lost when nothing in the package reads the field
        lost = lost_in_fields(ctx, ident, [])
        if lost is not None:
            yield _field_finding(match, call, name, lost)
        return
    if ident.type != "identifier" or ident.text == b"_":
        return  # stored in an index expression (a use), or discarded (GXL406)
    if fn.type == "function_declaration" and node_text(fn.child_by_field_name("name")) == "main" \
            and package_clause(ctx.root) == "main":
        return  # returning from main.main ends the process
    decl = decl_ident_of(ident)
    if decl is None or not is_ancestor(fn, decl):
        return  # declared outside this function: other uses are assumed (as vet does)
    if enclosing_function(decl) != fn:
        return
    def_stmt = stmt
    later = [r for r in references(fn, decl) if r.start_byte > def_stmt.end_byte]
    # Package-wide and closure checks beside the path walk (they need no paths of this function).
    lost = lost_in_fields(ctx, None, later) if later and not is_named_result(fn, decl.text) else None
    if lost is not None:
        yield _field_finding(match, call, name, lost)
        return
    context_var = targets[0] if targets[0].type == "identifier" and targets[0].text != b"_" else None
    deferred = conditional_deferred_cancel(ctx, fn, later, decl_ident_of(context_var) if context_var else None)
    if deferred is not None and not is_named_result(fn, decl.text):
        cancel = node_text(ident)
        yield match.finding(call, related=((deferred, "%s is called only on some paths of this deferred closure"
                                            % cancel),), confidence="medium",
                            evidence="conditional cancel in deferred closure at L%d" % (deferred.start_point[0] + 1),
                            problem="the %s function returned by context.%s is called only on some paths of the "
                                    "deferred closure on line %d, while the context outlives the function"
                                    % (cancel, name, deferred.start_point[0] + 1), cancel=cancel, fn=name)
        return
    walk = CancelWalk(ctx, fn, def_stmt, decl, is_named_result(fn, decl.text))
    leaks = walk.run()
    if not leaks:
        return
    cancel = node_text(ident)
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


def _field_finding(match, call, name, lost):
    field, where = lost
    return match.finding(call, related=((where, "stored in field %s here" % field),), confidence="medium",
                         evidence="field %s is never read in the package" % field,
                         problem="the cancel function returned by context.%s is stored in field %s, which no code "
                                 "in the package calls (or reads)" % (name, field), cancel=field, fn=name)
