"""GXL207: a goroutine writes a named result of the function that launched it, which may return first."""

from goexplint.analysis.syntax import line_of, named_results, normal_text, resolve, scopes
from goexplint.analysis.goroutines import bodies_of_launch, goroutine_bodies_by_launch, return_while_running, sync_point
from goexplint.core.parse import node_text
from goexplint.rules.shared_counter._support import writes_in

REQUIRES = (goroutine_bodies_by_launch, sync_point, writes_in, scopes)


def refine(match, ctx):
    launch = match["launch"]
    for body in bodies_of_launch(ctx, launch):
        if body.launch is None or body.func.type != "func_literal":
            continue
        if body.launch != launch and body.launch != launch.parent:
            continue
        results = named_results(body.launcher)
        if not results:
            continue
        ret = None
        for w in writes_in(ctx, body.func):
            if w.target.type != "identifier" or w.target.text not in results:
                continue
            decl = resolve(w.target)
            if decl is None or decl.ident != results[w.target.text]:
                continue  # shadowed inside the goroutine
            if ret is None:
                ret = return_while_running(body)
                if ret is None:
                    return
            name = body.launcher.child_by_field_name("name")
            func = node_text(name) if name is not None else "the enclosing func literal"
            where = "line %d" % line_of(ret) if ret.type == "return_statement" else "its end, line %d" % line_of(ret)
            yield match.finding(w.node, related=((body.launch, "goroutine started here"),
                                                 (ret, "the function can return here while it runs")),
                                evidence="named result declared at L%d; returns at L%d without waiting" % (
                                    line_of(decl.ident), line_of(ret)),
                                op="assigns" if w.kind == "assign" else w.op.replace("ed", "s", 1).split(" with")[0],
                                var=normal_text(w.target), func=func, ret=where)
