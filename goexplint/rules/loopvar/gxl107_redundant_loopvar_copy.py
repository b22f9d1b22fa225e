"""GXL107: ``v := v`` of a per-iteration loop variable in a Go 1.22+ file."""

from goexplint.core.data import Edit, Fix
from goexplint.analysis.syntax import loop_vars

REQUIRES = (loop_vars,)


def refine(match, ctx):
    stmt = match["copy"]
    loop = stmt.parent.parent.parent
    declared = loop_vars(ctx, loop).declared
    left = stmt.child_by_field_name("left").named_children
    right = stmt.child_by_field_name("right").named_children
    if len(left) != len(right):
        return
    copies = [lhs.text for lhs, rhs in zip(left, right)
              if lhs.type == rhs.type == "identifier" and lhs.text == rhs.text and lhs.text in declared]
    if not copies:
        return
    fixes = ()
    if len(left) == 1:
        start, end = stmt.start_byte, stmt.end_byte
        line_start = ctx.source.rfind(b"\n", 0, start) + 1
        line_end = ctx.source.find(b"\n", end)
        line_end = len(ctx.source) if line_end < 0 else line_end
        before, after = ctx.source[line_start:start], ctx.source[end:line_end]
        if not before.strip() and not after.strip():
            fixes = (Fix("Delete the redundant copy", (Edit(line_start, min(line_end + 1, len(ctx.source)), ""),)),)
        elif not before.strip() and after.lstrip().startswith(b"//"):
            # keep a trailing comment where it is, at the statement's indentation (gofmt-clean)
            comment = end + len(after) - len(after.lstrip())
            fixes = (Fix("Delete the redundant copy", (Edit(start, comment, ""),)),)
    var = copies[0].decode("utf-8", "replace")
    yield match.finding(stmt, related=((declared[copies[0]], "loop variable %s" % var),), fixes=fixes,
                        evidence="loop at L%d declares %s with :=; file is %s (%s)" % (
                            loop.start_point[0] + 1, var, ctx.go.text, ctx.go.source), var=var)
