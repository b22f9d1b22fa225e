"""GXL204: a path updated through sync/atomic and accessed plainly elsewhere in the file."""

from goexplint.analysis.atomicmix import plain_accesses
from goexplint.analysis.sharedstate import line_of, normal


def refine(match, ctx):
    for node, site, access in plain_accesses(ctx, match["file"]):
        low = site.key.kind == "text"
        yield match.finding(node, related=((site.call, "atomic access here"),),
                            confidence="low" if low else None,
                            evidence="atomic at L%d; plain %s" % (line_of(site.call), access),
                            var=normal(node), atomic_line=line_of(site.call), access="is " + access)
