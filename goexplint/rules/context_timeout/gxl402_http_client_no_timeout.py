"""GXL402: an http.Client without a Timeout (literal, new, var, or http.DefaultClient in use)."""

import dataclasses
import re

from goexplint.analysis.syntax import (enclosing_function, is_package_type, outside_parens, package_member, resolve,
                                       scope_body, scopes, top_level_names, unparen)
from goexplint.analysis.values import (bound_target, decl_ident_of, field_assigned_in_file, later_field_assignment,
                                       literal_keys, literal_of, method_call_on, package_var, result_targets, set_keys)
from goexplint.core.parse import captures, node_text, package_clause
from goexplint.rules.context_timeout._support import CONTEXT, HTTP, STREAMY, name_selected_in_package

REQUIRES = (name_selected_in_package, scopes, top_level_names)

FIX = "&http.Client{Timeout: 30 * time.Second}"
REQUEST_METHODS = ("Do", "Get", "Head", "Post", "PostForm")


def refine(match, ctx):
    if package_clause(ctx.root) == "httptest":
        return  # the test-server package itself (httptest servers and their clients are test scaffolding)
    if match["lit"] is not None:
        lit = match["lit"]
        if not is_package_type(ctx, lit.child_by_field_name("type"), HTTP, "Client"):
            return
        keys = literal_keys(lit)
        if set_keys(keys, ("Timeout",)):
            return
        holder = lit
        if lit.parent is not None and lit.parent.type == "unary_expression":
            holder = lit.parent
        what = "this http.Client literal" + (" (Timeout: 0)" if "Timeout" in keys else "")
        if "Transport" in keys and not _plain_transport(ctx, keys["Transport"]):
            return  # a RoundTripper of its own (a stub, a wrapper, a constructor that sets deadlines): unknown
        yield from _unless_set_later(match, ctx, lit, holder, keys.get("Transport"), what)
    elif match["new"] is not None:
        if is_package_type(ctx, match["type"], HTTP, "Client"):
            yield from _unless_set_later(match, ctx, match["new"], match["new"], None, "new(http.Client)")
    elif match["spec"] is not None:
        spec = match["spec"]
        if spec.child_by_field_name("value") is not None or \
                not is_package_type(ctx, spec.child_by_field_name("type"), HTTP, "Client"):
            return
        for i in range(spec.child_count):
            if spec.field_name_for_child(i) == "name":
                ident = spec.children[i]
                if ident.text == b"_":
                    continue
                yield from _unless_set_later(match, ctx, spec, None, None, "var %s http.Client" % node_text(ident),
                                             target=ident)
    elif match["default"] is not None:
        yield from _default_client(match, ctx, match["default"])


def _unless_set_later(match, ctx, report, holder, transport, what, target=None):
    if target is None:
        target = bound_target(holder)
    if target is not None:
        if target.type == "literal_element":  # a keyed element: Field: &http.Client{...}
            if field_assigned_in_file(ctx, node_text(target), ("Timeout",)) is not None:
                return
            if not name_selected_in_package(ctx, node_text(target)):
                return  # the field is never read: no request is ever sent with this client
        else:
            scope = scope_body(report, ctx)
            if later_field_assignment(ctx, target, ("Timeout",), scope) is not None:
                return
            if target.type == "selector_expression":
                field = target.child_by_field_name("field")
                if field is not None and field_assigned_in_file(ctx, node_text(field), ("Timeout",)) is not None:
                    return
    if target is not None and target.type == "identifier" and _requests_have_deadlines(ctx, target, report):
        return
    note = ""
    name = node_text(target) if target is not None else ""
    if _transport_has_timeouts(ctx, transport, report):
        note = " (its Transport sets some timeouts, which bound only parts of the exchange)"
    elif name and STREAMY.search(name):
        note = " (the name suggests streaming; if the missing timeout is deliberate, say so in a suppression)"
    finding = match.finding(report, evidence="stored in %s" % (name or "an expression"), what=what, note=note,
                            advice="set Timeout, e.g. " + FIX)
    if note:
        finding = dataclasses.replace(finding, severity="note")
    yield finding


