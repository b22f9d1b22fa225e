"""GXL201: see queries/shared-counter/gxl201_unsynchronized_counter.scm."""

from goexplint.analysis.fields import index
from goexplint.analysis.package import model
from goexplint.analysis.guards import package_var_used_elsewhere
from goexplint.analysis.sharedstate import report_shared_writes

REQUIRES = (model, index)


def refine(match, ctx):
    yield from report_shared_writes(match, ctx, match["launch"], "GXL201", package_var_used_elsewhere)
