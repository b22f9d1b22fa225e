"""GXL408: context.Background()/TODO() where a ctx or *http.Request parameter is in scope."""

import dataclasses
import re

from goexplint.analysis.syntax import (enclosing_function, is_package_type, outside_parens, package_member, parameters,
                                       resolve, scopes, strip_pointer, top_level_names, unparen)
from goexplint.analysis.values import bound_target, decl_ident_of, references, result_targets
from goexplint.core.parse import activate, captures, node_text
from goexplint.rules.context_timeout._support import (CONTEXT, HTTP, WITH_CANCEL, context_params, creates_detached,
                                                      detaching_func_names, detaching_method_names,
                                                      package_mentions_background)
from goexplint.analysis.package import model
from goexplint.analysis.summaries import package_type_name, summaries

REQUIRES = (model, summaries, context_params, detaching_func_names, detaching_method_names, package_mentions_background,
            scopes, top_level_names)

WITH_FUNCS = WITH_CANCEL + ("WithValue", "WithoutCancel")
# Functions that only read a logger or a trace span out of the context they are given (containerd/log.G
# and .L, logrus/zerolog/logr/klog FromContext, otel trace.SpanFromContext, ctxzap.Extract), and the slog
# logging calls: the context never reaches I/O, so there is nothing a caller's context would cancel.
LOGGER_READERS = {"G", "L", "GetLogger", "Ctx", "FromContext", "FromContextOrDiscard", "LoggerFromContext",
                  "SpanFromContext", "SpanContextFromContext", "Extract"}
LOG_CALLS = {"DebugContext", "InfoContext", "WarnContext", "ErrorContext", "LogAttrs"}
CLEANUP = re.compile(r"shutdown|close|stop|cleanup|teardown", re.I)
# Words of a function or method name that make a call whose result is dropped a log call (``logIf``,
# ``LogIf``, ``auditLogInternal``, ``Logf``, ``logger.LogOnceIf``): its context carries request fields
# for the record, and a log line written after the caller gave up is wanted, not a leak.
LOG_WORDS = {"log", "logf", "logln", "logger", "logs"}
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")


def _scope_params(ctx, call):
    fn = enclosing_function(call)
    params = []
    while fn is not None:
        params = context_params(ctx, fn)
        if params or fn.type != "func_literal" or not _launched(fn):
            break
        fn = enclosing_function(fn)
    return fn, params


def applies(ctx):
    """The file names Background or TODO, or some file of the package creates one (for the calls of
    same-package helpers that do)."""
    return b"Background" in ctx.source or b"TODO" in ctx.source or package_mentions_background(ctx)


def refine(match, ctx):
    if match["samepkg_call"] is not None:
        yield from _same_package_call(match, ctx, match["samepkg_call"])
        return
    call = match["call"]
    name = package_member(ctx, match["fn"], CONTEXT, ("Background", "TODO"))
    if name is None:
        return
    fn, params = _scope_params(ctx, call)
    if not params:
        return
    target = bound_target(call)
    if target is not None and target.type == "identifier" and decl_ident_of(target) in [p for p, _ in params]:
        return  # if ctx == nil { ctx = context.Background() }: defaulting the parameter itself
    if _benign(ctx, call, fn, params):
        return
    if _stored_in_field(ctx, call):
        return  # a long-lived context kept in a struct (h.ctx, cancel = …; &T{Context: …}): detached on purpose
    ident, kind = next(((p, k) for p, k in params if k == "ctx"), params[0])
    pname = node_text(ident)
    repl = pname if kind == "ctx" else "%s.Context()" % pname
    alt = _alt(ctx, repl)
    cleanup = _cleanup_position(call, fn)
    where = " (this looks like cleanup, where detaching is often deliberate)" if cleanup else ""
    what = "the context" if kind == "ctx" else "the request"
    finding = match.finding(call, related=((ident, "%s in scope" % what),),
                            evidence=cleanup or "parameter %s" % pname, fn=name, param=pname,
                            kind="context.Context" if kind == "ctx" else "*http.Request, whose Context() it is",
                            repl=repl, alt=alt, where=where)
    if cleanup:
        finding = dataclasses.replace(finding, severity="note")
    yield finding


