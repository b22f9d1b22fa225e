"""Lock-bearing types for GXL502, without types: ``sync.Mutex`` & co. and same-package structs that
contain one by value (directly, embedded, or through another such struct)."""

from __future__ import annotations

import functools
import re
from typing import Dict, Optional, Tuple

from tree_sitter import Node

from goexplint.analysis import siblings
from goexplint.analysis.syntax import sibling_go_files
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
        holder = lock_structs(ctx).get(typ.text)
        return typ.text.decode() if holder and not is_type_parameter(typ) else None
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
_SIBLING_STRUCT = re.compile(rb"^type\s+(\w+)\s+struct\s*\{(.*?)^\}", re.M | re.S)
_SIBLING_FIELD = re.compile(rb"^\s*(?:\w+(?:\s*,\s*\w+)*\s+)?(?:sync\.(\w+)|atomic\.(\w+)|(\w+))\s*(?://.*)?$", re.M)


@functools.lru_cache(maxsize=256)
def _sibling_structs(directory: str, files: Tuple[str, ...]) -> Dict[bytes, Tuple[bytes, ...]]:
    """type name -> field type names (b"sync.Mutex", or a bare type name) of struct types in other files."""
    out: Dict[bytes, Tuple[bytes, ...]] = {}
    for found in siblings.scan(directory, files, _structs_of):
        out.update(found)
    return out


def _structs_of(data: bytes) -> Dict[bytes, Tuple[bytes, ...]]:
    out: Dict[bytes, Tuple[bytes, ...]] = {}
    for m in _SIBLING_STRUCT.finditer(data):
        fields = []
        for f in _SIBLING_FIELD.finditer(m.group(2)):
            if f.group(1) and f.group(1) in SYNC_TYPES:
                fields.append(b"sync." + f.group(1))
            elif f.group(2) and f.group(2) in ATOMIC_TYPES:
                fields.append(b"atomic." + f.group(2))
            elif f.group(3):
                fields.append(f.group(3))
        out[m.group(1)] = tuple(fields)
    return out


def lock_structs(ctx: FileContext) -> Dict[bytes, str]:
    """Same-package struct type name -> the lock it holds by value (e.g. b"counter" -> "sync.Mutex")."""
    key = ("lock_structs",)
    found = ctx.cache.get(key)
    if found is not None:
        return found
    fields: Dict[bytes, list] = {}
    for row in match_rows(_STRUCTS, ctx.root):
        types = []
        for decl in captures("(field_declaration type: (_) @t)", row["struct"]).get("t", []):
            if any(c.type == "*" for c in decl.parent.children):
                continue  # an embedded pointer (struct{ *Link }): the lock is shared, not copied
            types.append(decl)
        fields[row["name"].text] = types
    direct: Dict[bytes, str] = {}
    refs: Dict[bytes, set] = {}
    for name, types in fields.items():
        for t in types:
            if t.type == "qualified_type":
                pkg = t.child_by_field_name("package")
                tname = t.child_by_field_name("name")
                path = ctx.imports.get(pkg.text.decode()) if pkg is not None else None
                if path in PKGS and tname is not None and tname.text in PKGS[path]:
                    direct.setdefault(name, "%s.%s" % (path.split("/")[-1], tname.text.decode()))
            elif t.type in ("type_identifier", "array_type"):
                inner = t.child_by_field_name("element") if t.type == "array_type" else t
                if inner is not None and inner.type == "type_identifier":
                    refs.setdefault(name, set()).add(inner.text)
    if ctx.real_path:
        directory, _, files = sibling_go_files(ctx.real_path)
        for name, ftypes in _sibling_structs(directory, files).items():
            if name in fields:
                continue
            for t in ftypes:
                if t.startswith(b"sync.") or t.startswith(b"atomic."):
                    direct.setdefault(name, t.decode())
                else:
                    refs.setdefault(name, set()).add(t)
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
    ctx.cache[key] = direct
    return direct
