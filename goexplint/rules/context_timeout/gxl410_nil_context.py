"""GXL410: nil passed where a context.Context is expected."""

from goexplint.analysis.ctxflow import CONTEXT, HTTP, is_package_type, package_member, top_level_names, unparen
from goexplint.core.data import Edit, Fix
from goexplint.core.facts import file_captures, file_query
from goexplint.analysis.syntax import node_text, resolve, scope_decls

# Methods of the standard library (database/sql, net, crypto/tls, net/http) whose first parameter is a
# context.Context: a nil there fails whatever the receiver's type is.  Any other name that merely ends
# in "Context" is only believed when a same-file declaration of it takes a context.Context first.
STDLIB_CTX_METHODS = frozenset((
    "BeginTx", "ExecContext", "QueryContext", "QueryRowContext", "PrepareContext", "PingContext",
    "StmtContext", "DialContext", "HandshakeContext", "WithContext",
))

CONTEXT_FUNCS = ("WithCancel", "WithCancelCause", "WithTimeout", "WithTimeoutCause", "WithDeadline",
                 "WithDeadlineCause", "WithValue", "WithoutCancel", "AfterFunc", "Cause")


def refine(match, ctx):
    fn = unparen(match["fn"])
    nil = match["nil"]
    callee, effect = _callee(ctx, fn)
    if callee:
        yield match.finding(nil, evidence="first parameter is a context.Context", callee=callee, effect=effect,
                            fixes=_todo_fix(ctx, nil))


def _todo_fix(ctx, nil):
    """Replace ``nil`` with ``<context>.TODO()`` when the file imports context under a usable name
    that no local shadows at this point."""
    if _context_in_scope(ctx, nil):
        return ()  # the right fix passes that ctx: a behaviour change (cancellation), so no safe fix
    for name in sorted(ctx.aliases_of(CONTEXT)):
        if name.startswith("."):
            continue
        if _shadowed(nil, name.encode()):
            continue
        return (Fix("Pass %s.TODO() instead of nil" % name, (Edit(nil.start_byte, nil.end_byte, name + ".TODO()"),)),)
    return ()


def _context_in_scope(ctx, node):
    """An enclosing function has a context.Context or *http.Request parameter."""
    n = node.parent
    while n is not None:
        if n.type in ("function_declaration", "method_declaration", "func_literal"):
            params = n.child_by_field_name("parameters")
            for p in params.named_children if params is not None else []:
                typ = p.child_by_field_name("type")
                if is_package_type(ctx, typ, CONTEXT, "Context"):
                    return True
                if typ is not None and typ.type == "pointer_type" and typ.named_children \
                        and is_package_type(ctx, typ.named_children[0], HTTP, "Request"):
                    return True
        n = n.parent
    return False


def _shadowed(node, name):
    """A local declaration of ``name`` is in scope at ``node`` (S2 walk via a synthetic lookup)."""
    child, parent = node, node.parent
    while parent is not None and parent.type != "source_file":
        for ident, _ in scope_decls(parent, child, node.start_byte):
            if ident.text == name:
                return True
        child, parent = parent, parent.parent
    return False


def _callee(ctx, fn):
    name = package_member(ctx, fn, CONTEXT, CONTEXT_FUNCS)
    if name:
        return "context." + name, "it panics (cannot create context from nil parent)"
    if package_member(ctx, fn, HTTP, ("NewRequestWithContext",)):
        return "http.NewRequestWithContext", "it returns the error \"net/http: nil Context\""
    if package_member(ctx, fn, "os/exec", ("CommandContext",)):
        return "exec.CommandContext", "it panics (nil Context)"
    if package_member(ctx, fn, "os/signal", ("NotifyContext",)):
        return "signal.NotifyContext", "it panics"
    if fn.type == "selector_expression":
        operand = unparen(fn.child_by_field_name("operand"))
        field = node_text(fn.child_by_field_name("field"))
        if operand is None or fn.child_by_field_name("operand").type == "parenthesized_expression":
            return "", ""  # (*T).M(nil, …): a method expression, the nil is the receiver
        if operand.type == "identifier" and resolve(operand) is None and (
                operand.text in top_level_names(ctx) or operand.text in ctx.imports):
            return "", ""  # another package's function (signature unknown) or T.M(nil, …), a method expression
        if field.startswith("Set"):
            return "", ""  # SetContext(nil) and the like: resetting is legitimate
        declared = _same_file_ctx_first(ctx, field.encode(), methods=True)
        if declared is False:
            return "", ""  # this file declares a method of that name that takes something else first
        if field in STDLIB_CTX_METHODS:
            return node_text(fn), "the callee will panic or fail when it uses the context"
        if declared:
            return node_text(fn), "the callee will panic when it uses the context"
        return "", ""
    if fn.type == "identifier" and resolve(fn) is None and _same_file_ctx_first(ctx, fn.text, methods=False):
        return node_text(fn), "the callee will panic when it uses the context"
    return "", ""


_METHODS = file_query("(source_file (method_declaration) @d) (method_elem) @d")


def _same_file_ctx_first(ctx, name, methods):
    """True when every same-file function (or method, interface methods included) called ``name`` takes a
    context.Context first, False when one of them does not, None when the file declares none."""
    key = ("gxl410.ctx_first", methods)
    table = ctx.cache.get(key)
    if table is None:
        table = {}
        decls = file_captures(ctx, _METHODS).get("d", []) if methods \
            else [c for c in ctx.root.named_children if c.type == "function_declaration"]
        for decl in decls:
            params = decl.child_by_field_name("parameters")
            first = next((p for p in params.named_children if p.type == "parameter_declaration"), None) \
                if params is not None else None
            ok = first is not None and is_package_type(ctx, first.child_by_field_name("type"), CONTEXT, "Context")
            n = decl.child_by_field_name("name").text
            table[n] = table.get(n, True) and ok
        ctx.cache[key] = table
    return table.get(name)