def _logger_only(ctx, call):
    """``call`` is the context argument of a logger/span reader of another package (``log.G(…)``) or of a
    slog ``…Context`` logging call."""
    p = call.parent
    if p is None or p.type != "argument_list" or not p.named_children or p.named_children[0] != call:
        return False
    fn = p.parent.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return False
    name = node_text(fn.child_by_field_name("field"))
    if name in LOG_CALLS:
        return True
    operand = fn.child_by_field_name("operand")
    return name in LOGGER_READERS and operand is not None and operand.type == "identifier" \
        and operand.text.decode() in ctx.imports and resolve(operand) is None


def _benign(ctx, call, fn, params):
    """Why the fresh context ``call`` detaches nothing, or "": it only carries a logger or feeds a log
    call, it is compared with, it replaces a context parameter that is nil on this branch, or it is
    cancelled as soon as a context parameter is done (a merge)."""
    if _logger_only(ctx, call):
        return "only reads a logger"  # log.G(context.Background())
    if _log_sink(ctx, call):
        return "only feeds a log call"  # logIf(context.Background(), err)
    if _compared(call):
        return "compared"  # ctx == context.Background()
    if _value_reader(ctx, call) or _getter_arg(call) or _local_for_values(ctx, call, fn):
        return "only its values are read"  # GetConfig(context.Background()): the global config
    if _nil_branch(call, fn, params):
        return "the parameter is nil here"  # if ctx == nil { …context.Background()… }
    if _merged(ctx, call, fn, params):
        return "cancelled with the parameter"  # WithCancel(Background()) + <-ctx.Done(): cancel()
    return ""


def _log_name(name):
    return any(w.lower() in LOG_WORDS for w in _WORDS.findall(name))


def _log_sink(ctx, call):
    """``call`` is an argument of a call named like a log call whose result is dropped (an expression,
    ``defer`` or ``go`` statement); a same-package function of that name must have no results."""
    node, p = outside_parens(call)
    if p is None or p.type != "argument_list":
        return False
    outer = p.parent
    stmt = outer.parent if outer is not None else None
    if stmt is None or stmt.type not in ("expression_statement", "defer_statement", "go_statement"):
        return False
    fn = unparen(outer.child_by_field_name("function"))
    if fn is None:
        return False
    if fn.type == "identifier":
        name = node_text(fn)
        if not _log_name(name):
            return False
        decl = model(ctx).funcs.get(name)
        return decl is None or decl.node.child_by_field_name("result") is None
    if fn.type == "selector_expression":
        return _log_name(node_text(fn.child_by_field_name("field")))
    return False


def _value_reader(ctx, call):
    """``call`` is an argument of a same-package function whose parameter is only read for values
    (``ctx.Value(k)``, ``ctx == nil``): nothing there waits, and a fresh context picks the defaults."""
    p = call.parent
    if p is None or p.type != "argument_list":
        return False
    fn = unparen(p.parent.child_by_field_name("function"))
    if fn is None or fn.type != "identifier" or resolve(fn) is not None:
        return False
    decl = model(ctx).funcs.get(node_text(fn))
    if decl is None or decl.body is None:
        return False
    args = [a for a in p.named_children if a.type != "comment"]
    with activate(decl.file):
        params = [i for i, _ in context_params(decl.file, decl.node)]
        names = _param_names(decl.node)
        if call not in args or args.index(call) >= len(names):
            return False
        param = names[args.index(call)]
        if param is None or param not in params:
            return False
        for ref in references(decl.body, param):
            up = ref.parent
            if up.type == "selector_expression" and node_text(up.child_by_field_name("field")) == "Value" \
                    and up.parent is not None and up.parent.type == "call_expression":
                continue
            if up.type == "binary_expression" and _nil_test(up, [(param, "ctx")]) is not None:
                continue
            return False
    return True


