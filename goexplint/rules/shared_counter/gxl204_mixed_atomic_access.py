"""GXL204: a path updated through sync/atomic somewhere in the package and accessed plainly here.

The atomic and plain access sites are the facts of :mod:`goexplint.analysis.atomicmix`; this module
decides which plain accesses race with the atomic ones (the exclusions of the query file's "Not reported").
"""

import re

from tree_sitter import Node

from goexplint.analysis.atomicmix import (ATOMIC_CALLS, AtomicSite, PlainAccess, atomic_sites, atomic_update_line,
                                          atomic_update_of, plain_access_sites)
from goexplint.analysis.fields import SETUP_NAME, index
from goexplint.analysis.syntax import (in_loop_within, is_ancestor, is_init, match_rows, normal_text, outside_parens,
                                       resolve, root_identifier, unparen)
from goexplint.core.parse import FileContext, captures

REQUIRES = (plain_access_sites, atomic_sites, atomic_update_line, index)

# read-modify-write functions whose result, stored back into the path, is GXL205's finding
_SELF_ASSIGN_FUNC = re.compile(rb"^(Add|Swap|And|Or)")
_TEST_FUNC = re.compile(rb"^(Test|Benchmark|Fuzz|Example)")


def refine(match, ctx):
    for node, site, access in _racy_plain_accesses(ctx, match["file"]):
        low = site.key.kind == "text"
        related = ((site.call, "atomic access here"),) if site.call is not None else ()
        yield match.finding(node, related=related, confidence="low" if low else None,
                            evidence="atomic at %s; plain %s" % (site.where, access),
                            var=normal_text(node), atomic_at=site.where, access="is " + access)


def _racy_plain_accesses(ctx: FileContext, root: Node):
    """(plain access node, the atomic site to name, "read" | "written" | "incremented") for each plain
    access under ``root`` that may race with an atomic update of its path."""
    atomic_targets = {s.target.id for s in atomic_sites(ctx)}
    for p in plain_access_sites(ctx, root):
        if _excluded(ctx, p):
            continue
        if _self_assigned_from_atomic(p.node, atomic_targets):
            continue  # x = atomic.AddT(&x, d): GXL205 reports it
        site = p.site
        if site.load:
            where = atomic_update_of(ctx, p.key)
            if where is None and p.kind == "read":
                continue  # the package never updates the field atomically (loads only): two reads never race
            if where is not None:
                site = AtomicSite(None, None, p.key, where)  # name the update, not the load
        if _unshared_root(ctx, p.node, p.func):
            continue
        if _synchronised_by_lock(ctx, p.node) or (p.kind == "read" and _read_by_sole_writer(ctx, p.node)):
            continue
        yield p.node, site, p.kind


def _excluded(ctx: FileContext, p: PlainAccess) -> bool:
    """The access happens before anything could race with it: at package level or in ``init``, in a
    function that builds the value, before every ``go`` statement of its function, or in a serial test."""
    if p.func is None or is_init(p.func):
        return True
    if p.key.kind == "field" and _creates_value(p.func, p.key.owner):
        return True
    return _before_first_goroutine(p.node, p.func) or _serial_test(ctx, p.func)


def _creates_value(func: Node, type_name: str) -> bool:
    """The function builds a value of the type (``T{…}``, ``&T{…}``, ``new(T)``): before publication."""
    for lit in captures("(composite_literal type: (type_identifier) @t)", func).get("t", []):
        if lit.text.decode() == type_name:
            return True
    for call in captures("(call_expression function: (identifier) @f arguments: (argument_list (type_identifier) @t))",
                         func).get("t", []):
        if call.text.decode() == type_name:
            return True
    return False


def _before_first_goroutine(node: Node, func: Node) -> bool:
    """A plain access that precedes every ``go`` statement of a function that starts goroutines: the
    goroutines it starts see it through the ``go`` statement's happens-before edge."""
    gos = captures("(go_statement) @g", func).get("g", [])
    return bool(gos) and all(g.start_byte > node.end_byte for g in gos) and not in_loop_within(node, func)


def _serial_test(ctx: FileContext, func: Node) -> bool:
    """A test or benchmark function of a ``_test.go`` file that does not go parallel: the testing
    package runs it on its own, so its plain accesses do not race with other tests' atomics."""
    if not ctx.is_test or func.type != "function_declaration":
        return False
    name = func.child_by_field_name("name")
    if name is None or not _TEST_FUNC.match(name.text):
        return False
    text = ctx.source[func.start_byte:func.end_byte]
    return b".Parallel()" not in text and b".RunParallel(" not in text and b"go " not in text


