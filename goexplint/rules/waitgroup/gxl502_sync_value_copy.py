"""GXL502: sync values (and structs holding them) copied by value."""

from goexplint.analysis.copylocks import lock_type_name
from goexplint.core.parse import captures
from goexplint.analysis.sharedstate import enclosing_function, strip_parens
from goexplint.analysis.syntax import is_reference, node_text, resolve

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


def _declared_lock(ctx, ident):
    """The lock type of a variable declared with a lock type by value (``var mu sync.Mutex``, a value
    parameter, ``c := counter{}``), else None."""
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


_NAMED_FUNCS = frozenset(("function_declaration", "method_declaration"))


def _own(ctx, query, func, body):
    """Captures of ``query`` (one capture) inside ``body`` whose innermost function is ``func``, in
    document order.  Each named function is queried once and its captures grouped by function, so
    nested func literals do not make every literal re-query the ones inside it (a func literal at
    package level is queried on its own)."""
    top = func if func.type in _NAMED_FUNCS else ctx.nearest_above(func, _NAMED_FUNCS)
    if top is None:
        return [n for nodes in captures(query, body).values() for n in nodes if enclosing_function(n) == func]
    key = ("gxl502.by_function", query, top.id)
    groups = ctx.cache.get(key)
    if groups is None:
        groups = {}
        for nodes in captures(query, top).values():
            for n in nodes:
                f = enclosing_function(n)
                if f is not None:
                    groups.setdefault(f.id, []).append(n)
        ctx.cache[key] = groups
    return [n for n in groups.get(func.id, ()) if body.start_byte <= n.start_byte and n.end_byte <= body.end_byte]


def _range_copies(match, ctx, func, body):
    for clause in _own(ctx, "(range_clause) @r", func, body):
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


def _value_copies(match, ctx, func, body):
    for ident in _own(ctx, "(identifier) @i", func, body):
        why = _copy_context(ident)  # the cheap syntactic test first (both are pure)
        if why is None or not is_reference(ident, ctx):
            continue
        lock = _declared_lock(ctx, ident)
        if lock is None:
            continue
        yield match.finding(ident, severity=_severity(lock), what=why, lock=_describe(lock), effect=_effect(lock),
                            advice=FIX_COPY.format(name=node_text(ident)))
