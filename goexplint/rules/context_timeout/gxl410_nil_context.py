"""GXL410: nil passed where a context.Context is expected."""

from goexplint.analysis.syntax import (is_package_type, package_member, resolve, scope_decls, scopes, top_level_names,
                                       unparen)
from goexplint.core.parse import captures, node_text
from goexplint.rules.context_timeout._support import CONTEXT, HTTP
from goexplint.core.data import Edit, Fix
from goexplint.analysis.package import model
from goexplint.analysis.types import selection

REQUIRES = (model, selection, scopes, top_level_names)

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
    callee, effect, matched = _callee(ctx, fn)
    if callee:
        evidence = "first parameter is a context.Context" + ("; matched %s" % matched if matched else "")
        yield match.finding(nil, evidence=evidence, callee=callee, effect=effect,
                            matched=" (matched %s)" % matched if matched else "", fixes=_todo_fix(ctx, nil))


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
    """A local declaration of ``name`` is in scope at ``node`` (the scope walk of ``resolve``, for a name
    that no identifier at ``node`` spells)."""
    child, parent = node, node.parent
    while parent is not None and parent.type != "source_file":
        for ident, _ in scope_decls(parent, child, node.start_byte):
            if ident.text == name:
                return True
        child, parent = parent, parent.parent
    return False


def _callee(ctx, fn):
    """(callee shown, effect, matched declaration shown or '') when ``fn``'s first parameter is a context."""
    name = package_member(ctx, fn, CONTEXT, CONTEXT_FUNCS)
    if name:
        return "context." + name, "it panics (cannot create context from nil parent)", ""
    if package_member(ctx, fn, HTTP, ("NewRequestWithContext",)):
        return "http.NewRequestWithContext", "it returns the error \"net/http: nil Context\"", ""
    if package_member(ctx, fn, "os/exec", ("CommandContext",)):
        return "exec.CommandContext", "it panics (nil Context)", ""
    if package_member(ctx, fn, "os/signal", ("NotifyContext",)):
        return "signal.NotifyContext", "it panics", ""
    if fn.type == "selector_expression":
        return _method_callee(ctx, fn)
    if fn.type == "identifier" and resolve(fn) is None:
        decls = model(ctx).all_funcs.get(node_text(fn), ())
        if decls and all(_ctx_first(d.file, d.node) for d in decls):
            shown = "`%s` at %s:%d" % (node_text(fn), decls[0].file.path, decls[0].node.start_point[0] + 1)
            return node_text(fn), "the callee will panic when it uses the context", shown
    return "", "", ""


def _method_callee(ctx, fn):
    """``x.m(nil, …)``: ``m`` is resolved through ``x``'s written type; when that type is unknown, the
    package's one declaration of a method ``m`` is believed, and none when several types declare one."""
    operand = unparen(fn.child_by_field_name("operand"))
    field = node_text(fn.child_by_field_name("field"))
    none = ("", "", "")
    if operand is None or fn.child_by_field_name("operand").type == "parenthesized_expression":
        return none  # (*T).M(nil, …): a method expression, the nil is the receiver
    if operand.type == "identifier" and resolve(operand) is None and (
            operand.text in top_level_names(ctx) or operand.text in ctx.imports):
        return none  # another package's function (signature unknown) or T.M(nil, …), a method expression
    if field.startswith("Set"):
        return none  # SetContext(nil) and the like: resetting is legitimate
    sel = selection(ctx, fn)
    if sel is None or sel.kind == "import":
        return none
    if sel.kind == "typed":
        ref = sel.method
        if ref is None:
            # not declared in the package: another package's type (or a method promoted from one)
            if field in STDLIB_CTX_METHODS and sel.receiver.origin in ("package", "import", "unnamed"):
                return node_text(fn), "the callee will panic or fail when it uses the context", ""
            return none
    else:
        if len(sel.candidates) > 1:
            return none  # the receiver's type is unknown and several types declare the method
        ref = sel.sole_candidate
        if ref is None:
            if field in STDLIB_CTX_METHODS:
                return node_text(fn), "the callee will panic or fail when it uses the context", ""
            return none
    if not _ctx_first(ref.file, ref.node):
        return none  # the method the call resolves to takes something else first
    return node_text(fn), "the callee will panic when it uses the context", "`%s` at %s" % (ref.shown, ref.where)


def _ctx_first(file, decl):
    """The function, method or interface method ``decl`` (declared in ``file``) takes a context.Context
    first, and its body (if it has one) does not check that context for nil (``if ctx == nil {…}``: the
    callee is made for a nil context)."""
    params = decl.child_by_field_name("parameters")
    first = next((p for p in params.named_children if p.type == "parameter_declaration"), None) \
        if params is not None else None
    if first is None or not is_package_type(file, first.child_by_field_name("type"), CONTEXT, "Context"):
        return False
    body = decl.child_by_field_name("body")
    names = {n.text for n in first.children_by_field_name("name")}
    if body is None or not names:
        return True
    for cmp in captures(_NIL_CHECK, body).get("cmp", []):
        sides = cmp.named_children
        if len(sides) == 2 and {s.type for s in sides} == {"identifier", "nil"} \
                and any(s.text in names for s in sides if s.type == "identifier"):
            return False
    return True


_NIL_CHECK = '(binary_expression operator: ["==" "!="]) @cmp'
