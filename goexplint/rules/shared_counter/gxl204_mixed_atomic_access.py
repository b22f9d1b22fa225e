"""GXL204: a path updated through sync/atomic somewhere in the package and accessed plainly here."""

from goexplint.analysis.syntax import scopes
from goexplint.analysis.fields import index
from goexplint.analysis.goroutines import goroutine_bodies
from goexplint.analysis.goroutines import handler_bodies
from goexplint.analysis.goroutines import sync_point
from goexplint.analysis.package import model
from goexplint.analysis.atomicmix import plain_accesses
from goexplint.analysis.syntax import normal_text

REQUIRES = (model, goroutine_bodies, handler_bodies, sync_point, index, scopes)


def refine(match, ctx):
    for node, site, access in plain_accesses(ctx, match["file"]):
        low = site.key.kind == "text"
        related = ((site.call, "atomic access here"),) if site.call is not None else ()
        yield match.finding(node, related=related, confidence="low" if low else None,
                            evidence="atomic at %s; plain %s" % (site.where, access),
                            var=normal_text(node), atomic_at=site.where, access="is " + access)
