"""What a local holds and where a value goes, without types: the declaration a name refers to
(:func:`decl_ident_of`, :func:`references`), where an expression's value is stored (:func:`bound_target`,
:func:`result_targets`), later writes of a field (:func:`later_field_assignment`), the keys of a struct
literal, every value a local is given in its function (:func:`local_values`) and what is known of the
string an expression evaluates to (:func:`string_prefixes`).

Packages are resolved through the file's imports and locals through :func:`goexplint.analysis.syntax.resolve`.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Tuple

from tree_sitter import Node

from goexplint.analysis.package import model
from goexplint.analysis.syntax import (Decl, FUNC_TYPES, enclosing_function, is_declaration_site, is_package_type,
                                       outside_parens, package_func, resolve, scopes, strip_pointer, unparen)
from goexplint.core.parse import FileContext, captures, node_text
from goexplint.core.filequeries import file_captures, file_query
from goexplint.core.providers import FILE, provider


# --------------------------------------------------------------------------- declarations and references


def decl_ident_of(ident: Node) -> Optional[Node]:
    """The declaring identifier of a local (the identifier itself at its declaration site), None for
    package-level names.  ``a, b := …`` that only re-assigns ``b`` (declared earlier in the same scope)
    gives the earlier declaration."""
    if is_declaration_site(ident):
        d = ident
    else:
        decl = resolve(ident)
        if decl is None:
            return None
        d = decl.ident
    while d.parent is not None and d.parent.type == "expression_list" and d.parent.parent is not None \
            and d.parent.parent.type == "short_var_declaration":
        earlier = resolve(d)
        if earlier is None or not _same_scope(earlier.ident, d.parent.parent):
            break
        d = earlier.ident
    return d


def _same_scope(decl_ident: Node, stmt: Node) -> bool:
    """Whether ``decl_ident`` is declared in the block that holds ``stmt`` (function parameters count as the
    function body's block)."""
    holder = stmt.parent
    d = decl_ident
    while d.parent is not None:
        if d.parent == holder:
            return True
        if d.parent.type in ("statement_list", "block", "source_file"):
            return False
        if d.parent.type == "parameter_list":
            fn = d.parent.parent
            body = fn.child_by_field_name("body") if fn is not None and fn.type in FUNC_TYPES else None
            return body is not None and holder is not None and holder.parent == body
        d = d.parent
    return False


def references(node: Node, decl_ident: Node) -> List[Node]:
    """Identifiers under ``node`` (nested closures included) that refer to the local declared by ``decl_ident``."""
    name = decl_ident.text
    out = []
    for ident in captures("(identifier) @id", node).get("id", []):
        if ident.text != name or ident == decl_ident or is_declaration_site(ident):
            continue
        if decl_ident_of(ident) == decl_ident:
            out.append(ident)
    return out


# --------------------------------------------------------------------------- where a value is stored


def bound_target(expr: Node) -> Optional[Node]:
    """Where the value of ``expr`` is stored: the left-hand side in ``x := expr`` / ``x = expr`` /
    ``var x = expr``, or the key node of a keyed element ``Field: expr``.  None otherwise."""
    node, p = outside_parens(expr)
    if p is None:
        return None
    if p.type == "expression_list" and p.parent is not None:
        stmt = p.parent
        if stmt.type in ("short_var_declaration", "assignment_statement") and stmt.child_by_field_name("right") == p:
            left = stmt.child_by_field_name("left").named_children
            right = p.named_children
            if len(left) == len(right):
                return left[right.index(node)]
        return None
    if p.type == "var_spec":
        names = [p.children[i] for i in range(p.child_count) if p.field_name_for_child(i) == "name"]
        vals = p.child_by_field_name("value")
        if vals is not None and len(vals.named_children) == len(names) and node in vals.named_children:
            return names[vals.named_children.index(node)]
        return None
    if p.type == "literal_element" and p.parent is not None and p.parent.type == "keyed_element":
        kv = p.parent
        if kv.child_by_field_name("value") == p:
            return kv.child_by_field_name("key")
    return None


def result_targets(call: Node) -> Tuple[Optional[Node], List[Node]]:
    """For a call whose results are assigned (``a, b := f()``, ``a, b = f()``, ``var a, b = f()``): the
    assigning statement and its left-hand side nodes.  ``(None, [])`` otherwise."""
    node, p = outside_parens(call)
    if p is None:
        return None, []
    if p.type == "expression_list" and p.parent is not None \
            and p.parent.type in ("short_var_declaration", "assignment_statement") \
            and p.parent.child_by_field_name("right") == p and len(p.named_children) == 1:
        stmt = p.parent
        return stmt, list(stmt.child_by_field_name("left").named_children)
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "var_spec" \
            and len(p.named_children) == 1:
        spec = p.parent
        names = [spec.children[i] for i in range(spec.child_count) if spec.field_name_for_child(i) == "name"]
        return spec, names
    return None, []


def later_field_assignment(ctx: FileContext, target: Node, fields: Iterable[str], scope: Optional[Node]) -> \
        Optional[Node]:
    """An assignment ``<target>.<field> = …`` after ``target`` inside ``scope`` (a function body or the file).

    ``target`` text is compared literally (``c``, ``s.client``); for an identifier the assigned operand must
    also resolve to the same declaration.
    """
    if scope is None:
        return None
    want = node_text(target)
    fields = set(fields)
    want_decl = decl_ident_of(target) if target.type == "identifier" else None
    for sel in captures("(assignment_statement left: (expression_list [(selector_expression) "
                        "(unary_expression operator: \"*\")] @sel))", scope).get("sel", []):
        if sel.start_byte < target.end_byte:
            continue
        if sel.type == "unary_expression":  # *c = *other: the whole value is replaced
            operand = sel.child_by_field_name("operand")
            if operand is not None and node_text(operand) == want and (
                    target.type != "identifier" or decl_ident_of(operand) == want_decl):
                return sel
            continue
        field = sel.child_by_field_name("field")
        operand = sel.child_by_field_name("operand")
        if field is None or node_text(field) not in fields or operand is None or node_text(operand) != want:
            continue
        if target.type == "identifier" and decl_ident_of(operand) != want_decl:
            continue
        return sel
    return None


def field_assigned_in_file(ctx: FileContext, field_name: str, fields: Iterable[str]) -> Optional[Node]:
    """``X.<field_name>.<f> = …`` anywhere in the file, for ``f`` in ``fields``."""
    fields = set(fields)
    for sel in captures("(assignment_statement left: (expression_list (selector_expression) @sel))",
                        ctx.root).get("sel", []):
        field = sel.child_by_field_name("field")
        operand = sel.child_by_field_name("operand")
        if field is None or node_text(field) not in fields or operand is None:
            continue
        last = operand.child_by_field_name("field") if operand.type == "selector_expression" else operand
        if last is not None and node_text(last) == field_name:
            return sel
    return None


def method_call_on(ctx: FileContext, target: Node, methods: Iterable[str], scope: Node) -> Optional[Node]:
    """A call ``<target>.M(...)`` for ``M`` in ``methods`` inside ``scope`` (operand text and declaration
    must match ``target``)."""
    want = node_text(target)
    want_decl = decl_ident_of(target) if target.type == "identifier" else None
    methods = set(methods)
    for sel in captures("(call_expression function: (selector_expression) @sel)", scope).get("sel", []):
        field = sel.child_by_field_name("field")
        operand = sel.child_by_field_name("operand")
        if field is None or node_text(field) not in methods or operand is None or node_text(operand) != want:
            continue
        if target.type == "identifier" and decl_ident_of(operand) != want_decl:
            continue
        return sel
    return None


# --------------------------------------------------------------------------- struct literals


def literal_of(node: Optional[Node]) -> Optional[Node]:
    """The composite literal in ``T{...}``, ``&T{...}`` or ``(&T{...})``."""
    node = unparen(node)
    if node is not None and node.type == "unary_expression" and node.child_by_field_name("operator") is not None \
            and node_text(node.child_by_field_name("operator")) == "&":
        node = unparen(node.child_by_field_name("operand"))
    return node if node is not None and node.type == "composite_literal" else None


def literal_keys(lit: Node) -> Dict[str, Node]:
    """``key -> value`` of a struct literal's keyed elements (values are the ``literal_element`` contents)."""
    out: Dict[str, Node] = {}
    body = lit.child_by_field_name("body")
    if body is None:
        return out
    for kv in body.named_children:
        if kv.type != "keyed_element":
            continue
        key = kv.child_by_field_name("key")
        value = kv.child_by_field_name("value")
        if key is None or value is None:
            continue
        k = node_text(key).strip()
        v = value.named_children[0] if value.type == "literal_element" and value.named_children else value
        out[k] = v
    return out


def _is_zero(node: Optional[Node]) -> bool:
    return node is not None and node.type == "int_literal" and node_text(node) in ("0", "0x0", "00")


def set_keys(keys: Dict[str, Node], wanted: Iterable[str]) -> List[str]:
    """Which of ``wanted`` are set to something other than literal 0."""
    return [k for k in wanted if k in keys and not _is_zero(keys[k])]


# --------------------------------------------------------------------------- written types of names

_FIELDS = file_query("(field_declaration) @d")


@provider(scope=FILE)
def struct_field_types(ctx: FileContext) -> Dict[bytes, List[Node]]:
    """Field name -> declared types, for every struct type in the file."""
    found: Dict[bytes, List[Node]] = {}
    for fd in file_captures(ctx, _FIELDS).get("d", []):
        typ = fd.child_by_field_name("type")
        for i in range(fd.child_count):
            if fd.field_name_for_child(i) == "name":
                name = fd.children[i].text
                if name not in found:
                    found[name] = []
                found[name].append(typ)
    return found


@provider(scope=FILE)
def package_vars(ctx: FileContext) -> Dict[bytes, Decl]:
    """Name -> declaration of the file-level ``var`` declarations (the first of a name)."""
    table: Dict[bytes, Decl] = {}
    for decl in ctx.root.named_children:
        if decl.type != "var_declaration":
            continue
        for spec in decl.named_children:
            for s in spec.named_children if spec.type == "var_spec_list" else [spec]:
                if s.type != "var_spec":
                    continue
                for i in range(s.child_count):
                    ident = s.children[i]
                    if s.field_name_for_child(i) == "name" and ident.type == "identifier" and ident.text not in table:
                        table[ident.text] = Decl(ident, "var")
    return table


def package_var(ctx: FileContext, name: bytes) -> Optional[Decl]:
    """The file-level ``var`` declaring ``name`` (other files of the package are not read)."""
    return package_vars(ctx).get(name)


def expr_has_type(ctx: FileContext, expr: Optional[Node], path: str, name: str) -> bool:
    """``expr`` (an identifier or ``x.field``) is declared with type ``pkg.Name`` / ``*pkg.Name`` or
    initialised from such a literal / ``new(pkg.Name)``."""
    expr = unparen(expr)
    if expr is None:
        return False
    if expr.type == "identifier":
        decl = resolve(expr) or package_var(ctx, expr.text)
        if decl is None:
            return False
        if is_package_type(ctx, strip_pointer(decl.written_type()), path, name):
            return True
        value = decl.value()
        lit = literal_of(value)
        if lit is not None:
            return is_package_type(ctx, lit.child_by_field_name("type"), path, name)
        if value is not None and value.type == "call_expression":
            fn = value.child_by_field_name("function")
            args = value.child_by_field_name("arguments")
            if fn is not None and fn.text == b"new" and args is not None and args.named_children:
                return is_package_type(ctx, args.named_children[0], path, name)
        return False
    if expr.type == "selector_expression":
        field = expr.child_by_field_name("field")
        types = struct_field_types(ctx).get(field.text if field is not None else b"", [])
        return bool(types) and all(is_package_type(ctx, strip_pointer(t), path, name) for t in types)
    return False


# --------------------------------------------------------------------------- values of locals and constants

_WRITES = """
(assignment_statement left: (expression_list (identifier) @w))
(short_var_declaration left: (expression_list (identifier) @w))
(range_clause left: (expression_list (identifier) @w))
(receive_statement left: (expression_list (identifier) @w))
(inc_statement (identifier) @w)
(dec_statement (identifier) @w)
(unary_expression operator: "&" operand: (identifier) @w)
"""


def _value_at(left: List[Node], right: List[Node], target: Node) -> Optional[Node]:
    """The value ``target`` (one of ``left``) is given by ``left… = right…``: the matching expression, or
    the one call of ``a, b := f()`` when ``target`` is its first result; None otherwise."""
    idx = left.index(target)
    if len(left) == len(right):
        return right[idx]
    if len(right) == 1 and idx == 0 and unparen(right[0]).type == "call_expression":
        return right[0]
    return None


def local_values(ctx: FileContext, ident: Node) -> Optional[List[Node]]:
    """Every value the local variable or constant ``ident`` refers to is given in its function: its
    initialiser and each later ``x = v`` (for ``x, err = f()`` the call ``f()``), in document order.
    ``var x T`` without a value adds nothing (its zero value).  None when the values are not all known
    here: a parameter, a range or receive variable, a package-level name, ``x op= v``, ``x++`` or ``&x``
    (the address may be written through), or a first result that is not a call's."""
    if ident.type != "identifier":
        return None
    decl = resolve(ident)
    if decl is None or decl.kind not in ("var", "const"):
        return None
    d = decl_ident_of(ident)
    if d is None:
        return None
    return values_of_local(ctx, d, decl.kind)


@provider(scope=FILE, requires=(scopes,))
def values_of_local(ctx: FileContext, d: Node, kind: str) -> Optional[List[Node]]:
    """:func:`local_values` of the local (``kind`` "var" or "const") whose declaring identifier is ``d``."""
    values: Optional[List[Node]] = []
    parent = d.parent
    if parent.type == "expression_list":
        stmt = parent.parent
        right = stmt.child_by_field_name("right")
        value = _value_at(parent.named_children, right.named_children if right is not None else [], d)
        values = [value] if value is not None else None
    elif parent.type in ("var_spec", "const_spec"):
        value = Decl(d, kind).value()
        if value is not None:
            values = [value]
        elif parent.child_by_field_name("value") is not None or parent.type == "const_spec":
            values = None  # ``var a, b = f()`` or an iota-repeated constant
    else:
        values = None
    scope = enclosing_function(d)
    if values is not None and scope is not None:
        for w in captures(_WRITES, scope).get("w", []):
            if w == d or w.text != d.text or decl_ident_of(w) != d:
                continue
            p = w.parent
            stmt = p.parent if p.type == "expression_list" else p
            if stmt.type == "assignment_statement" and stmt.child_by_field_name("operator").type == "=":
                right = stmt.child_by_field_name("right")
                value = _value_at(p.named_children, right.named_children if right is not None else [], w)
                if value is not None:
                    values.append(value)
                    continue
            values = None
            break
    return values


_MAX_ALTERNATIVES = 8


def string_prefixes(ctx: FileContext, expr: Optional[Node], depth: int = 0, local: bool = True) \
        -> List[Tuple[str, bool]]:
    """What is known of the string ``expr`` evaluates to, as alternatives ``(text, complete)``: the whole
    value when ``complete``, else only its first characters (``""`` when nothing is known).  Follows
    string literals, ``+``, ``fmt.Sprintf`` (the format up to its first verb), ``net.JoinHostPort``, locals
    of the function whose every value is known (:func:`local_values`) and package constants.  With
    ``local=False`` identifiers are taken as package constants only (a constant's value in another file)."""
    unknown = [("", False)]
    expr = unparen(expr)
    if expr is None or depth > 6:
        return unknown
    t = expr.type
    if t == "raw_string_literal":
        return [(node_text(expr)[1:-1], True)]
    if t == "interpreted_string_literal":
        text = node_text(expr)[1:-1]
        return [(text, True)] if "\\" not in text else [(text[:text.index("\\")], False)]
    if t == "binary_expression" and expr.child_by_field_name("operator").type == "+":
        out = []
        for left, complete in string_prefixes(ctx, expr.child_by_field_name("left"), depth + 1, local):
            if not complete:
                out.append((left, False))
                continue
            for right, rcomplete in string_prefixes(ctx, expr.child_by_field_name("right"), depth + 1, local):
                out.append((left + right, rcomplete))
        return _dedupe(out)
    if t == "call_expression":
        args = expr.child_by_field_name("arguments")
        argv = args.named_children if args is not None else []
        if package_func(ctx, expr, "fmt", ("Sprintf",)) and argv:
            out = []
            for fmt, complete in string_prefixes(ctx, argv[0], depth + 1, local):
                verb = fmt.find("%")
                out.append((fmt[:verb], False) if verb >= 0 else (fmt, complete and len(argv) == 1))
            return _dedupe(out)
        if package_func(ctx, expr, "net", ("JoinHostPort",)) and len(argv) == 2:
            out = []
            for host, complete in string_prefixes(ctx, argv[0], depth + 1, local):
                if not complete:  # bracketed when the whole host has a colon: known only if this part has one
                    out.append(("[" + host, False) if ":" in host else ("", False))
                    continue
                host = "[%s]" % host if ":" in host else host
                for port, pcomplete in string_prefixes(ctx, argv[1], depth + 1, local):
                    out.append((host + ":" + port, pcomplete))
            return _dedupe(out)
        return unknown
    if t == "identifier":
        if local and resolve(expr) is not None:
            values = local_values(ctx, expr)
            if not values:
                return unknown
            out = []
            for v in values:
                out.extend(string_prefixes(ctx, v, depth + 1, local))
            return _dedupe(out)
        var = model(ctx).vars.get(node_text(expr))
        if var is None or not var.const:
            return unknown
        value = Decl(var.node, "const").value()
        return string_prefixes(var.file, value, depth + 1, False) if value is not None else unknown
    return unknown


def _dedupe(alternatives: List[Tuple[str, bool]]) -> List[Tuple[str, bool]]:
    out = list(dict.fromkeys(alternatives))
    return out if len(out) <= _MAX_ALTERNATIVES else [("", False)]
