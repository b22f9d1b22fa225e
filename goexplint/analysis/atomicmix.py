"""Variables and fields accessed both through ``sync/atomic`` and plainly: the atomic sites of the
package (the paths passed as ``&P`` to ``sync/atomic`` functions) and the plain accesses of those paths
in a file (:func:`plain_access_sites`), with where the package updates a path atomically.

A path is keyed without types: a package-level variable by its name, a field path (``c.stats.n``) by
the type of its root when the root is a method receiver or a parameter/variable declared with a named
type of this file (``("field", "cache", "stats.n")``), else by its full text (low confidence).
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Dict, List, Optional

from tree_sitter import Node

from goexplint.analysis.fields import index
from goexplint.analysis.package import model
from goexplint.analysis.syntax import (enclosing_function, file_has, files_having, is_reference, match_rows,
                                       normal_text, outside_parens, package_selector, resolve, root_identifier,
                                       unparen, value_copy_root)
from goexplint.core.parse import FileContext, captures
from goexplint.core.providers import FILE, PACKAGE, provider

ATOMIC = "sync/atomic"
_ATOMIC_FUNC = re.compile(rb"^(Add|Load|Store|Swap|CompareAndSwap|And|Or)(Int32|Int64|Uint32|Uint64|Uintptr|Pointer)$")

# a call of a package's function with ``&target`` as its first argument
ATOMIC_CALLS = """
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


@provider(scope=FILE, requires=(model, index))
def atomic_sites(ctx: FileContext) -> List[AtomicSite]:
    """The file's calls of ``sync/atomic`` functions on ``&path``, each with the key of its path."""
    sites = []
    if ctx.aliases_of(ATOMIC):
        for row in match_rows(ATOMIC_CALLS, ctx.root):
            call, pkg, fn, target = row["call"], row["pkg"], row["fn"], row["target"]
            if not _ATOMIC_FUNC.match(fn.text) or not package_selector(ctx, pkg, ATOMIC):
                continue
            k = path_key(ctx, target)
            if k is not None:
                site = AtomicSite(call, unparen(target), k, "line %d" % (call.start_point[0] + 1))
                site.load = _is_load(site)
                sites.append(site)
    return sites


@provider(scope=FILE, requires=(atomic_sites, index, file_has, files_having))
def package_atomic_sites(ctx: FileContext) -> List[AtomicSite]:
    """Atomic sites of this file plus those of the other files of the package (field-access index: a
    field of a package struct or a package-level variable); updates first, then loads."""
    here = atomic_sites(ctx)
    sites = [s for s in here if not s.load]
    loads = [s for s in here if s.load]
    # The index sees an atomic access only in a file that imports sync/atomic: without one in the
    # package there is nothing to learn from it, so it is not built for this.  (A byte test: a sibling's
    # imports would need its tree; a sibling that only names the package finds nothing in the index.)
    named = files_having(ctx, ATOMIC.encode()) - file_has(ctx, ATOMIC.encode())  # (the other files)
    others = [a for a in index(ctx).atomic] if named > 0 else []
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
    return sites


def _is_load(site: AtomicSite) -> bool:
    fn = site.call.child_by_field_name("function") if site.call is not None else None
    field = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else None
    return field is not None and field.text.startswith(b"Load")


def _access_kind(node: Node) -> str:
    node, p = outside_parens(node)
    if p is None:
        return "read"
    if p.type in ("inc_statement", "dec_statement"):
        return "incremented"
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "assignment_statement" \
            and p.parent.child_by_field_name("left") == p:
        return "written"
    return "read"


@dataclasses.dataclass(frozen=True)
class PlainAccess:
    node: Node  # the identifier or selector read or written plainly
    key: PathKey
    site: AtomicSite  # the first atomic site of the package with the same key (updates before loads)
    func: Optional[Node]  # the enclosing function or method declaration (through closures); None at package level
    kind: str  # "read" | "written" | "incremented"


@provider(scope=FILE, requires=(package_atomic_sites, atomic_sites, model, index))
def plain_access_sites(ctx: FileContext, root: Node) -> List[PlainAccess]:
    """The plain accesses under ``root`` of paths that some file of the package accesses atomically, in
    document order.  A path whose address is taken (passed on) is no access, and of nested paths
    (``x.a`` in ``x.a.b``) only the longest is one; the atomic calls' own ``&path`` are not plain."""
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
            parent = outside_parens(node)[1]
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
            found.append(PlainAccess(node, k, site, func, _access_kind(node)))
    found.sort(key=lambda a: a.node.start_byte)
    return found


@provider(scope=PACKAGE)
def atomic_update_line(ctx: FileContext, tail: str) -> Optional[str]:
    """``file.go:line`` of the first file of the package (non-test files first) that passes ``&….tail`` to
    an atomic update (Add, Store, Swap, CompareAndSwap, And, Or); None when none does.  Textual on
    purpose: the updates the field-access index cannot type (promoted fields, untyped locals) count too."""
    pattern = re.compile(rb"\b(?:Add|Store|Swap|CompareAndSwap|And|Or)(?:Int32|Int64|Uint32|Uint64|Uintptr|Pointer)"
                         rb"\(\s*&[^,()]*?(?<!\w)" + re.escape(tail.encode()) + rb"\s*[,)]")
    for f in sorted(ctx.package.files, key=lambda f: (f.path.endswith("_test.go"), f.path)):
        m = pattern.search(f.source)
        if m is not None:
            return "%s:%d" % (os.path.basename(f.path), f.source.count(b"\n", 0, m.start()) + 1)
    return None


def atomic_update_of(ctx: FileContext, key: PathKey) -> Optional[str]:
    """Where a file of the package updates the path of ``key`` atomically (:func:`atomic_update_line` of
    its last field chain after any index: ``last.seq`` of ``fs.blks[1].last.seq``); "?" when the path
    has no such chain."""
    path = key.owner.partition(".")[2] if key.kind == "text" else (key.suffix or key.owner)
    tail = re.split(r"[\])]", path)[-1].lstrip(".")
    if not tail:
        return "?"
    return atomic_update_line(ctx, tail)