def _self_assigned_from_atomic(node: Node, atomic_targets) -> bool:
    """``x = atomic.AddT(&x, d)`` (also Swap/And/Or): the assignment target, which GXL205 reports."""
    node, p = outside_parens(node)
    if p is None or p.type != "expression_list" or p.parent is None or p.parent.type != "assignment_statement":
        return False
    stmt = p.parent
    right = stmt.child_by_field_name("right")
    if stmt.child_by_field_name("left") != p or right is None:
        return False
    text = normal_text(node)
    for row in match_rows(ATOMIC_CALLS, right):
        target = unparen(row["target"])
        if target.id in atomic_targets and _SELF_ASSIGN_FUNC.match(row["fn"].text) \
                and normal_text(target) == text:
            return True
    return False


def _unshared_root(ctx: FileContext, node: Node, func: Node) -> bool:
    """The access's root is a value nobody else sees yet: a local built by a constructor-like call
    (``cs := newTestStream()``, the field index's "fresh" root), or a variable pointed at a copy of
    the shared value before the access (``nsub := *sub; sub = &nsub``)."""
    root = root_identifier(node) if node.type == "selector_expression" else None
    if root is None or resolve(root) is None:
        return False
    access = index(ctx).at(ctx.path, node.start_byte)
    if access is not None and access.root_kind in ("fresh", "copy"):
        return True
    name = root.text
    for stmt in captures("(assignment_statement) @a", func).get("a", []):
        if stmt.start_byte >= node.start_byte:
            continue
        left = stmt.child_by_field_name("left")
        right = stmt.child_by_field_name("right")
        if left is None or right is None or len(left.named_children) != 1 or len(right.named_children) != 1:
            continue
        target, value = unparen(left.named_children[0]), unparen(right.named_children[0])
        if target is None or target.type != "identifier" or target.text != name or value is None \
                or value.type != "unary_expression" or value.child_by_field_name("operator").type != "&":
            continue
        copy = unparen(value.child_by_field_name("operand"))
        decl = resolve(copy) if copy is not None and copy.type == "identifier" else None
        if decl is not None and decl.kind == "var" and is_ancestor(func, decl.ident):
            return True  # root = &local: from here on the root is the function's own copy
    return False


def _synchronised_by_lock(ctx: FileContext, node: Node) -> bool:
    """The plain access is ordered with every atomic write of its path: it comes after a wait in its
    function (``wg.Wait()``, ``<-done``), or each atomic writer holds for writing some lock that it holds
    too (the block's lock for one writer, the store's for another: nats msgBlock/fileStore)."""
    ix = index(ctx)
    access = ix.at(ctx.path, node.start_byte)
    if access is None:
        return False
    if access.after_wait or (access.kind == "write" and SETUP_NAME.match(access.func)):
        return True  # after a wait; in-place initialisation in a set-up function (init, InitialState)
    # atomic accesses of values not shared yet (built here, or a method run only on such values) race with nothing
    atomics = [a for a in ix.of(access.key) if a.atomic and not ix.unpublished(a)]
    writers = [a for a in atomics if a.kind == "write"]
    if not writers:
        return False
    # each atomic writer holds, for writing, some lock that we hold too (lockset: every write is excluded)
    mine = [lk.guard for lk in access.locks if lk.guard[0] not in ("?", "@")]
    if mine and all(any(_holds(ix, a, g, True) for g in mine) for a in writers):
        return True
    for lk in access.locks:
        if lk.guard[0] in ("?", "@"):
            continue
        # we hold it for writing and every atomic access holds it too (atomics under RLock, reset under Lock)
        if lk.mode == "W" and all(_holds(ix, a, lk.guard, False) for a in atomics):
            return True
    return False


def _read_by_sole_writer(ctx: FileContext, node: Node) -> bool:
    """A plain read on the only goroutine that writes the path: the read and every write are reached from
    one origin (one ``go`` launch on a value of its own, or one entry method's parameter) through the
    package's method calls (``FieldIndex.read_by_sole_writer``)."""
    ix = index(ctx)
    access = ix.at(ctx.path, node.start_byte)
    return access is not None and ix.read_by_sole_writer(access)


def _holds(ix, access, guard, write: bool) -> bool:
    """``access`` holds lock ``guard`` (a caller-held ``(T, "*")`` matches any lock of T, both ways), itself
    or, in an unexported method on its receiver, through every same-package caller (one level up)."""
    for lk in access.locks:
        same = lk.guard == guard or (lk.guard[0] == guard[0] and "*" in (lk.guard[1], guard[1]))
        if same and (not write or lk.mode == "W"):
            return True
    return access.root_kind == "receiver" and access.method is not None and guard[0] == access.method[0] \
        and ix.callers_hold(access.method, guard, write)
