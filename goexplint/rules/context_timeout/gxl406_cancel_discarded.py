"""GXL406: the cancel function of a context.With{Cancel,Timeout,Deadline}[Cause] call is discarded."""

from goexplint.analysis.syntax import outside_parens, package_member, scopes, top_level_names, unparen
from goexplint.analysis.values import result_targets
from goexplint.rules.context_timeout._support import CONTEXT, WITH_CANCEL

REQUIRES = (scopes, top_level_names)


def refine(match, ctx):
    call = match["call"]
    name = package_member(ctx, match["fn"], CONTEXT, WITH_CANCEL)
    if name is None:
        return
    outer = outside_parens(call)[0]
    if outer.parent is not None and outer.parent.type == "expression_statement" \
            and unparen(outer.parent.named_children[0]) == call:
        yield match.finding(call, evidence="call used as a statement", fn=name,
                            how="dropped (the call is a statement)")
        return
    stmt, targets = result_targets(call)
    if stmt is None or len(targets) != 2:
        return
    blank = targets[1]
    if blank.type == "identifier" and blank.text == b"_":
        how = "assigned to _" if targets[0].text != b"_" else "assigned to _ (and so is the context)"
        yield match.finding(call, related=((blank, "cancel function discarded here"),),
                            evidence="cancel position is _", fn=name, how=how)
