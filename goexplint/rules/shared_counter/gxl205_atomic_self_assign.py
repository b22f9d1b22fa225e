"""GXL205: ``x = atomic.AddInt64(&x, d)`` -- the atomic result stored back with a plain write."""

import re

from goexplint.analysis.syntax import package_selector, resolve, scopes, unparen
from goexplint.analysis.locks import normalise
from goexplint.core.parse import node_text

REQUIRES = (scopes,)

ATOMIC = "sync/atomic"
# read-modify-write functions: Add* returns the new value, Swap*/And*/Or* the old one; stored back, each is a
# plain write of the atomically updated variable
_ADD = re.compile(r"^(?:Add|Swap|And|Or)[A-Z]\w*$")


def _atomic_add(ctx, call):
    """The written callee (``atomic.AddInt64``) when ``call`` calls a sync/atomic ``Add*`` function."""
    fn = unparen(call.child_by_field_name("function"))
    if fn is None:
        return None
    if fn.type == "selector_expression":
        field = fn.child_by_field_name("field")
        operand = fn.child_by_field_name("operand")
        if field is not None and _ADD.match(node_text(field)) and package_selector(ctx, operand, ATOMIC):
            return "%s.%s" % (node_text(operand), node_text(field))
    elif fn.type == "identifier" and _ADD.match(node_text(fn)) and "." + ATOMIC in ctx.imports \
            and resolve(fn) is None:
        return node_text(fn)  # import . "sync/atomic"
    return None


def refine(match, ctx):
    call, lhs, right = match["call"], match["lhs"], match["call"].parent
    targets, values = lhs.named_children, right.named_children
    if len(targets) != len(values) or call not in values:
        return
    target = targets[values.index(call)]
    callee = _atomic_add(ctx, call)
    args = call.child_by_field_name("arguments")
    if callee is None or args is None or not args.named_children:
        return
    first = unparen(args.named_children[0])
    same = False
    if first.type == "unary_expression" and node_text(first).startswith("&"):
        same = normalise(first.child_by_field_name("operand")) == normalise(target)
    else:
        star = unparen(target)
        if star.type == "unary_expression" and node_text(star).startswith("*"):
            same = normalise(star.child_by_field_name("operand")) == normalise(first)
    if same:
        shown = normalise(target)
        yield match.finding(match["assign"], related=((call, "the atomic update of %s" % shown),),
                            evidence=ctx.text(match["assign"]), target=shown, call=callee)
