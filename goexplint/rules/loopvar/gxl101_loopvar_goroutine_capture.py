"""GXL101: references to a ``:=`` loop variable inside a goroutine launched in the loop."""

from goexplint.analysis.syntax import loop_vars, scopes
from goexplint.analysis.goroutines import launch_of, literal_sync_facts
from goexplint.analysis.package import model
from goexplint.analysis.summaries import summaries
from goexplint.rules.loopvar._capture import capture_finding, launch_captures
from goexplint.rules.loopvar._fix import copy_fix

REQUIRES = (model, summaries, literal_sync_facts, loop_vars, scopes)


def refine(match, ctx):
    launch = launch_of(ctx, match["launch"])
    if launch is None or launch.kind == "defer":
        return
    what = "errgroup Go call" if launch.kind == "errgroup" else "go statement"
    for ref, loop in launch_captures(ctx, launch, "declared"):
        yield capture_finding(match, ref, loop, launch.stmt, what, fixes=copy_fix(ctx, loop, ref.text))
