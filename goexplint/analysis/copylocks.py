"""Lock-bearing types for GXL502, without types: ``sync.Mutex`` & co. and same-package structs that
contain one by value (directly, embedded, or through another such struct)."""

from __future__ import annotations

import bisect
import re
from typing import Dict, List, Optional, Tuple

from tree_sitter import Node

from goexplint.analysis.package import model, type_params_in_scope
from goexplint.core.parse import FileContext, captures
from goexplint.analysis.sharedstate import match_rows

SYNC_TYPES = {b"WaitGroup", b"Mutex", b"RWMutex", b"Once", b"Cond", b"Map", b"Pool"}
ATOMIC_TYPES = {b"Int32", b"Int64", b"Uint32", b"Uint64", b"Uintptr", b"Bool", b"Pointer", b"Value"}
PKGS = {"sync": SYNC_TYPES, "sync/atomic": ATOMIC_TYPES}


def lock_type_name(ctx: FileContext, typ: Optional[Node]) -> Optional[str]:
    """``sync.Mutex`` -> "sync.Mutex"; a same-package lock struct -> its name; pointers and others -> None."""
    if typ is None:
        return None
    if typ.type == "generic_type":
        typ = typ.child_by_field_name("type")
    if typ is None:
        return None
    if typ.type == "qualified_type":
        pkg = typ.child_by_field_name("package")
        name = typ.child_by_field_name("name")
        path = ctx.imports.get(pkg.text.decode()) if pkg is not None else None
        if path in PKGS and name is not None and name.text in PKGS[path]:
            return "%s.%s" % (path.split("/")[-1], name.text.decode())
        return None
    if typ.type == "type_identifier":
        if not lock_structs(ctx).get(typ.text):
            return None
        if typ.text.decode() in type_params_in_scope(typ):
            return None  # func F[Main any](m Main): a type parameter, not the package struct Main
        return typ.text.decode() if not is_type_parameter(typ) else None
    if typ.type == "array_type":
        return lock_type_name(ctx, typ.child_by_field_name("element"))
    return None


def _type_param_names(plist: Optional[Node]):
    for decl in plist.named_children if plist is not None else ():
        if decl.type == "type_parameter_declaration":
            for i in range(decl.child_count):
                if decl.field_name_for_child(i) == "name":
                    yield decl.children[i].text


def _receiver_type_args(method: Node):
    """``func (a *T[K, V]) …``: the names K and V the receiver binds as type parameters."""
    recv = method.child_by_field_name("receiver")
    for p in recv.named_children if recv is not None else ():
        typ = p.child_by_field_name("type")
        while typ is not None and typ.type in ("pointer_type", "parenthesized_type"):
            typ = typ.named_children[0] if typ.named_children else None
        if typ is not None and typ.type == "generic_type":
            args = typ.child_by_field_name("type_arguments")
            for a in args.named_children if args is not None else ():
                ident = a.named_children[0] if a.type == "type_elem" and a.named_children else a
                if ident.type == "type_identifier":
                    yield ident.text


def is_type_parameter(ident: Node) -> bool:
    """The type name ``ident`` refers to a type parameter of an enclosing generic function, method
    receiver or type declaration (which shadows a package type of the same name)."""
    name = ident.text
    n = ident.parent
    while n is not None:
        if n.type in ("function_declaration", "type_spec") \
                and name in _type_param_names(n.child_by_field_name("type_parameters")):
            return True
        if n.type == "method_declaration" and name in _receiver_type_args(n):
            return True
        n = n.parent
    return False


_STRUCTS = "(type_spec name: (type_identifier) @name type: (struct_type) @struct)"


def _lock_of_field(decl_ctx: FileContext, typ: Node) -> Tuple[Optional[str], Optional[bytes]]:
    """(``"sync.Mutex"`` when the written field type is a sync/atomic lock type, the same-package type
    name it holds by value otherwise) for one field type of a struct declared in ``decl_ctx``."""
    if typ.type == "qualified_type":
        pkg = typ.child_by_field_name("package")
        tname = typ.child_by_field_name("name")
        path = decl_ctx.imports.get(pkg.text.decode()) if pkg is not None else None
        if path in PKGS and tname is not None and tname.text in PKGS[path]:
            return "%s.%s" % (path.split("/")[-1], tname.text.decode()), None
    elif typ.type in ("type_identifier", "array_type"):
        inner = typ.child_by_field_name("element") if typ.type == "array_type" else typ
        if inner is not None and inner.type == "type_identifier":
            return None, inner.text
    return None, None


