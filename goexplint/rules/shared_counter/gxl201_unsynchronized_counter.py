"""GXL201: see queries/shared-counter/gxl201_unsynchronized_counter.scm."""

from goexplint.analysis.fields import index
from goexplint.rules.shared_counter._support import (package_var_used_elsewhere, report_shared_writes, reported_writes,
                                                     shared_writes_by_launch)
from goexplint.analysis.package import model

REQUIRES = (model, reported_writes, shared_writes_by_launch, index)


def counter_written(ctx, rec):
    """What GXL201 reports of a shared write: an unlocked read-modify-write, with a reason to run
    concurrently, of a variable or field ("the counter") or of an element of a slice ("the element");
    appends, deletes and map writes are GXL202's."""
    if rec.locked is not None or not rec.reason or rec.write.kind != "rmw":
        return None
    if rec.indexed and rec.container != "slice":
        return None  # an element of a map, or of a container we cannot tell: GXL202
    if rec.package_only and not package_var_used_elsewhere(ctx, rec):
        return None
    return "the element" if rec.indexed else "the counter"


def refine(match, ctx):
    yield from report_shared_writes(match, ctx, match["launch"], counter_written)
