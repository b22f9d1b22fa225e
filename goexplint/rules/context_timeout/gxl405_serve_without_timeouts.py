"""GXL405: package http.ListenAndServe[TLS] / http.Serve[TLS] (a server with no timeouts)."""

from goexplint.analysis.syntax import package_member, scopes, top_level_names
from goexplint.rules.context_timeout._support import HTTP, short

REQUIRES = (scopes, top_level_names)

FUNCS = ("ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS")


def refine(match, ctx):
    name = package_member(ctx, match["fn"], HTTP, FUNCS)
    if name is None:
        return
    call = match["call"]
    args = [short(ctx.text(a)) for a in call.child_by_field_name("arguments").named_children]
    if name.startswith("ListenAndServe"):
        fields = ["Addr: %s" % args[0]] if args else []
        handler, rest = args[1:2], args[2:]
    else:  # Serve(l, handler[, cert, key])
        fields = []
        handler, rest = args[1:2], args[:1] + args[2:]
    if handler and handler[0] != "nil":
        fields.append("Handler: %s" % handler[0])
    prefix = "".join(f + ", " for f in fields)
    yield match.finding(call, evidence="package function net/http.%s" % name, fn=name, args=prefix,
                        rest=", ".join(rest))
