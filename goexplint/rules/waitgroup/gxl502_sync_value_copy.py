"""GXL502: sync values (and structs holding them) copied by value."""

from goexplint.analysis.package import model
from goexplint.analysis.copylocks import PKGS, lock_structs, lock_type_name
from goexplint.core.facts import file_captures, file_query
from goexplint.core.parse import captures
from goexplint.analysis.sharedstate import enclosing_function, strip_parens
from goexplint.analysis.syntax import is_reference, node_text, resolve

REQUIRES = (model,)

FIX_PARAM = "take a pointer ({star}{typ}) instead"
FIX_COPY = "use a pointer to it (&{name}) or restructure so the original is used"


def _effect(lock):
    if lock.endswith("WaitGroup"):
        return "Add/Done/Wait on the copy do not reach the original WaitGroup (Wait can hang or return early)"
    if lock.startswith("atomic."):
        return "updates to the copy are not seen through the original (and the copy itself is not atomic)"
    return "locking the copy does not exclude code that locks the original"


def _severity(lock):
    return "error" if lock.endswith("WaitGroup") else None


def _params(func, field):
    plist = func.child_by_field_name(field)
    if plist is None:
        return []
    return [p for p in plist.named_children if p.type in ("parameter_declaration", "variadic_parameter_declaration")]


def applies(ctx):
    """False when no type can hold a lock in this file: its text contains the name of no sync or
    sync/atomic type of an imported package and of no lock-holding struct of the package (every
    finding is a type written in this file that names one of them)."""
    key = ("gxl502.may_hold_locks",)
    got = ctx.cache.get(key)
    if got is None:
        names = set(lock_structs(ctx))  # every lock type is named in the file where it is copied
        for path in ctx.imports.values():
            names.update(PKGS.get(path, ()))
        source = ctx.source
        got = ctx.cache[key] = any(name in source for name in names)
    return got


def refine(match, ctx):
    func = match["func"]
    body = func.child_by_field_name("body")
    fields = ("receiver", "parameters") if func.type == "method_declaration" else ("parameters",)
    for field in fields:
        for p in _params(func, field):
            typ = p.child_by_field_name("type")
            lock = lock_type_name(ctx, typ)
            if lock is None or p.type == "variadic_parameter_declaration":
                continue
            names = [c for c in p.named_children if c.type == "identifier"]
            what = ("value receiver %s" if field == "receiver" else "parameter %s") % (
                node_text(names[0]) if names else "_")
            yield match.finding(p, severity=_severity(lock), what=what, lock=_describe(lock), effect=_effect(lock),
                                advice=FIX_PARAM.format(star="*", typ=node_text(typ)))
    if body is None:
        return
    yield from _range_copies(match, ctx, func, body)
    yield from _value_copies(match, ctx, func, body)


def _describe(lock):
    return lock if "." in lock else "a %s (which holds a lock)" % lock


_LOCK_DECLS = file_query("""
(parameter_declaration type: (_) @t)
(var_spec type: (_) @t)
(composite_literal type: (_) @t)
""")
_RANGES = file_query("(range_clause) @r")


def _lock_declared_names(ctx):
    """Names that some declaration of the file gives a lock type by value (a parameter or ``var`` with
    a lock type, a name initialised with a lock-typed composite literal): ``_declared_lock`` can only
    answer for these, so other identifiers are not resolved at all.  One query per file."""
    key = ("gxl502.lock_names",)
    got = ctx.cache.get(key)
    if got is None:
        got = ctx.cache[key] = set()
        for typ in file_captures(ctx, _LOCK_DECLS).get("t", []):
            decl = typ.parent
            if decl is None or lock_type_name(ctx, typ) is None:
                continue
            if decl.type in ("parameter_declaration", "var_spec"):
                got.update(c.text for c in decl.named_children if c.type == "identifier")
                continue
            n = strip_parens(decl)  # a composite literal: the names on the left of its statement
            p = n.parent
            while p is not None and p.type in ("parenthesized_expression", "expression_list"):
                p = p.parent
            if p is not None and p.type in ("short_var_declaration", "var_spec"):
                left = p.child_by_field_name("left") if p.type == "short_var_declaration" else p
                if left is not None:
                    got.update(c.text for c in left.named_children if c.type == "identifier")
    return got