def _getter_arg(node):
    """``node`` is the only argument of a call whose result is read for a field at once
    (``pkg.GetConfig(context.Background()).Dump``): a getter of a value the context carries, which
    returns no error and so does no I/O worth cancelling."""
    p = node.parent
    if p is None or p.type != "argument_list" or len([a for a in p.named_children if a.type != "comment"]) != 1:
        return False
    outer = p.parent
    sel = outer.parent if outer is not None else None
    if sel is None or sel.type != "selector_expression" or sel.child_by_field_name("operand") != outer:
        return False
    up = sel.parent
    return not (up is not None and up.type == "call_expression" and up.child_by_field_name("function") == sel)


def _local_for_values(ctx, call, fn):
    """``c := context.Background()`` whose every use is a getter argument (:func:`_getter_arg`) or goes to a
    same-package function that only reads values (:func:`_value_reader`)."""
    target = bound_target(call)
    if target is None or target.type != "identifier" or target.text == b"_" or fn is None:
        return False
    decl = decl_ident_of(target)
    body = fn.child_by_field_name("body")
    if decl is None or body is None:
        return False
    refs = references(body, decl)
    return bool(refs) and all(_getter_arg(r) or _value_reader(ctx, r) for r in refs)


def _param_names(fn):
    """The parameter identifiers of ``fn`` in order (None for unnamed ones)."""
    return [name for name, _ in parameters(fn.child_by_field_name("parameters"))]


def _compared(call):
    node, p = outside_parens(call)
    if p is None or p.type != "binary_expression":
        return False
    op = p.child_by_field_name("operator")
    return op is not None and node_text(op) in ("==", "!=")


def _nil_test(cond, params):
    """``(P, op)`` when ``cond`` is ``P == nil`` / ``P != nil`` (either order) for a context parameter P."""
    cond = unparen(cond)
    if cond is None or cond.type != "binary_expression":
        return None
    op = node_text(cond.child_by_field_name("operator"))
    if op not in ("==", "!="):
        return None
    left, right = unparen(cond.child_by_field_name("left")), unparen(cond.child_by_field_name("right"))
    if left is not None and left.type == "nil":
        left, right = right, left
    if left is None or right is None or right.type != "nil" or left.type != "identifier":
        return None
    decls = [p for p, _ in params]
    return (left, op) if decl_ident_of(left) in decls else None


def _nil_branch(call, fn, params):
    """``call`` runs only where a context parameter is nil: in ``if P == nil {…}`` or the ``else`` of
    ``if P != nil``."""
    if not params:
        return False
    child, n = call, call.parent
    while n is not None and n != fn:
        if n.type == "if_statement":
            test = _nil_test(n.child_by_field_name("condition"), params)
            if test is not None:
                branch = "consequence" if test[1] == "==" else "alternative"
                if n.child_by_field_name(branch) == child:
                    return True
        if n.type == "statement_list" and _after_non_nil_return(n, child, params):
            return True
        child, n = n, n.parent
    return False


def _after_non_nil_return(stmts, child, params):
    """An earlier statement of the list is ``if P != nil { …; return … }`` without ``else``: what follows
    runs only when P is nil."""
    for stmt in stmts.named_children:
        if stmt == child:
            return False
        if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
            continue
        test = _nil_test(stmt.child_by_field_name("condition"), params)
        if test is None or test[1] != "!=":
            continue
        body = stmt.child_by_field_name("consequence")
        inner = [c for c in body.named_children if c.type == "statement_list"] if body is not None else []
        last = [c for c in inner[0].named_children if c.type != "comment"] if inner else []
        if last and last[-1].type == "return_statement":
            return True
    return False