def _plain_transport(ctx, expr, depth=0) -> bool:
    """``expr`` is recognisably a net/http Transport: ``&http.Transport{…}``, ``http.DefaultTransport``,
    its ``.(*http.Transport).Clone()``, nil, or a local declared or initialised as one.  A RoundTripper
    of another type or from another constructor may set deadlines or do no I/O at all."""
    expr = unparen(expr)
    if expr is None or depth > 3:
        return False
    if expr.type == "nil":
        return True
    lit = literal_of(expr)
    if lit is not None:
        return is_package_type(ctx, lit.child_by_field_name("type"), HTTP, "Transport")
    if package_member(ctx, expr, HTTP, ("DefaultTransport",)):
        return True
    if expr.type == "type_assertion_expression":
        return _plain_transport(ctx, expr.child_by_field_name("operand"), depth + 1)
    if expr.type == "call_expression":
        fn = unparen(expr.child_by_field_name("function"))
        if fn is not None and fn.type == "selector_expression" \
                and node_text(fn.child_by_field_name("field")) == "Clone":
            return _plain_transport(ctx, fn.child_by_field_name("operand"), depth + 1)
        return False
    if expr.type == "identifier":
        decl = resolve(expr) or package_var(ctx, expr.text)
        if decl is None:
            return False
        typ = decl.written_type()
        if typ is not None and typ.type == "pointer_type" and typ.named_children:
            typ = typ.named_children[0]
        if typ is not None:
            return is_package_type(ctx, typ, HTTP, "Transport")
        return _plain_transport(ctx, decl.value(), depth + 1)
    return False


def _transport_has_timeouts(ctx, transport, report) -> bool:
    transport = unparen(transport)
    if transport is None:
        return False
    if literal_of(transport) is not None or transport.type == "call_expression":
        return "Timeout" in node_text(transport)
    if transport.type == "identifier":
        decl = resolve(transport)
        if decl is not None:
            value = decl.value()
            if value is not None and "Timeout" in node_text(value):
                return True
        body = scope_body(report, ctx)
        pattern = re.compile(rb"\b%s\.\w*Timeout\s*=[^=]" % re.escape(transport.text))
        return bool(pattern.search(body.text))
    return False


def _default_client(match, ctx, sel):
    if package_member(ctx, sel, HTTP, ("DefaultClient",)) is None:
        return
    parent = outside_parens(sel)[1]
    fix = "use a client of your own that sets Timeout, e.g. " + FIX
    if parent is not None and parent.type == "selector_expression" and parent.parent is not None \
            and parent.parent.type == "call_expression":
        method = node_text(parent.child_by_field_name("field"))
        if method in REQUEST_METHODS:
            yield match.finding(sel, evidence="receiver of %s" % method, what="http.DefaultClient", note="",
                                advice=fix)
        return
    target = bound_target(sel)
    if target is None or target.type == "literal_element":
        if target is not None:
            yield match.finding(sel, evidence="stored in field %s" % node_text(target),
                                what="http.DefaultClient", note="", advice=fix)
        return
    if target.type == "identifier":
        scope = scope_body(sel, ctx)
        if later_field_assignment(ctx, target, ("Timeout",), scope) is not None:
            return
        if target.text == b"_":
            return
        if enclosing_function(sel) is not None and method_call_on(ctx, target, REQUEST_METHODS, scope) is None:
            return  # a local that is not used for requests here
    yield match.finding(sel, evidence="stored in %s" % node_text(target), what="http.DefaultClient", note="",
                        advice=fix)


def _requests_have_deadlines(ctx, target, report):
    """Every request sent through the local client ``target`` in this function is built with
    ``http.NewRequestWithContext(c, …)`` where ``c`` comes from ``context.WithTimeout``/``WithDeadline`` here."""
    fn = enclosing_function(report)
    if fn is None:
        return False
    body = scope_body(report, ctx)
    decl = decl_ident_of(target)
    sends = []
    for sel in captures("(call_expression function: (selector_expression) @sel)", body).get("sel", []):
        operand = sel.child_by_field_name("operand")
        if operand is None or operand.type != "identifier" or operand.text != target.text \
                or decl_ident_of(operand) != decl:
            continue
        method = node_text(sel.child_by_field_name("field"))
        if method in ("Get", "Head", "Post", "PostForm"):
            return False
        if method == "Do":
            sends.append(sel.parent)
    if not sends:
        return False
    for call in sends:
        args = call.child_by_field_name("arguments").named_children
        req = args[0] if args else None
        if req is None or req.type != "identifier" or not _built_with_deadline(ctx, body, decl_ident_of(req)):
            return False
    return True


def _built_with_deadline(ctx, body, req_decl):
    if req_decl is None:
        return False
    for call in captures("(call_expression) @c", body).get("c", []):
        if not package_member(ctx, call.child_by_field_name("function"), HTTP, ("NewRequestWithContext",)):
            continue
        _, targets = result_targets(call)
        if not targets or targets[0].type != "identifier" or decl_ident_of(targets[0]) != req_decl:
            continue
        args = call.child_by_field_name("arguments").named_children
        c = args[0] if args else None
        if c is None or c.type != "identifier":
            return False
        c_decl = decl_ident_of(c)
        for w in captures("(call_expression) @w", body).get("w", []):
            if package_member(ctx, w.child_by_field_name("function"), CONTEXT,
                              ("WithTimeout", "WithDeadline", "WithTimeoutCause", "WithDeadlineCause")):
                _, wt = result_targets(w)
                if wt and wt[0].type == "identifier" and decl_ident_of(wt[0]) == c_decl:
                    return True
        return False
    return False
