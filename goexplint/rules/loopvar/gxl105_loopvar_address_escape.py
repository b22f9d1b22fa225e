"""GXL105: ``&v`` of a ``:=`` loop variable stored outside the loop or sent on a channel."""

from goexplint.analysis.loopcapture import address_escape, capture_finding, root_identifier
from goexplint.analysis.syntax import file_loop_var_names


def refine(match, ctx):
    amp = match["amp"]
    if root_identifier(amp.child_by_field_name("operand")).text not in file_loop_var_names(ctx):
        return
    hit = address_escape(ctx, amp, "declared")
    if hit is not None:
        operand, loop, how = hit
        yield capture_finding(match, operand, loop, None, "", at=amp, how=how)
