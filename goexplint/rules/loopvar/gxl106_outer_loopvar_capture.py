"""GXL106: GXL101/102/105 for loop variables declared outside the loop (``for v = range``), any Go version."""

from goexplint.analysis.syntax import file_loop_var_names, loop_var_names, loop_vars, root_identifier, scopes
from goexplint.analysis.goroutines import launch_of, literal_sync_facts
from goexplint.analysis.types import selection
from goexplint.analysis.package import model
from goexplint.analysis.summaries import summaries
from goexplint.rules.loopvar._capture import address_escape, capture_finding, implicit_address_escape, launch_captures

REQUIRES = (model, summaries, selection, literal_sync_facts, loop_var_names, loop_vars, scopes)

WHAT = {"go": "goroutine captures", "errgroup": "errgroup goroutine captures", "defer": "deferred closure captures"}


def applies(ctx):
    """Some loop of the file assigns a variable declared outside it."""
    return bool(file_loop_var_names(ctx, outer=True))


def refine(match, ctx):
    call = match["method_call"]
    if call is not None:
        hit = implicit_address_escape(ctx, call, "outer")
        if hit is not None:
            operand, loop, how, confidence = hit
            yield capture_finding(match, operand, loop, None, "", at=call, confidence=confidence,
                                  what="%s.%s() takes &%s implicitly: it is %s; it points at" % (
                                      operand.text.decode(), call.child_by_field_name("function")
                                      .child_by_field_name("field").text.decode(), operand.text.decode(), how))
        return
    amp = match["amp"]
    if amp is not None:
        if root_identifier(amp.child_by_field_name("operand")).text not in file_loop_var_names(ctx, outer=True):
            return
        hit = address_escape(ctx, amp, "outer")
        if hit is not None:
            operand, loop, how, confidence = hit
            yield capture_finding(match, operand, loop, None, "", at=amp,
                                  what="&%s is %s; it points at" % (operand.text.decode(), how),
                                  confidence=confidence)
        return
    launch = launch_of(ctx, match["launch"])
    if launch is None:
        return
    stmt_what = {"go": "go statement", "errgroup": "errgroup Go call", "defer": "defer statement"}[launch.kind]
    for ref, loop in launch_captures(ctx, launch, "outer", waits=launch.kind != "defer"):
        yield capture_finding(match, ref, loop, launch.stmt, stmt_what, what=WHAT[launch.kind])
