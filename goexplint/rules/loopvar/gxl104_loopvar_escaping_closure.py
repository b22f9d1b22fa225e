"""GXL104: func literals capturing a ``:=`` loop variable that are stored, sent or registered."""

from goexplint.analysis.loopcapture import (capture_finding, captured_refs, closure_escape, escape_of,
                                            leaves_loop_after, loops_with)

REGISTER_FUNCS = ("AfterFunc", "Cleanup", "OnClose", "RegisterOnShutdown")


def refine(match, ctx):
    lit = match["closure"]
    loops = loops_with(ctx, lit, "declared")
    if not loops:
        return
    registered = closure_escape(ctx, lit, REGISTER_FUNCS)
    for loop in loops:
        got = (registered, "high") if registered else escape_of(ctx, lit, loop, closure=True)
        if got is None or (registered is None and leaves_loop_after(ctx, lit, loop)):
            continue
        how, confidence = got
        for ref in captured_refs(ctx, lit, loop, "declared"):
            yield capture_finding(match, ref, loop, lit, "func literal", how=how, confidence=confidence)
