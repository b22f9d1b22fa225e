"""GXL403: http.NewRequest, and Get/Head/Post/PostForm on an http.Client variable (no context)."""

from goexplint.analysis.ctxflow import (HTTP, expr_has_type, method_call_on, package_member, result_targets,
                                        scope_body, short)
from goexplint.analysis.syntax import node_text

SHORTCUTS = {"Get": "http.MethodGet", "Head": "http.MethodHead", "Post": "http.MethodPost",
             "PostForm": "http.MethodPost"}


def refine(match, ctx):
    call = match["call"]
    fn = match["fn"]
    if package_member(ctx, fn, HTTP, ("NewRequest",)):
        _, targets = result_targets(call)
        if targets and targets[0].type in ("identifier", "selector_expression") and targets[0].text != b"_":
            if method_call_on(ctx, targets[0], ("WithContext", "Clone"), scope_body(call, ctx)) is not None:
                return
        args = call.child_by_field_name("arguments")
        args_text = ", ".join(short(ctx.text(a)) for a in args.named_children) if args is not None else "…"
        yield match.finding(call, evidence="package function net/http.NewRequest", what="http.NewRequest",
                            advice="use http.NewRequestWithContext(ctx, %s)" % args_text)
        return
    if fn.type != "selector_expression":
        return
    name = node_text(fn.child_by_field_name("field"))
    if name not in SHORTCUTS:
        return
    operand = fn.child_by_field_name("operand")
    if not expr_has_type(ctx, operand, HTTP, "Client"):
        return
    recv = short(ctx.text(operand), 40)
    if name == "PostForm":
        how = "http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(data.Encode())) with " \
              "Content-Type application/x-www-form-urlencoded"
    elif name == "Post":
        how = "http.NewRequestWithContext(ctx, http.MethodPost, url, body) with the Content-Type header"
    else:
        how = "http.NewRequestWithContext(ctx, %s, url, nil)" % SHORTCUTS[name]
    yield match.finding(call, evidence="%s is an http.Client" % recv, what="%s.%s" % (recv, name),
                        advice="build it with %s and send it with %s.Do(req)" % (how, recv))
