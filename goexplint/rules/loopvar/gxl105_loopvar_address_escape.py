"""GXL105: ``&v`` of a ``:=`` loop variable stored outside the loop or sent on a channel (also through
conversions, a loop-local holder, and same-package calls whose summary keeps the pointer), and the
implicit ``&v`` of a pointer-receiver method whose summary lets the receiver escape."""

from goexplint.analysis.syntax import file_loop_var_names, loop_var_names, loop_vars, root_identifier, scopes
from goexplint.analysis.types import selection
from goexplint.analysis.package import model
from goexplint.analysis.summaries import summaries
from goexplint.rules.loopvar._capture import address_escape, capture_finding, implicit_address_escape

REQUIRES = (model, summaries, selection, loop_var_names, loop_vars, scopes)


def refine(match, ctx):
    call = match["method_call"]
    if call is not None:
        hit = implicit_address_escape(ctx, call, "declared")
        if hit is not None:
            operand, loop, how, confidence = hit
            yield capture_finding(match, operand, loop, None, "", at=call, how=how, confidence=confidence)
        return
    amp = match["amp"]
    if root_identifier(amp.child_by_field_name("operand")).text not in file_loop_var_names(ctx):
        return
    hit = address_escape(ctx, amp, "declared")
    if hit is not None:
        operand, loop, how, confidence = hit
        yield capture_finding(match, operand, loop, None, "", at=amp, how=how, confidence=confidence)