def _declared_lock(ctx, ident):
    """The lock type of a variable declared with a lock type by value (``var mu sync.Mutex``, a value
    parameter, ``c := counter{}``), else None."""
    if ident.text not in _lock_declared_names(ctx):
        return None
    decl = resolve(ident)
    if decl is None:
        return None
    lock = lock_type_name(ctx, decl.written_type())
    if lock is not None:
        return lock
    value = strip_parens(decl.value())
    if value is not None and value.type == "composite_literal":
        return lock_type_name(ctx, value.child_by_field_name("type"))
    return None


def _range_clauses(ctx):
    """Enclosing function id -> its range clauses (one query per file, not one per function)."""
    key = ("gxl502.ranges",)
    got = ctx.cache.get(key)
    if got is None:
        got = ctx.cache[key] = {}
        for clause in file_captures(ctx, _RANGES).get("r", []):
            func = enclosing_function(clause)
            if func is not None:
                got.setdefault(func.id, []).append(clause)
    return got


def _range_copies(match, ctx, func, body):
    start, end = body.start_byte, body.end_byte
    for clause in _range_clauses(ctx).get(func.id, ()):
        if not (start <= clause.start_byte < end):
            continue
        left = clause.child_by_field_name("left")
        right = strip_parens(clause.child_by_field_name("right"))
        if left is None or len(left.named_children) < 2 or right is None or right.type != "identifier":
            continue
        value = left.named_children[1]
        if value.type != "identifier" or value.text == b"_":
            continue
        decl = resolve(right)
        typ = decl.written_type() if decl is not None else None
        if typ is None or typ.type not in ("slice_type", "array_type"):
            continue
        lock = lock_type_name(ctx, typ.child_by_field_name("element"))
        if lock is not None:
            yield match.finding(value, severity=_severity(lock), what="range variable %s" % node_text(value),
                                lock=_describe(lock), effect=_effect(lock),
                                advice="range over the indexes and use &%s[i]" % node_text(right))


_SAFE_CALLS = {b"len", b"cap", b"Sizeof", b"Alignof", b"Offsetof", b"new", b"print", b"println"}


def _copy_context(ident):
    """Why the identifier's value is copied here, or None when it is not copied."""
    node = ident
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    if parent is None:
        return None
    t = parent.type
    if t == "expression_list":
        gp = parent.parent
        if gp is None:
            return None
        if gp.type in ("assignment_statement", "short_var_declaration") and gp.child_by_field_name("right") == parent:
            return "assigning %s" % node_text(ident)
        if gp.type == "var_spec":
            return "assigning %s" % node_text(ident)
        if gp.type == "return_statement":
            return "returning %s" % node_text(ident)
        return None
    if t == "return_statement":
        return "returning %s" % node_text(ident)
    if t == "argument_list":
        call = parent.parent
        fn = call.child_by_field_name("function") if call is not None else None
        name = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
        if name is not None and name.text in _SAFE_CALLS:
            return None
        return "passing %s to %s" % (node_text(ident), node_text(fn) if fn is not None else "a call")
    if t == "literal_element":
        kv = parent.parent
        if kv is not None and kv.type == "keyed_element" and kv.child_by_field_name("key") == parent:
            return None
        return "putting %s in a composite literal" % node_text(ident)
    if t == "send_statement" and parent.child_by_field_name("value") == node:
        return "sending %s on a channel" % node_text(ident)
    return None


def _copied_idents(ctx):
    """Enclosing function id -> [(identifier, why)] for every identifier of the file whose value is
    copied (``_copy_context``), in document order: one pass over the file instead of one per function
    (nested function literals made that quadratic)."""
    key = ("gxl502.copied",)
    got = ctx.cache.get(key)
    if got is None:
        got = ctx.cache[key] = {}
        names = _lock_declared_names(ctx)  # only these can be reported (``_declared_lock``)
        if not names:
            return got
        for ident in captures("(identifier) @i", ctx.root).get("i", []):
            if ident.text not in names:
                continue
            why = _copy_context(ident)  # the cheap syntactic test first
            if why is None:
                continue
            func = enclosing_function(ident)
            if func is not None:
                got.setdefault(func.id, []).append((ident, why))
    return got


def _value_copies(match, ctx, func, body):
    start, end = body.start_byte, body.end_byte
    for ident, why in _copied_idents(ctx).get(func.id, ()):
        if not (start <= ident.start_byte < end) or not is_reference(ident, ctx):
            continue
        lock = _declared_lock(ctx, ident)
        if lock is None:
            continue
        yield match.finding(ident, severity=_severity(lock), what=why, lock=_describe(lock), effect=_effect(lock),
                            advice=FIX_COPY.format(name=node_text(ident)))
