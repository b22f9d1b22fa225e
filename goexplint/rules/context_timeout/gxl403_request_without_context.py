"""GXL403: http.NewRequest, and Get/Head/Post/PostForm on an http.Client variable (no context)."""

from goexplint.analysis.syntax import enclosing_function, package_member, resolve, scope_body, scopes, unparen
from goexplint.analysis.values import (decl_ident_of, expr_has_type, method_call_on, package_vars, references,
                                       result_targets, struct_field_types)
from goexplint.core.parse import captures, node_text
from goexplint.rules.context_timeout._support import HTTP, short
from goexplint.analysis.goroutines import same_file_functions

REQUIRES = (package_vars, struct_field_types, same_file_functions, scopes)

SHORTCUTS = {"Get": "http.MethodGet", "Head": "http.MethodHead", "Post": "http.MethodPost",
             "PostForm": "http.MethodPost"}


# Methods that send the request they are given, whatever the receiver (http.Client.Do,
# http.RoundTripper.RoundTrip, retryablehttp/oauth clients' Do, …).
SEND_METHODS = {b"Do", b"RoundTrip"}
# Methods of the request itself that put it on a connection.
SELF_SEND = {b"Write", b"WriteProxy"}


def _param_at(decl, index):
    """The parameter identifier that receives argument ``index`` (None when unnamed or out of range)."""
    plist = decl.child_by_field_name("parameters")
    pos = 0
    for p in plist.named_children if plist is not None else ():
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        names = [p.children[i] for i in range(p.child_count) if p.field_name_for_child(i) == "name"]
        for name in names or [None]:
            if pos == index or p.type == "variadic_parameter_declaration":
                return name
            pos += 1
    return None


def _helper_sends(ctx, call, fn, arg, depth):
    """``arg`` is handed to a function or method declared in this file: what that helper does with it."""
    name = fn.child_by_field_name("field") if fn.type == "selector_expression" else fn
    if name is None or depth >= 3:
        return None
    args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
    if arg not in args:
        return None
    for decl in same_file_functions(ctx).get(name.text, ()):
        if (decl.type == "method_declaration") != (fn.type == "selector_expression"):
            continue
        param = _param_at(decl, args.index(arg))
        body = decl.child_by_field_name("body")
        if param is None or param.text == b"_" or body is None:
            continue
        found = _sent_or_leaves(ctx, param, body, depth + 1)
        if found is not None:
            return "%s, in %s" % (found, node_text(name))
    return None


def _sent_or_leaves(ctx, req_ident, scope, depth=0):
    """How the request bound to ``req_ident`` may reach the network: a "sent" or "leaves" evidence string,
    or None when every use stays in this function without a client (read its fields, hand it to a
    handler, a proxy function, a selection policy or another helper under test)."""
    decl = decl_ident_of(req_ident)
    if decl is None:
        return "stored in %s" % node_text(req_ident)
    for ref in references(scope, decl):
        node, parent = ref, ref.parent
        while parent is not None and parent.type in ("parenthesized_expression", "unary_expression"):
            node, parent = parent, parent.parent
        if parent is None:
            continue
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == node:
            call = parent.parent
            if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == parent \
                    and parent.child_by_field_name("field").text in SELF_SEND:
                return "sent by %s" % short(node_text(parent))
            continue  # req.Header.Set(…), req.URL, req.RemoteAddr = …
        if parent.type == "argument_list":
            call = parent.parent
            fn = unparen(call.child_by_field_name("function")) if call is not None else None
            if fn is not None and fn.type == "identifier" and fn.text == b"append":
                return "stored by append"
            if fn is not None and fn.type in ("identifier", "selector_expression"):
                found = _helper_sends(ctx, call, fn, node, depth)
                if found is not None:
                    return found
            if fn is not None and fn.type == "selector_expression":
                field = fn.child_by_field_name("field")
                if field is not None and field.text in SEND_METHODS:
                    return "sent by %s" % short(node_text(fn))
                if expr_has_type(ctx, fn.child_by_field_name("operand"), HTTP, "Client"):
                    return "sent by %s" % short(node_text(fn))
            continue  # a handler, a proxy function, a selection policy, a helper of another file
        if parent.type == "expression_list" and parent.parent is not None:
            stmt = parent.parent
            if stmt.type == "return_statement":
                return "returned"
            if stmt.type in ("assignment_statement", "short_var_declaration") \
                    and stmt.child_by_field_name("right") == parent:
                left = stmt.child_by_field_name("left").named_children
                if any(t.type != "identifier" for t in left):
                    return "stored in %s" % short(node_text(stmt.child_by_field_name("left")))
                right = parent.named_children
                if len(left) == len(right) and depth < 3:  # r := req: follow the copy
                    copy = left[right.index(node)]
                    if copy.text != b"_" and copy != req_ident:
                        found = _sent_or_leaves(ctx, copy, scope, depth + 1)
                        if found is not None:
                            return found
                continue
        if parent.type in ("return_statement", "send_statement", "literal_element", "keyed_element"):
            return "returned" if parent.type == "return_statement" else "stored"
    return None


def _returned_directly(call):
    p = call.parent
    return p is not None and p.type == "expression_list" and p.parent is not None \
        and p.parent.type == "return_statement"


def _callers_give_context(ctx, call):
    """The request is returned by a function of this file whose every call in the file (at least one)
    gives the result a context (``req.WithContext(ctx)``, ``req.Clone(ctx)``) or never sends it: a
    request constructor whose callers supply the context.  Callers in other files are not seen, so a
    helper with none here stays reported."""
    fn = enclosing_function(call)
    if fn is None or fn.type == "func_literal":
        return False
    name = fn.child_by_field_name("name")
    if name is None:
        return False
    method = fn.type == "method_declaration"
    seen = False
    for site in captures("(call_expression function: [(identifier) (selector_expression)] @f) @c",
                         ctx.root).get("c", []):
        f = site.child_by_field_name("function")
        callee = f.child_by_field_name("field") if f.type == "selector_expression" else f
        if callee is None or callee.text != name.text or (f.type == "selector_expression") != method:
            continue
        if f.type == "identifier" and resolve(f) is not None:
            continue
        _, targets = result_targets(site)
        if not targets or targets[0].type != "identifier" or targets[0].text == b"_":
            return False  # returned on, stored or passed along: unknown
        scope = scope_body(site, ctx)
        if method_call_on(ctx, targets[0], ("WithContext", "Clone"), scope) is None \
                and _sent_or_leaves(ctx, targets[0], scope) is not None:
            return False
        seen = True
    return seen


def refine(match, ctx):
    call = match["call"]
    fn = match["fn"]
    if package_member(ctx, fn, HTTP, ("NewRequest",)):
        _, targets = result_targets(call)
        if targets and targets[0].type in ("identifier", "selector_expression") and targets[0].text != b"_":
            if method_call_on(ctx, targets[0], ("WithContext", "Clone"), scope_body(call, ctx)) is not None:
                return
        if targets and targets[0].type == "identifier":
            if targets[0].text == b"_":
                return
            how = _sent_or_leaves(ctx, targets[0], scope_body(call, ctx))
            if how is None or (how == "returned" and _callers_give_context(ctx, call)):
                return
        elif not targets and _returned_directly(call) and _callers_give_context(ctx, call):
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
