"""GXL502: sync values (and structs holding them) copied by value."""

from goexplint.analysis.syntax import is_reference, resolve, scopes, unparen
from goexplint.rules.waitgroup._copylocks import (ASSIGNED, IN_LITERAL, PASSED, RETURNED, SENT, copied_idents,
                                                  declared_lock, lock_declared_names, lock_structs, lock_type_name,
                                                  names_a_lock_type, range_clauses)
from goexplint.core.parse import node_text

REQUIRES = (lock_structs, names_a_lock_type, range_clauses, lock_declared_names, copied_idents, scopes)

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
    """False when no type can hold a lock in this file (every finding is a type written in this file
    that names one)."""
    return names_a_lock_type(ctx)


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


def _range_copies(match, ctx, func, body):
    start, end = body.start_byte, body.end_byte
    for clause in range_clauses(ctx).get(func.id, ()):
        if not (start <= clause.start_byte < end):
            continue
        left = clause.child_by_field_name("left")
        right = unparen(clause.child_by_field_name("right"))
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


def _why(ident, how):
    """What the finding says copies the value (from ``copy_context``)."""
    kind, callee = how
    name = node_text(ident)
    if kind == ASSIGNED:
        return "assigning %s" % name
    if kind == RETURNED:
        return "returning %s" % name
    if kind == PASSED:
        return "passing %s to %s" % (name, node_text(callee) if callee is not None else "a call")
    if kind == IN_LITERAL:
        return "putting %s in a composite literal" % name
    assert kind == SENT, kind
    return "sending %s on a channel" % name


def _value_copies(match, ctx, func, body):
    start, end = body.start_byte, body.end_byte
    for ident, how in copied_idents(ctx).get(func.id, ()):
        if not (start <= ident.start_byte < end) or not is_reference(ident, ctx):
            continue
        lock = declared_lock(ctx, ident)
        if lock is None:
            continue
        yield match.finding(ident, severity=_severity(lock), what=_why(ident, how), lock=_describe(lock),
                            effect=_effect(lock), advice=FIX_COPY.format(name=node_text(ident)))
