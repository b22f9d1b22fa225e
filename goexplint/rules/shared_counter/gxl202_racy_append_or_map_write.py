"""GXL202: see queries/shared-counter/gxl202_racy_append_or_map_write.scm."""

from goexplint.rules.shared_counter._support import (package_var_used_elsewhere, report_shared_writes, reported_writes,
                                                     shared_writes_by_launch)

REQUIRES = (reported_writes, shared_writes_by_launch)


def container_written(ctx, rec):
    """What GXL202 reports of a shared write: an unlocked append ("the slice"), ``delete`` or element
    write of a map or of a container not known to be a slice ("the map"), with a reason to run
    concurrently."""
    if rec.locked is not None or not rec.reason:
        return None
    if rec.write.kind == "append":
        what = "the slice"
    elif rec.write.kind == "delete" or (rec.indexed and rec.container != "slice"):
        what = "the map"
    else:
        return None
    if rec.package_only and not package_var_used_elsewhere(ctx, rec):
        return None
    return what


def refine(match, ctx):
    yield from report_shared_writes(match, ctx, match["launch"], container_written)