def _outermost_wrap(ctx, call, funcs):
    """The outermost ``context.With…(…)`` call (of ``funcs``) that takes ``call`` as its parent context,
    through any number of wrappings; ``call`` itself when none does."""
    node = call
    while True:
        p = node.parent
        if p is not None and p.type == "argument_list" and p.named_children and p.named_children[0] == node \
                and package_member(ctx, p.parent.child_by_field_name("function"), CONTEXT, funcs):
            node = p.parent
            continue
        return node


def _merged(ctx, call, fn, params):
    """``x, cancel := context.WithCancel(context.Background())`` whose cancel is used in a function that
    waits on ``P.Done()`` or registers ``context.AfterFunc(P, …)`` for a context parameter P: the fresh
    context is cancelled with the parameter (merging two contexts)."""
    node = _outermost_wrap(ctx, call, WITH_CANCEL)
    if node is call:
        return False
    _, targets = result_targets(node)
    if len(targets) < 2 or targets[1].type != "identifier" or targets[1].text == b"_":
        return False
    body = fn.child_by_field_name("body") if fn is not None else None
    cancel = decl_ident_of(targets[1])
    if body is None or cancel is None or not references(body, cancel):
        return False
    ctx_params = [p for p, k in params if k == "ctx"]
    for sel in captures("(call_expression function: (selector_expression) @sel)", body).get("sel", []):
        operand = sel.child_by_field_name("operand")
        field = node_text(sel.child_by_field_name("field"))
        if field == "Done" and operand is not None and operand.type == "identifier" \
                and decl_ident_of(operand) in ctx_params:
            return True
        if field == "AfterFunc" and package_member(ctx, sel, CONTEXT, ("AfterFunc",)):
            args = sel.parent.child_by_field_name("arguments")
            first = unparen(args.named_children[0]) if args is not None and args.named_children else None
            if first is not None and first.type == "identifier" and decl_ident_of(first) in ctx_params:
                return True
    return False


def _carries_context(ctx, decl):
    """The declaration has a ``context.Context`` or ``*http.Request`` parameter (blank ones too)."""
    plist = decl.child_by_field_name("parameters")
    for p in plist.named_children if plist is not None else ():
        typ = p.child_by_field_name("type")
        if typ is None:
            continue
        if is_package_type(ctx, typ, CONTEXT, "Context") or (
                typ.type == "pointer_type" and is_package_type(ctx, strip_pointer(typ), HTTP, "Request")):
            return True
    return False


def _alt(ctx, repl):
    if ctx.go.at_least((1, 21)):
        return "; if detaching is intended, context.WithoutCancel(%s) keeps its values" % repl
    return ""


def _callee_decl(ctx, call):
    """The same-package FuncDecl a call targets (a package function, or a method found through the
    written type of its receiver variable) when its body mentions Background()/TODO(), and a display
    name.  Cheap name checks come before scope resolution."""
    fn = call.child_by_field_name("function")
    pkg = model(ctx)
    if fn.type == "identifier":
        if node_text(fn) not in detaching_func_names(ctx) or resolve(fn) is not None:
            return None, ""
        return pkg.funcs.get(node_text(fn)), node_text(fn)
    name = node_text(fn.child_by_field_name("field"))
    if name not in detaching_method_names(ctx):
        return None, ""
    operand = fn.child_by_field_name("operand")
    decl = resolve(operand)
    if decl is None:
        return None, ""
    base = package_type_name(decl.written_type())
    if base is None:
        return None, ""
    return pkg.method(base, name), "%s.%s" % (base, name)


