"""GXL210: a write without the lock that guards the field everywhere else (guarded-by inference)."""

from goexplint.analysis.fields import index
from goexplint.analysis.goroutines import goroutine_bodies
from goexplint.analysis.goroutines import handler_bodies
from goexplint.analysis.goroutines import sync_point
from goexplint.analysis.package import model
from goexplint.analysis.guards import unguarded_writes

REQUIRES = (model, goroutine_bodies, handler_bodies, sync_point, index)


def refine(match, ctx):
    root = match["file"]
    for u in unguarded_writes(ctx):
        node = root.descendant_for_byte_range(u.access.start, u.access.end)
        yield match.finding(node, confidence=u.confidence, evidence=u.evidence, var=u.access.text,
                            guard=u.guard_text, funcs=u.funcs, n=u.count, func=u.access.func, op=u.op,
                            guard_lock=u.guard_lock)