def _struct_fields(name: bytes, decl_ctx: FileContext, struct: Node) -> Tuple[Optional[str], frozenset]:
    """(the first sync/atomic lock held directly, the same-package type names held by value) of one
    struct type."""
    lock_found: Optional[str] = None
    refs = set()
    for t in captures("(field_declaration type: (_) @t)", struct).get("t", []):
        if any(c.type == "*" for c in t.parent.children):
            continue  # an embedded pointer (struct{ *Link }): the lock is shared, not copied
        lock, ref = _lock_of_field(decl_ctx, t)
        if lock is not None:
            lock_found = lock_found or lock
        elif ref is not None and ref.decode() not in type_params_in_scope(t):
            refs.add(ref)
    return lock_found, frozenset(refs)


def _struct_locks(entries, known: Optional[Dict[bytes, str]] = None) -> Dict[bytes, str]:
    """struct name -> the lock it holds by value, for ``entries`` ((name, direct lock, refs), see
    ``_struct_fields``); ``known`` holds the locks of the structs already resolved (those of an
    enclosing scope)."""
    entries = list(entries)
    direct: Dict[bytes, str] = dict(known or {})
    for name, _, _ in entries:
        direct.pop(name, None)  # redeclared in this scope
    refs: Dict[bytes, set] = {}
    for name, lock, inner in entries:
        if lock is not None:
            direct.setdefault(name, lock)
        elif inner:
            refs.setdefault(name, set()).update(inner)
    changed = True
    while changed:
        changed = False
        for name, inner in refs.items():
            if name in direct:
                continue
            for t in inner:
                if t in direct:
                    direct[name] = direct[t]
                    changed = True
                    break
    return direct


def _file_structs(ctx: FileContext) -> Dict[str, Tuple[Optional[str], frozenset]]:
    """name -> ``_struct_fields`` of the top-level struct types of one file (the first of a name),
    kept in the file's cache so an edit of another file of the package does not recompute them."""
    key = ("copylocks.file_structs",)
    got = ctx.facts.get(key)
    if got is None:
        got = {}
        for node in ctx.root.named_children:
            if node.type != "type_declaration":
                continue
            for spec in node.named_children:
                name, typ = spec.child_by_field_name("name"), spec.child_by_field_name("type")
                if spec.type == "type_spec" and name is not None and typ is not None and typ.type == "struct_type" \
                        and name.text.decode() not in got:
                    got[name.text.decode()] = _struct_fields(name.text, ctx, typ)
        ctx.facts[key] = got
    return got


_TYPE_WORD = re.compile(rb"\btype\b")


def has_local_types(ctx: FileContext) -> bool:
    """False when the file certainly declares no type inside a function: every ``type`` word of the
    source belongs to a top-level type declaration (a cheap byte count instead of a tree query)."""
    return bool(_functions_with_type_word(ctx))


def _functions_with_type_word(ctx: FileContext) -> List[Node]:
    """The top-level nodes other than type declarations with a ``type`` word inside (in code, a comment
    or a string): only these can declare a local type, so only these are queried for one."""
    key = ("copylocks.type_word_functions",)
    got = ctx.cache.get(key)
    if got is None:
        got = []
        offsets = [m.start() for m in _TYPE_WORD.finditer(ctx.source)]
        if offsets:
            for n in ctx.root.named_children:
                i = bisect.bisect_left(offsets, n.start_byte)
                if n.type != "type_declaration" and i < len(offsets) and offsets[i] < n.end_byte:
                    got.append(n)
        ctx.cache[key] = got
    return got


def lock_structs(ctx: FileContext) -> Dict[bytes, str]:
    """Struct type name -> the lock it holds by value (e.g. b"counter" -> "sync.Mutex"): every
    package-level struct of the package (from the package model) plus the local struct types of this
    file (a local type hides a package-level one of the same name)."""
    key = ("lock_structs",)
    found = ctx.cache.get(key)
    if found is not None:
        return found
    pkg = ctx.package.cache.get(key)
    m = model(ctx)
    if pkg is None:
        pkg = ctx.package.cache[key] = _struct_locks(
            (t.name.encode(),) + _file_structs(t.file)[t.name] for t in m.types.values() if t.kind == "struct")
    local = [(row["name"].text,) + _struct_fields(row["name"].text, ctx, row["struct"])
             for decl in _functions_with_type_word(ctx) for row in match_rows(_STRUCTS, decl)]
    # Local struct types (declared in a function) may hold package-level lock structs; package-level
    # types cannot see local ones.
    found = _struct_locks(local, pkg) if local else pkg
    ctx.cache[key] = found
    return found