def _same_package_call(match, ctx, call):
    if not package_mentions_background(ctx):
        return  # (the package-wide byte test first: it is one lookup per call after the first)
    callee, shown = _callee_decl(ctx, call)  # (name checks first: most calls stop here)
    if not creates_detached(callee):
        return
    fn = enclosing_function(call)
    if fn is None or not context_params(ctx, fn):
        return  # no context in scope (goroutine closures excluded: detaching there is usually deliberate)
    summ = summaries(ctx)
    s = summ.func(callee.name) if callee.receiver is None else summ.method(callee.receiver, callee.name)
    if s is None or s.creates_background is None or s.takes_context:
        return  # none, or the helper takes a context
    with activate(callee.file):
        if _carries_context(callee.file, callee.node):
            return  # the helper has the request (or a blank context): its own Background() is its finding
        bg = _helper_detaches(callee)
    if bg is None:
        return  # every fresh context of the helper is in a closure, kept, cleanup, or detaches nothing
    if enclosing_function(call) is callee.node or enclosing_function(call) == callee.node:
        return  # recursion
    params = context_params(ctx, fn)
    ident, kind = next(((p, k) for p, k in params if k == "ctx"), params[0])
    pname = node_text(ident)
    bg_name = node_text(bg.child_by_field_name("function").child_by_field_name("field"))
    cleanup = _cleanup_position(call, fn)
    what = "the context" if kind == "ctx" else "the request"
    evidence = "%s creates context.%s() at %s:%d" % (shown, bg_name, callee.file.path, bg.start_point[0] + 1)
    finding = match.finding(call, related=((ident, "%s in scope" % what),), evidence=evidence,
                            fn=bg_name, param=pname,
                            kind="context.Context" if kind == "ctx" else "*http.Request, whose Context() it is",
                            repl="%s to %s as a parameter" % (pname if kind == "ctx" else pname + ".Context()", shown),
                            alt=_alt(ctx, pname if kind == "ctx" else pname + ".Context()"),
                            where=" (context.%s() is created inside %s, called here)" % (bg_name, shown))
    if cleanup:
        finding = dataclasses.replace(finding, severity="note")
    yield finding


def _helper_detaches(callee):
    """The first ``context.Background()``/``TODO()`` of the helper's own body (not of its closures) that
    really detaches work: not kept in a field, not cleanup, not only for a logger or a log call, not
    compared with. None when there is none."""
    fctx = callee.file
    found = captures("(call_expression function: (selector_expression field: (field_identifier) @f)) @c",
                     callee.body)
    for bg in found.get("c", []):
        if not package_member(fctx, bg.child_by_field_name("function"), CONTEXT, ("Background", "TODO")):
            continue
        if enclosing_function(bg) != callee.node:
            continue
        if _stored_in_field(fctx, bg) or _cleanup_position(bg, callee.node) or _benign(fctx, bg, callee.node, []):
            continue
        return bg
    return None


def _stored_in_field(ctx, call):
    """The fresh context (possibly wrapped by context.With*) is stored in a struct field or literal key."""
    node = _outermost_wrap(ctx, call, WITH_FUNCS)
    stmt, targets = result_targets(node)
    target = targets[0] if targets else bound_target(node)
    return target is not None and target.type in ("selector_expression", "literal_element")


def _launched(lit):
    """A func literal run as a goroutine: ``go func(){…}()`` or passed to ``X.Go(…)``."""
    p = lit.parent
    if p is not None and p.type == "call_expression" and p.parent is not None and p.parent.type == "go_statement":
        return True
    if p is not None and p.type == "argument_list" and p.parent is not None:
        f = p.parent.child_by_field_name("function")
        return f is not None and f.type == "selector_expression" and node_text(f.child_by_field_name("field")) == "Go"
    return False


def _cleanup_position(call, fn):
    n = call.parent
    while n is not None and n != fn:
        if n.type == "defer_statement":
            return "in a defer statement"
        if n.type == "call_expression":
            f = n.child_by_field_name("function")
            if f is not None and f.type == "selector_expression" and CLEANUP.search(
                    node_text(f.child_by_field_name("field"))):
                return "argument of %s" % node_text(f.child_by_field_name("field"))
        n = n.parent
    f = enclosing_function(call)
    while f is not None:
        if f.type != "func_literal":
            name = f.child_by_field_name("name")
            if name is not None and CLEANUP.search(node_text(name)):
                return "in %s" % node_text(name)
            break
        f = enclosing_function(f)
    return ""
