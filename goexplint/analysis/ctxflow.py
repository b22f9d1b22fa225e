"""Helpers for the context-timeout family (GXL4xx): package calls, struct literal keys, later
assignments in the same function, the one "call never returns" check (:func:`never_returns`) and
GXL407's cancel states for the control-flow walker (:class:`CancelDomain`, :mod:`goexplint.analysis.cfg`).

Nothing here needs types: packages are resolved through the file's imports (S1) and locals
through :func:`goexplint.analysis.syntax.resolve` (S2).
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Set, Tuple

from tree_sitter import Node

from goexplint.core.parse import FileContext, captures
from goexplint.core.facts import file_captures, file_query
from goexplint.analysis.cfg import Domain, Walker
from goexplint.analysis.package import model
from goexplint.analysis.syntax import (FUNC_TYPES, Decl, _stmt_decls, enclosing_function,  # noqa: F401
                                       is_declaration_site, is_package_type, node_text, package_selector, resolve,
                                       top_level_names, unparen)

HTTP = "net/http"
CONTEXT = "context"
NET = "net"
TLS = "crypto/tls"
HTTPTEST = "net/http/httptest"

WITH_CANCEL = ("WithCancel", "WithCancelCause", "WithTimeout", "WithTimeoutCause", "WithDeadline",
               "WithDeadlineCause")


# --------------------------------------------------------------------------- packages


def package_func(ctx: FileContext, call: Node, path: str, names: Iterable[str]) -> Optional[str]:
    """The name ``F`` when ``call`` is ``pkg.F(...)`` for the package ``path`` (any alias, not shadowed,
    or a bare call through a dot import) and ``F`` is one of ``names``."""
    if call is None or call.type != "call_expression":
        return None
    fn = call.child_by_field_name("function")
    return package_member(ctx, fn, path, names)


def package_member(ctx: FileContext, node: Optional[Node], path: str, names: Iterable[str]) -> Optional[str]:
    """The name ``F`` when ``node`` is the expression ``pkg.F`` (or a dot-imported bare ``F``)."""
    if node is None:
        return None
    if node.type == "selector_expression":
        field = node.child_by_field_name("field")
        name = node_text(field) if field is not None else ""
        if name in names and package_selector(ctx, node.child_by_field_name("operand"), path):
            return name
    elif node.type == "identifier" and ("." + path) in ctx.imports:
        name = node_text(node)
        if name in names and resolve(node) is None and node.text not in top_level_names(ctx):
            return name
    return None


def strip_pointer(typ: Optional[Node]) -> Optional[Node]:
    while typ is not None and typ.type in ("pointer_type", "parenthesized_type"):
        inner = [c for c in typ.named_children]
        typ = inner[0] if inner else None
    return typ


# --------------------------------------------------------------------------- literals


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


def is_zero(node: Optional[Node]) -> bool:
    return node is not None and node.type == "int_literal" and node_text(node) in ("0", "0x0", "00")


def set_keys(keys: Dict[str, Node], wanted: Iterable[str]) -> List[str]:
    """Which of ``wanted`` are set to something other than literal 0."""
    return [k for k in wanted if k in keys and not is_zero(keys[k])]


# --------------------------------------------------------------------------- functions and statements


def function_body(fn: Optional[Node]) -> Optional[Node]:
    return fn.child_by_field_name("body") if fn is not None else None


def statement_of(node: Node) -> Node:
    """The innermost statement (a child of a statement list or a simple-statement slot) holding ``node``."""
    n = node
    while n.parent is not None and n.parent.type not in ("statement_list", "block", "source_file",
                                                         "expression_case", "default_case", "type_case",
                                                         "communication_case"):
        if n.parent.type in FUNC_TYPES:
            break
        n = n.parent
    return n


def bound_target(expr: Node) -> Optional[Node]:
    """Where the value of ``expr`` is stored: the left-hand side in ``x := expr`` / ``x = expr`` /
    ``var x = expr``, or the key node of a keyed element ``Field: expr``.  None otherwise."""
    node = expr
    p = node.parent
    while p is not None and p.type == "parenthesized_expression":
        node, p = p, p.parent
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


def package_name(ctx: FileContext) -> str:
    for c in ctx.root.named_children:
        if c.type == "package_clause":
            for x in c.named_children:
                return node_text(x)
    return ""


def context_params(ctx: FileContext, fn: Node) -> List[Tuple[Node, str]]:
    """Parameters of ``fn`` that carry a context: ``(ident, "ctx")`` for ``context.Context`` and
    ``(ident, "request")`` for ``*http.Request``.  Blank (``_``) parameters are skipped."""
    out = []
    params = fn.child_by_field_name("parameters")
    if params is None:
        return out
    for p in params.named_children:
        if p.type != "parameter_declaration":
            continue
        typ = p.child_by_field_name("type")
        kind = None
        if is_package_type(ctx, typ, CONTEXT, "Context"):
            kind = "ctx"
        elif typ is not None and typ.type == "pointer_type" \
                and is_package_type(ctx, strip_pointer(typ), HTTP, "Request"):
            kind = "request"
        if kind is None:
            continue
        for i in range(p.child_count):
            if p.field_name_for_child(i) == "name" and p.children[i].type == "identifier" \
                    and p.children[i].text != b"_":
                out.append((p.children[i], kind))
    return out


# --------------------------------------------------------------------------- calls that never return

_FATAL_METHODS = {"Fatal", "Fatalf", "Fatalln", "FailNow", "SkipNow", "Skip", "Skipf", "Panic", "Panicf",
                  "Panicln", "Exit", "Exitf"}
_LOG_FATAL = ("Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln")


def no_return_call(ctx: FileContext, stmt: Node) -> bool:
    """An expression statement that never returns: ``panic``, ``os.Exit``, ``log.Fatal*``,
    ``runtime.Goexit``, ``t.Fatal*``/``FailNow``/``Skip*`` and similar methods, or a call to a
    same-file function whose body always ends that way."""
    if stmt.type != "expression_statement" or not stmt.named_children:
        return False
    return never_returns(ctx, unparen(stmt.named_children[0]))


# Names trusted on any receiver or package with ``by_name`` (GXL209: klog.Fatalf, logrus.Panic, t.Goexit).
TERMINATORS = frozenset(("Exit", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln", "FailNow",
                         "Goexit", "Skip", "Skipf", "SkipNow"))


def never_returns(ctx: FileContext, call: Optional[Node], by_name: bool = False) -> bool:
    """The call expression of :func:`no_return_call`; the one "this call never returns" check of every
    family.  ``by_name`` also trusts another package's function or any method named in
    :data:`TERMINATORS` (``klog.Fatalf``, ``logger.Exit``), which the lock rules want and vet's
    lostcancel (types, no names) does not."""
    if call is None or call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    if fn is None:
        return False
    if fn.type == "identifier":  # the name first: resolve() is the costly part
        return (fn.text == b"panic" or fn.text in _no_return_funcs(ctx)) and resolve(fn) is None
    if fn.type == "selector_expression":
        if package_member(ctx, fn, "os", ("Exit",)) or package_member(ctx, fn, "log", _LOG_FATAL) \
                or package_member(ctx, fn, "runtime", ("Goexit",)):
            return True
        operand = fn.child_by_field_name("operand")
        field = fn.child_by_field_name("field")
        name = node_text(field) if field is not None else ""
        if by_name and name in TERMINATORS:
            return True
        if operand is not None and operand.type == "identifier" and ctx.imports.get(node_text(operand)) \
                and resolve(operand) is None:
            return False  # another package's function: unknown
        return name in _FATAL_METHODS and name != "Exit"
    return False


def _no_return_funcs(ctx: FileContext) -> Set[bytes]:
    key = ("ctxflow.no_return_funcs",)
    found = ctx.cache.get(key)
    if found is not None:
        return found
    found = set()
    ctx.cache[key] = found  # guards recursion
    for fn in [c for c in ctx.root.named_children if c.type == "function_declaration"]:
        body = fn.child_by_field_name("body")
        stmts = _stmts(body)
        if stmts and stmts[-1].type == "expression_statement" and stmts[-1] is not None:
            last = stmts[-1]
            call = unparen(last.named_children[0]) if last.named_children else None
            if call is not None and call.type == "call_expression":
                f = call.child_by_field_name("function")
                if f is not None and f.type == "identifier" and f.text == fn.child_by_field_name("name").text:
                    continue
            if no_return_call(ctx, last):
                found.add(fn.child_by_field_name("name").text)
    return found


def _stmts(block: Optional[Node]) -> List[Node]:
    """Statements of a block or case clause (comments dropped)."""
    if block is None:
        return []
    if block.type == "block":
        for c in block.named_children:
            if c.type == "statement_list":
                return [s for s in c.named_children if s.type != "comment"]
        return []
    if block.type == "statement_list":
        return [s for s in block.named_children if s.type != "comment"]
    out = []
    for c in block.named_children:
        if c.type == "statement_list":
            out.extend(s for s in c.named_children if s.type != "comment")
    return out


# --------------------------------------------------------------------------- GXL407 path walk

SAFE, LEAK = 1, 2  # LEAK = reachable with the cancel not yet used on some path


class CancelDomain(Domain):
    """GXL407's states on the :mod:`goexplint.analysis.cfg` walker: the cancel var used (SAFE) or not
    (LEAK) since the ``With*`` call; a path merging both is LEAK."""

    def __init__(self, ctx: FileContext, fn: Node, def_stmt: Node, decl_ident: Node, named_result: bool):
        self.ctx = ctx
        self.def_stmt = def_stmt
        self.named_result = named_result
        self.leaks: List[Node] = []
        self._seen: Set[int] = set()
        self._refs = {r.id for r in references(fn, decl_ident)}

    def _uses(self, node: Node) -> bool:
        if not self._refs:
            return False
        return any(ident.id in self._refs for ident in captures("(identifier) @id", node).get("id", []))

    def join(self, states):
        return frozenset((LEAK,)) if LEAK in states else states

    def no_return(self, call: Node) -> bool:
        return never_returns(self.ctx, call)

    def simple(self, node: Node, state: int):
        """Uses make the path safe; the definition makes it leak."""
        if node == self.def_stmt or (node.start_byte <= self.def_stmt.start_byte
                                     and self.def_stmt.end_byte <= node.end_byte):
            return frozenset((LEAK,))
        return frozenset((SAFE,)) if self._uses(node) else frozenset((state,))

    def reached_return(self, stmt: Node, state: int) -> None:
        if state != LEAK or self._uses(stmt) or (self.named_result and not stmt.named_children):
            return
        if stmt.id not in self._seen:
            self._seen.add(stmt.id)
            self.leaks.append(stmt)


class CancelWalk:
    """Paths from a ``With*`` call to the function's exits on which the cancel var is never used.

    Follows vet's lostcancel: any reference to the variable (nested closures included) is a use, a
    naked return uses a named result, paths ending in a call that never returns are not leaks, loops
    may run zero times and ``for {}`` without ``break`` never ends.  ``goto`` makes it give up.
    """

    def __init__(self, ctx: FileContext, fn: Node, def_stmt: Node, decl_ident: Node, named_result: bool):
        self.fn = fn
        self.domain = CancelDomain(ctx, fn, def_stmt, decl_ident, named_result)

    def run(self) -> Optional[List[Node]]:
        """Return statements (or the closing brace) reached with the cancel unused; None: gave up."""
        body = function_body(self.fn)
        if body is None:
            return []
        if captures("(goto_statement) @g", body).get("g"):
            return None
        end = Walker(self.domain).walk(body, frozenset((SAFE,)))
        leaks = list(self.domain.leaks)
        if LEAK in end.fall:
            leaks.append(body.children[-1] if body.children else body)
        return leaks


def is_named_result(fn: Node, ident_text: bytes) -> bool:
    result = fn.child_by_field_name("result")
    if result is None or result.type != "parameter_list":
        return False
    for p in result.named_children:
        for i in range(p.child_count):
            if p.field_name_for_child(i) == "name" and p.children[i].text == ident_text:
                return True
    return False


STREAMY = re.compile(r"stream|watch|sse|longpoll|long_poll|websocket|(^|[^a-z])ws", re.I)


def result_targets(call: Node) -> Tuple[Optional[Node], List[Node]]:
    """For a call whose results are assigned (``a, b := f()``, ``a, b = f()``, ``var a, b = f()``): the
    assigning statement and its left-hand side nodes.  ``(None, [])`` otherwise."""
    node = call
    p = node.parent
    while p is not None and p.type == "parenthesized_expression":
        node, p = p, p.parent
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


def scope_body(node: Node, ctx: FileContext) -> Node:
    """The body of the function enclosing ``node``, or the file for package-level code."""
    fn = enclosing_function(node)
    body = function_body(fn)
    return body if body is not None else ctx.root


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


_FIELDS = file_query("(field_declaration) @d")  # the same fact as sharedstate's


def struct_field_types(ctx: FileContext) -> Dict[bytes, List[Node]]:
    """Field name -> declared types, for every struct type in the file."""
    key = ("ctxflow.struct_field_types",)
    found = ctx.cache.get(key)
    if found is None:
        found = {}
        for fd in file_captures(ctx, _FIELDS).get("d", []):
            typ = fd.child_by_field_name("type")
            for i in range(fd.child_count):
                if fd.field_name_for_child(i) == "name":
                    found.setdefault(fd.children[i].text, []).append(typ)
        ctx.cache[key] = found
    return found


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


def package_var(ctx: FileContext, name: bytes) -> Optional[Decl]:
    """The file-level ``var`` declaring ``name`` (other files of the package are not read)."""
    key = ("ctxflow.package_vars",)
    table = ctx.cache.get(key)
    if table is None:
        table = {}
        for decl in ctx.root.named_children:
            if decl.type == "var_declaration":
                for ident, kind in _stmt_decls(decl):
                    table.setdefault(ident.text, Decl(ident, kind))
        ctx.cache[key] = table
    return table.get(name)


def short(text: str, limit: int = 30) -> str:
    """Source text for a message: one line, at most ``limit`` characters (``…`` otherwise)."""
    text = text.strip()
    return text if len(text) <= limit and "\n" not in text else "…"


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
    key = ("ctxflow.local_values", d.id)
    if key in ctx.cache:
        return ctx.cache[key]
    values: Optional[List[Node]] = []
    parent = d.parent
    if parent.type == "expression_list":
        stmt = parent.parent
        right = stmt.child_by_field_name("right")
        value = _value_at(parent.named_children, right.named_children if right is not None else [], d)
        values = [value] if value is not None else None
    elif parent.type in ("var_spec", "const_spec"):
        value = Decl(d, decl.kind).value()
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
    ctx.cache[key] = values
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
        if package_func(ctx, expr, NET, ("JoinHostPort",)) and len(argv) == 2:
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
