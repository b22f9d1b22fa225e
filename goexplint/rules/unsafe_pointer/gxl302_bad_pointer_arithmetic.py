"""GXL302: pointer arithmetic inside unsafe.Pointer(...) outside the shape pattern (3) allows."""

from goexplint.analysis.syntax import scopes, unparen
from goexplint.rules.unsafe_pointer._support import (PATTERN_OPS, add_advice, declaration, imports_unsafe,
                                                     is_pointer_conversion, is_pointer_expr, is_pointer_uintptr,
                                                     package_facts, short, spine, uintptr_conversion_arg,
                                                     uintptr_evidence, unsafe_func)

REQUIRES = (declaration, package_facts, scopes)


def _is_nil_pointer(ctx, node):
    node = unparen(node)
    if unsafe_func(ctx, node) != "Pointer":
        return False
    args = node.child_by_field_name("arguments").named_children
    return len(args) == 1 and unparen(args[0]).type == "nil"


def _text(ctx, node):
    return "".join(ctx.text(unparen(node)).split())


def _end_of_object(ctx, base_ptr, op, operand):
    """``&s`` + ``unsafe.Sizeof(s)``, ``&b[0]`` + ``uintptr(len(b))`` (or ``cap``, or times a Sizeof)."""
    if op != "+" or unsafe_func(ctx, base_ptr) != "Pointer":
        return None
    args = base_ptr.child_by_field_name("arguments").named_children
    amp = unparen(args[0]) if len(args) == 1 else None
    if amp is None or amp.type != "unary_expression" or amp.child_by_field_name("operator").type != "&":
        return None
    target = unparen(amp.child_by_field_name("operand"))
    operand = unparen(operand)
    if unsafe_func(ctx, operand) == "Sizeof" and target.type != "index_expression":
        sargs = operand.child_by_field_name("arguments").named_children
        if len(sargs) == 1 and _text(ctx, sargs[0]) == _text(ctx, target):
            return "unsafe.Sizeof(%s)" % _text(ctx, target)
    if target.type == "index_expression" and _text(ctx, target.child_by_field_name("index")) == "0":
        seq = _text(ctx, target.child_by_field_name("operand"))
        factors = [operand]
        if operand.type == "binary_expression" and operand.child_by_field_name("operator").type == "*":
            factors = [unparen(operand.child_by_field_name("left")),
                       unparen(operand.child_by_field_name("right"))]
        for f in factors:
            inner = uintptr_conversion_arg(f)
            text = _text(ctx, inner if inner is not None else f)
            if text in ("len(%s)" % seq, "cap(%s)" % seq):
                return text
    return None


def applies(ctx):
    """Every finding is an unsafe.Pointer call (``unsafe_func``): only in files that import unsafe."""
    return imports_unsafe(ctx)


def refine(match, ctx):
    conv = match["conv"]
    if not is_pointer_conversion(ctx, conv):
        return
    arg = unparen(match["arg"])
    base, steps = spine(arg)
    if not steps or base is None or uintptr_evidence(ctx, base) is not None:
        return  # no arithmetic, or a stored uintptr (GXL301)
    base_ptr = uintptr_conversion_arg(base)
    problem = why = None
    confidence = None
    if base_ptr is not None and _is_nil_pointer(ctx, base_ptr):
        problem = "arithmetic on unsafe.Pointer(nil)"
        why = "the result must point into the allocation the original pointer points into, and nil points into none"
    elif base_ptr is not None and is_pointer_expr(ctx, base_ptr):
        bad_op = next((op for op, _ in steps if op not in PATTERN_OPS), None)
        second = next((operand for _, operand in steps if is_pointer_uintptr(ctx, operand)), None)
        end = _end_of_object(ctx, unparen(base_ptr), *steps[0]) if len(steps) == 1 else None
        if bad_op is not None:
            problem = "the %s operator is applied to a pointer-derived uintptr" % bad_op
            why = "only adding or subtracting an offset, or rounding with &^, keeps the value a pointer into the " \
                  "same allocation"
        elif second is not None:
            problem = "two pointer-derived operands (%s and %s) are combined" % (
                short(ctx, base, 24), short(ctx, second, 24))
            why = "the result must be derived from exactly one pointer plus an offset"
        elif end is not None:
            problem = "the offset %s is the full size of the object, so the result points just past its end" % end
            why = "it is not valid to advance a pointer just beyond the end of its original allocation"
            confidence = "low"
    else:
        first = next((operand for _, operand in steps if is_pointer_uintptr(ctx, operand)), None)
        if first is not None:
            problem = "the pointer-derived operand %s is not the left operand" % short(ctx, first, 32)
            why = "the pointer must come first: unsafe.Pointer(uintptr(p) + offset)"
    if problem is None:
        return
    yield match.finding(conv, confidence=confidence, evidence=problem, expr=short(ctx, arg), problem=problem,
                        why=why, remedy=add_advice(ctx))
