"""GXL404: an http.Server without ReadHeaderTimeout or ReadTimeout."""

from goexplint.analysis.syntax import is_package_type, scope_body, scopes, top_level_names
from goexplint.analysis.values import (bound_target, field_assigned_in_file, later_field_assignment, literal_keys,
                                       literal_of, set_keys)
from goexplint.core.parse import node_text, package_clause
from goexplint.rules.context_timeout._support import HTTP

REQUIRES = (scopes, top_level_names)

KEYS = ("ReadHeaderTimeout", "ReadTimeout")


def refine(match, ctx):
    if package_clause(ctx.root) == "httptest":
        return  # the test-server package itself (httptest servers and their clients are test scaffolding)
    if match["lit"] is not None:
        lit = match["lit"]
        if not is_package_type(ctx, lit.child_by_field_name("type"), HTTP, "Server"):
            return
        if set_keys(literal_keys(lit), KEYS):
            return
        holder = lit.parent if lit.parent is not None and lit.parent.type == "unary_expression" else lit
        yield from _unless_set_later(match, ctx, lit, bound_target(holder), "this http.Server literal")
    elif match["new"] is not None:
        if is_package_type(ctx, match["type"], HTTP, "Server"):
            yield from _unless_set_later(match, ctx, match["new"], bound_target(match["new"]), "new(http.Server)")
    elif match["spec"] is not None:
        spec = match["spec"]
        if spec.child_by_field_name("value") is not None or \
                not is_package_type(ctx, spec.child_by_field_name("type"), HTTP, "Server"):
            return
        for i in range(spec.child_count):
            if spec.field_name_for_child(i) == "name" and spec.children[i].text != b"_":
                ident = spec.children[i]
                yield from _unless_set_later(match, ctx, spec, ident, "var %s http.Server" % node_text(ident))


def _unless_set_later(match, ctx, report, target, what):
    if target is not None:
        if target.type == "literal_element":
            key = node_text(target)
            if key == "Config" and _in_httptest_literal(ctx, target):
                return
            if field_assigned_in_file(ctx, key, KEYS) is not None:
                return
        else:
            if target.type == "selector_expression":
                field = node_text(target.child_by_field_name("field"))
                if field == "Config" and ctx.aliases_of("net/http/httptest"):
                    return  # ts.Config = &http.Server{...}: an httptest server's configuration
                if field_assigned_in_file(ctx, field, KEYS) is not None:
                    return
            if later_field_assignment(ctx, target, KEYS, scope_body(report, ctx)) is not None:
                return
    yield match.finding(report, evidence="stored in %s" % (node_text(target) if target is not None else
                                                           "an expression"), what=what)


def _in_httptest_literal(ctx, key):
    lit = key.parent.parent.parent if key.parent is not None and key.parent.parent is not None else None
    lit = literal_of(lit) if lit is not None else None
    return lit is not None and is_package_type(ctx, lit.child_by_field_name("type"), "net/http/httptest", "Server")
