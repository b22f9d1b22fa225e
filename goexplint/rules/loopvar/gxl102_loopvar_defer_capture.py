"""GXL102: references to a ``:=`` loop variable inside a deferred func literal in the loop."""

from goexplint.analysis.syntax import loop_vars, scopes
from goexplint.analysis.goroutines import launch_of
from goexplint.rules.loopvar._capture import capture_finding, launch_captures
from goexplint.rules.loopvar._fix import copy_fix

REQUIRES = (loop_vars, scopes)


def refine(match, ctx):
    launch = launch_of(ctx, match["launch"])
    if launch is None or launch.kind != "defer":
        return
    # Waiting cannot help a deferred call; only leaving the loop right away does.
    for ref, loop in launch_captures(ctx, launch, "declared", waits=False):
        yield capture_finding(match, ref, loop, launch.stmt, "defer statement", fixes=copy_fix(ctx, loop, ref.text))
