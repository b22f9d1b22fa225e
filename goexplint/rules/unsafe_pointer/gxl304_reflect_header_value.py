"""GXL304: reflect.SliceHeader / reflect.StringHeader used as a value instead of a pointer onto a real one."""

from goexplint.analysis.syntax import scopes, unparen
from goexplint.rules.unsafe_pointer._support import (REFLECT, address_taken, declaration, header_advice, header_kind,
                                                     header_type_name, header_value_literal, is_deref, short)
from goexplint.analysis.package import model

REQUIRES = (model, declaration, scopes)

KIND = {"SliceHeader": "slice", "StringHeader": "string"}


def _declared_var(node):
    """The identifier ``x`` when ``node`` is the value of ``x := node`` / ``var x = node`` (single name)."""
    parent = node.parent
    if parent is None or parent.type != "expression_list" or len(parent.named_children) != 1:
        return None
    stmt = parent.parent
    if stmt is None:
        return None
    if stmt.type == "short_var_declaration" and stmt.child_by_field_name("right") == parent:
        left = stmt.child_by_field_name("left").named_children
        return left[0] if len(left) == 1 and left[0].type == "identifier" else None
    if stmt.type == "var_spec":
        names = [c for c in stmt.named_children if c.type == "identifier"]
        return names[0] if len(names) == 1 else None
    return None


def _type_witness(lit):
    """``reflect.TypeOf(reflect.SliceHeader{})``: an empty literal passed to a call only for its type."""
    body = lit.child_by_field_name("body")
    empty = body is None or not [c for c in body.named_children if c.type != "comment"]
    return empty and lit.parent is not None and lit.parent.type == "argument_list"


def _assignment_target(node):
    parent = node.parent
    if parent is None or parent.type != "expression_list":
        return False
    stmt = parent.parent
    return stmt is not None and stmt.type == "assignment_statement" and stmt.child_by_field_name("left") == parent


def applies(ctx):
    """Every finding involves a reflect header type: only in files that import reflect."""
    return bool(ctx.aliases_of(REFLECT))


def refine(match, ctx):
    node = what = header = None
    if match["literal"] is not None:
        lit = match["literal"]
        header = header_value_literal(ctx, lit)
        if header is None:
            return
        parent = lit.parent
        if parent is not None and parent.type == "unary_expression" \
                and parent.child_by_field_name("operator").type == "&":
            node, what = parent, "&reflect.%s{...} points at a fresh header" % header
        elif _type_witness(lit):
            return
        else:
            var = _declared_var(lit)
            if var is not None and address_taken(ctx, var):
                return  # reported at each &var
            node, what = lit, "reflect.%s{...} creates a header value" % header
    elif match["newcall"] is not None:
        header = header_type_name(ctx, match["type"])
        if header is None:
            return
        node, what = match["newcall"], "new(reflect.%s) allocates a header that describes no real %s" % (
            header, KIND[header])
    elif match["deref"] is not None:
        deref = match["deref"]
        kind = header_kind(ctx, is_deref(deref))
        if kind is None or kind[0] != "pointer" or _assignment_target(deref):
            return
        header = kind[1]
        node, what = deref, "%s copies the header into a value" % short(ctx, deref, 40)
    elif match["addr"] is not None:
        addr = match["addr"]
        ident = unparen(addr.child_by_field_name("operand"))
        kind = header_kind(ctx, ident)
        if kind is None or kind[0] != "value":
            return
        header = kind[1]
        node, what = addr, "&%s takes the address of the header value %s" % (ctx.text(ident), ctx.text(ident))
    elif match["var"] is not None:
        spec = match["var"]
        header = header_type_name(ctx, match["type"])
        if header is None or spec.child_by_field_name("value") is not None:
            return
        names = [c for c in spec.named_children if c.type == "identifier"]
        if not names or any(address_taken(ctx, n) for n in names):
            return  # reported at each &name
        node, what = spec, "var %s reflect.%s declares a header value" % (
            ", ".join(ctx.text(n) for n in names), header)
    if node is None:
        return
    yield match.finding(node, evidence=what, what=what, header=header, kind=KIND[header],
                        advice=header_advice(ctx, header))
