"""GXL204 support: variables and fields accessed through ``sync/atomic`` and plainly in the same file.

A path is keyed without types: a package-level variable by its name, a field path (``c.stats.n``) by
the type of its root when the root is a method receiver or a parameter/variable declared with a named
type of this file (``("field", "cache", "stats.n")``), else by its full text (low confidence).
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Dict, List, Optional, Tuple

from tree_sitter import Node

from goexplint.core.parse import FileContext, captures
from goexplint.analysis.package import model
from goexplint.analysis.syntax import (enclosing_function, in_loop_within, is_init, is_reference,
                                       match_rows, normal_text, package_selector, resolve, root_identifier, unparen,
                                       value_copy_root)

ATOMIC = "sync/atomic"
_ATOMIC_FUNC = re.compile(rb"^(Add|Load|Store|Swap|CompareAndSwap|And|Or)(Int32|Int64|Uint32|Uint64|Uintptr|Pointer)$")

_CALLS = """
(call_expression
  function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
  arguments: (argument_list . (unary_expression operator: "&" operand: (_) @target))) @call
"""


@dataclasses.dataclass(frozen=True)
class PathKey:
    kind: str  # "pkg" | "field" | "text" | "local" (a variable holding its function's own value)
    owner: str  # variable name, root type name, or full text
    suffix: str  # field path after the root ("" for package variables)


def _type_name(typ: Optional[Node]) -> Optional[str]:
    while typ is not None and typ.type in ("pointer_type", "parenthesized_type"):
        typ = typ.named_children[0] if typ.named_children else None
    if typ is not None and typ.type == "type_identifier":
        return typ.text.decode()
    if typ is not None and typ.type == "generic_type":
        return _type_name(typ.child_by_field_name("type"))
    return None


def path_key(ctx: FileContext, path: Node) -> Optional[PathKey]:
    path = unparen(path)
    if path is None:
        return None
    if path.type == "identifier":
        if resolve(path) is None and path.text in model(ctx).var_names:
            return PathKey("pkg", path.text.decode(), "")
        return None
    if path.type != "selector_expression":
        return None
    root = root_identifier(path)
    text = normal_text(path)
    if root is None or not text.startswith(root.text.decode() + "."):
        return None
    if root.text in ctx.imports and resolve(root) is None:
        return None  # pkg.Var of another package
    suffix = text[len(root.text) + 1:]
    decl = resolve(root)
    if decl is None:
        if root.text in model(ctx).var_names:
            return PathKey("pkg", root.text.decode(), suffix)
        return None
    if value_copy_root(ctx, root, path):
        # the function's own value (a by-value parameter, a named result, a struct copy, a range value):
        # it matches only atomic accesses of the same variable (a closure of the function capturing it)
        return PathKey("local", "%s:%d" % (ctx.path, decl.ident.start_byte), suffix)
    tname = _type_name(decl.written_type()) if decl.kind in ("param", "var") else None
    if tname is not None:
        return PathKey("field", tname, suffix)
    if decl.kind == "var":
        # a local typed from its initialiser by the field-access index (mb := fs.blks[i], fs.selectBlock(seq))
        from goexplint.analysis.fields import index

        access = index(ctx).at(ctx.path, path.start_byte)
        if access is not None and access.key[0] != "" and access.key[1] == suffix:
            return PathKey("field", access.key[0], suffix)
    return PathKey("text", text, "")


@dataclasses.dataclass
class AtomicSite:
    call: Optional[Node]  # None for a site in another file of the package
    target: Optional[Node]
    key: PathKey
    where: str = ""  # "line 12" in this file, "other.go:12" in a sibling
    load: bool = False  # an atomic Load*: it reads the path, it does not update it


def package_atomic_sites(ctx: FileContext) -> List[AtomicSite]:
    """Atomic sites of this file plus those of the other files of the package (field-access index: a
    field of a package struct or a package-level variable)."""
    from goexplint.analysis.fields import index

    key = ("package_atomic_sites",)
    sites = ctx.cache.get(key)
    if sites is None:
        here = atomic_sites(ctx)
        sites = [s for s in here if not s.load]
        loads = [s for s in here if s.load]
        # The index sees an atomic access only in a file that imports sync/atomic: without one in the
        # package there is nothing to learn from it, so it is not built for this rule.
        others = [a for a in index(ctx).atomic] if any(
            "sync/atomic" in f.imports.values() for f in ctx.package.files if f is not ctx) else []
        for a in others:
            if a.file == ctx.path:
                continue
            owner, path = a.key
            if owner == "":
                var, _, suffix = path.partition(".")
                k = PathKey("pkg", var, suffix)
            else:
                k = PathKey("field", owner, path)
            site = AtomicSite(None, None, k, "%s:%d" % (os.path.basename(a.file), a.line), a.kind != "write")
            (sites if a.kind == "write" else loads).append(site)
        sites += loads  # a path known from loads only is still atomic; an update is the better evidence
        ctx.cache[key] = sites
    return sites


def _is_load(site: AtomicSite) -> bool:
    fn = site.call.child_by_field_name("function") if site.call is not None else None
    field = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else None
    return field is not None and field.text.startswith(b"Load")


def _synchronised_by_lock(ctx: FileContext, node: Node) -> bool:
    """The plain access is ordered with every atomic write of its path: it comes after a wait in its
    function (``wg.Wait()``, ``<-done``), or each atomic writer holds for writing some lock that it holds
    too (the block's lock for one writer, the store's for another: nats msgBlock/fileStore)."""
    from goexplint.analysis.fields import SETUP_NAME, index

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
    from goexplint.analysis.fields import index

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


def atomic_sites(ctx: FileContext) -> List[AtomicSite]:
    key = ("atomic_sites",)
    sites = ctx.cache.get(key)
    if sites is None:
        sites = []
        if ctx.aliases_of(ATOMIC):
            for row in match_rows(_CALLS, ctx.root):
                call, pkg, fn, target = row["call"], row["pkg"], row["fn"], row["target"]
                if not _ATOMIC_FUNC.match(fn.text) or not package_selector(ctx, pkg, ATOMIC):
                    continue
                k = path_key(ctx, target)
                if k is not None:
                    site = AtomicSite(call, unparen(target), k, "line %d" % (call.start_point[0] + 1))
                    site.load = _is_load(site)
                    sites.append(site)
        ctx.cache[key] = sites
    return sites


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


def _access_kind(node: Node) -> str:
    p = node.parent
    while p is not None and p.type == "parenthesized_expression":
        node, p = p, p.parent
    if p is None:
        return "read"
    if p.type in ("inc_statement", "dec_statement"):
        return "incremented"
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "assignment_statement" \
            and p.parent.child_by_field_name("left") == p:
        return "written"
    return "read"


def plain_accesses(ctx: FileContext, root: Node) -> List[Tuple[Node, AtomicSite, str]]:
    """(access node under ``root``, an atomic site of the same path, "read" | "written" | "incremented")."""
    key = ("plain_accesses", root.id)
    found = ctx.cache.get(key)
    if found is not None:
        return found
    found = []
    by_key: Dict[PathKey, AtomicSite] = {}
    for site in package_atomic_sites(ctx):
        by_key.setdefault(site.key, site)
    if by_key:
        atomic_targets = {s.target.id for s in atomic_sites(ctx)}
        # the last name of each atomic path: a candidate must end with one of them
        names = {(k.suffix or k.owner).rsplit(".", 1)[-1].encode() for k in by_key}
        candidates = captures("(selector_expression) @s (identifier) @i", root)
        for node in candidates.get("s", []) + candidates.get("i", []):
            if node.id in atomic_targets:
                continue
            if node.type == "selector_expression":
                field = node.child_by_field_name("field")
                if field is None or field.text not in names:
                    continue
            elif node.text not in names:
                continue
            if node.type == "identifier":
                if not any(k.kind == "pkg" and k.suffix == "" and k.owner == node.text.decode() for k in by_key):
                    continue
                p = node.parent
                if p is not None and p.type == "selector_expression" and p.child_by_field_name("operand") == node:
                    continue  # x.f: the selector is the access
                if not is_reference(node, ctx):
                    continue
            k = path_key(ctx, node)
            site = by_key.get(k) if k is not None else None
            if site is None:
                continue
            parent = node.parent
            while parent is not None and parent.type == "parenthesized_expression":
                parent = parent.parent
            if parent is not None and parent.type == "unary_expression" and parent.child_by_field_name(
                    "operator").type == "&":
                continue  # address taken: passed on, we cannot follow it
            if parent is not None and parent.type == "selector_expression" \
                    and parent.child_by_field_name("operand") is not None \
                    and unparen(parent.child_by_field_name("operand")) == node:
                continue  # a longer path is the access
            func = enclosing_function(node)
            while func is not None and func.type == "func_literal":
                func = enclosing_function(func)
            if func is None or is_init(func):
                continue
            if k.kind == "field" and _creates_value(func, k.owner):
                continue
            if _before_first_goroutine(node, func) or _serial_test(ctx, func):
                continue
            if _self_assigned_from_atomic(node, atomic_targets):
                continue  # x = atomic.AddT(&x, d): GXL205 reports it
            access = _access_kind(node)
            if site.load:
                where = _updated_anywhere(ctx, k)
                if where is None and access == "read":
                    continue  # the package never updates the field atomically (loads only): two reads never race
                if where is not None:
                    site = AtomicSite(None, None, k, where)  # name the update, not the load

            if _unshared_root(ctx, node, func):
                continue
            if _synchronised_by_lock(ctx, node) or (access == "read" and _read_by_sole_writer(ctx, node)):
                continue
            found.append((node, site, access))
    found.sort(key=lambda t: t[0].start_byte)
    ctx.cache[key] = found
    return found


def _unshared_root(ctx: FileContext, node: Node, func: Node) -> bool:
    """The access's root is a value nobody else sees yet: a local built by a constructor-like call
    (``cs := newTestStream()``, the field index's "fresh" root), or a variable pointed at a copy of
    the shared value before the access (``nsub := *sub; sub = &nsub``)."""
    from goexplint.analysis.fields import index

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
        if decl is not None and decl.kind == "var" and _is_ancestor(func, decl.ident):
            return True  # root = &local: from here on the root is the function's own copy
    return False


def _is_ancestor(anc: Node, node: Node) -> bool:
    return anc.start_byte <= node.start_byte and node.end_byte <= anc.end_byte


def _updated_anywhere(ctx: FileContext, key: PathKey) -> Optional[str]:
    """``file.go:line`` of a file of the package that passes ``&….f`` to an atomic update (Add, Store, Swap,
    CompareAndSwap, And, Or), where ``f`` is the key's last field chain after any index (``last.seq`` of
    ``fs.blks[1].last.seq``); None when there is none.  Textual on purpose: the updates the index cannot
    type (promoted fields, untyped locals) count too."""
    path = key.owner.partition(".")[2] if key.kind == "text" else (key.suffix or key.owner)
    tail = re.split(r"[\])]", path)[-1].lstrip(".")
    if not tail:
        return "?"
    cache_key = ("atomic_updated", tail)
    if cache_key not in ctx.package.cache:
        pattern = re.compile(rb"\b(?:Add|Store|Swap|CompareAndSwap|And|Or)(?:Int32|Int64|Uint32|Uint64|Uintptr|Pointer)"
                             rb"\(\s*&[^,()]*?(?<!\w)" + re.escape(tail.encode()) + rb"\s*[,)]")
        got = None
        for f in sorted(ctx.package.files, key=lambda f: (f.path.endswith("_test.go"), f.path)):
            m = pattern.search(f.source)
            if m is not None:
                got = "%s:%d" % (os.path.basename(f.path), f.source.count(b"\n", 0, m.start()) + 1)
                break
        ctx.package.cache[cache_key] = got
    return ctx.package.cache[cache_key]


def _self_assigned_from_atomic(node: Node, atomic_targets) -> bool:
    """``x = atomic.AddT(&x, d)`` (also Swap/And/Or): the assignment target, which GXL205 reports."""
    p = node.parent
    while p is not None and p.type == "parenthesized_expression":
        node, p = p, p.parent
    if p is None or p.type != "expression_list" or p.parent is None or p.parent.type != "assignment_statement":
        return False
    stmt = p.parent
    right = stmt.child_by_field_name("right")
    if stmt.child_by_field_name("left") != p or right is None:
        return False
    text = normal_text(node)
    for row in match_rows(_CALLS, right):
        target = unparen(row["target"])
        if target.id in atomic_targets and _SELF_ASSIGN_FUNC.match(row["fn"].text) \
                and normal_text(target) == text:
            return True
    return False


_SELF_ASSIGN_FUNC = re.compile(rb"^(Add|Swap|And|Or)")


def _before_first_goroutine(node: Node, func: Node) -> bool:
    """A plain access that precedes every ``go`` statement of a function that starts goroutines: the
    goroutines it starts see it through the ``go`` statement's happens-before edge."""
    gos = captures("(go_statement) @g", func).get("g", [])
    return bool(gos) and all(g.start_byte > node.end_byte for g in gos) and not in_loop_within(node, func)


_TEST_FUNC = re.compile(rb"^(Test|Benchmark|Fuzz|Example)")


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


__all__ = ["atomic_sites", "plain_accesses", "path_key"]
