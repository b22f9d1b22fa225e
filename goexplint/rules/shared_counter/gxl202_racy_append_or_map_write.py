"""GXL202: see queries/shared-counter/gxl202_racy_append_or_map_write.scm."""

from goexplint.analysis.fields import index
from goexplint.analysis.guards import package_var_used_elsewhere
from goexplint.analysis.sharedstate import report_shared_writes

REQUIRES = (index,)  # package_var_used_elsewhere reads the field-access index


def refine(match, ctx):
    yield from report_shared_writes(match, ctx, match["launch"], "GXL202", package_var_used_elsewhere)
