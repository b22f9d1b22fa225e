"""Lock-bearing types, without types: ``sync.Mutex`` & co. and same-package structs that contain one by
value (directly, embedded, or through another such struct); and where a file copies a value declared
with such a type (assigned, returned, passed, put in a literal, sent, ranged over)."""

from __future__ import annotations

import bisect
import re
from typing import Dict, List, Optional, Set, Tuple

from tree_sitter import Node

from goexplint.analysis.package import model, type_params_in_scope
from goexplint.core.filequeries import file_captures, file_query
from goexplint.core.parse import FileContext, captures
from goexplint.core.providers import FILE, KEPT, PACKAGE, provider
from goexplint.analysis.syntax import enclosing_function, match_rows, outside_parens, resolve, unparen

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


@provider(scope=KEPT, persistent=True)
def file_structs(ctx: FileContext) -> Dict[str, Tuple[Optional[str], frozenset]]:
    """name -> ``_struct_fields`` of the top-level struct types of one file (the first of a name), kept
    with the file so an edit of another file of the package does not recompute them."""
    got: Dict[str, Tuple[Optional[str], frozenset]] = {}
    for node in ctx.root.named_children:
        if node.type != "type_declaration":
            continue
        for spec in node.named_children:
            name, typ = spec.child_by_field_name("name"), spec.child_by_field_name("type")
            if spec.type == "type_spec" and name is not None and typ is not None and typ.type == "struct_type" \
                    and name.text.decode() not in got:
                got[name.text.decode()] = _struct_fields(name.text, ctx, typ)
    return got


_TYPE_WORD = re.compile(rb"\btype\b")


@provider(scope=FILE)
def functions_with_type_word(ctx: FileContext) -> List[Node]:
    """The top-level nodes other than type declarations with a ``type`` word inside (in code, a comment
    or a string): only these can declare a local type, so only these are queried for one (a cheap byte
    search instead of a tree query); none when the file certainly declares no type inside a function."""
    got = []
    offsets = [m.start() for m in _TYPE_WORD.finditer(ctx.source)]
    if offsets:
        for n in ctx.root.named_children:
            i = bisect.bisect_left(offsets, n.start_byte)
            if n.type != "type_declaration" and i < len(offsets) and offsets[i] < n.end_byte:
                got.append(n)
    return got


@provider(scope=PACKAGE, requires=(model, file_structs))
def package_lock_structs(ctx: FileContext) -> Dict[bytes, str]:
    """Struct type name -> the lock it holds by value, for every package-level struct of the package
    (from the package model)."""
    return _struct_locks((t.name.encode(),) + file_structs(t.file)[t.name]
                         for t in model(ctx).types.values() if t.kind == "struct")


@provider(scope=FILE, requires=(package_lock_structs, functions_with_type_word))
def lock_structs(ctx: FileContext) -> Dict[bytes, str]:
    """Struct type name -> the lock it holds by value (e.g. b"counter" -> "sync.Mutex"): every
    package-level struct of the package plus the local struct types of this file (a local type hides a
    package-level one of the same name)."""
    pkg = package_lock_structs(ctx)
    local = [(row["name"].text,) + _struct_fields(row["name"].text, ctx, row["struct"])
             for decl in functions_with_type_word(ctx) for row in match_rows(_STRUCTS, decl)]
    # Local struct types (declared in a function) may hold package-level lock structs; package-level
    # types cannot see local ones.
    return _struct_locks(local, pkg) if local else pkg


@provider(scope=FILE, requires=(lock_structs,))
def names_a_lock_type(ctx: FileContext) -> bool:
    """The file's text contains the name of a sync or sync/atomic type of an imported package or of a
    lock-holding struct of the package: a type written in the file may hold a lock (every lock type is
    named in the file where a value of it is declared)."""
    names = set(lock_structs(ctx))
    for path in ctx.imports.values():
        names.update(PKGS.get(path, ()))
    source = ctx.source
    return any(name in source for name in names)


# --------------------------------------------------------------------------- copies of lock values

_LOCK_DECLS = file_query("""
(parameter_declaration type: (_) @t)
(var_spec type: (_) @t)
(composite_literal type: (_) @t)
""")
_RANGES = file_query("(range_clause) @r")


@provider(scope=FILE, requires=(lock_structs,))
def lock_declared_names(ctx: FileContext) -> Set[bytes]:
    """Names that some declaration of the file gives a lock type by value (a parameter or ``var`` with
    a lock type, a name initialised with a lock-typed composite literal): :func:`declared_lock` can only
    answer for these, so other identifiers are not resolved at all.  One query per file."""
    got: Set[bytes] = set()
    for typ in file_captures(ctx, _LOCK_DECLS).get("t", []):
        decl = typ.parent
        if decl is None or lock_type_name(ctx, typ) is None:
            continue
        if decl.type in ("parameter_declaration", "var_spec"):
            got.update(c.text for c in decl.named_children if c.type == "identifier")
            continue
        n = unparen(decl)  # a composite literal: the names on the left of its statement
        p = n.parent
        while p is not None and p.type in ("parenthesized_expression", "expression_list"):
            p = p.parent
        if p is not None and p.type in ("short_var_declaration", "var_spec"):
            left = p.child_by_field_name("left") if p.type == "short_var_declaration" else p
            if left is not None:
                got.update(c.text for c in left.named_children if c.type == "identifier")
    return got


def declared_lock(ctx: FileContext, ident: Node) -> Optional[str]:
    """The lock type of a variable declared with a lock type by value (``var mu sync.Mutex``, a value
    parameter, ``c := counter{}``), else None."""
    if ident.text not in lock_declared_names(ctx):
        return None
    decl = resolve(ident)
    if decl is None:
        return None
    lock = lock_type_name(ctx, decl.written_type())
    if lock is not None:
        return lock
    value = unparen(decl.value())
    if value is not None and value.type == "composite_literal":
        return lock_type_name(ctx, value.child_by_field_name("type"))
    return None


@provider(scope=FILE)
def range_clauses(ctx: FileContext) -> Dict[int, List[Node]]:
    """Enclosing function id -> its range clauses (one query per file, not one per function)."""
    got: Dict[int, List[Node]] = {}
    for clause in file_captures(ctx, _RANGES).get("r", []):
        func = enclosing_function(clause)
        if func is not None:
            got.setdefault(func.id, []).append(clause)
    return got


# builtins and unsafe functions that look at their argument without copying it
NON_COPYING_CALLS = {b"len", b"cap", b"Sizeof", b"Alignof", b"Offsetof", b"new", b"print", b"println"}

# how a value is copied (the first item of ``copy_context``)
ASSIGNED, RETURNED, PASSED, IN_LITERAL, SENT = "assigned", "returned", "passed", "in a literal", "sent"


def copy_context(ident: Node) -> Optional[Tuple[str, Optional[Node]]]:
    """(how the identifier's value is copied here, the called function for ``PASSED`` (None when the
    call has none)), or None when it is not copied."""
    node, parent = outside_parens(ident)
    if parent is None:
        return None
    t = parent.type
    if t == "expression_list":
        gp = parent.parent
        if gp is None:
            return None
        if gp.type in ("assignment_statement", "short_var_declaration") and gp.child_by_field_name("right") == parent:
            return ASSIGNED, None
        if gp.type == "var_spec":
            return ASSIGNED, None
        if gp.type == "return_statement":
            return RETURNED, None
        return None
    if t == "return_statement":
        return RETURNED, None
    if t == "argument_list":
        call = parent.parent
        fn = call.child_by_field_name("function") if call is not None else None
        name = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
        if name is not None and name.text in NON_COPYING_CALLS:
            return None
        return PASSED, fn
    if t == "literal_element":
        kv = parent.parent
        if kv is not None and kv.type == "keyed_element" and kv.child_by_field_name("key") == parent:
            return None
        return IN_LITERAL, None
    if t == "send_statement" and parent.child_by_field_name("value") == node:
        return SENT, None
    return None


@provider(scope=FILE, requires=(lock_declared_names,))
def copied_idents(ctx: FileContext) -> Dict[int, List[Tuple[Node, Tuple[str, Optional[Node]]]]]:
    """Enclosing function id -> [(identifier, ``copy_context``)] for every identifier of the file named
    like a variable declared with a lock type (``lock_declared_names``) whose value is copied, in
    document order: one pass over the file instead of one per function (nested function literals made
    that quadratic)."""
    got: Dict[int, List[Tuple[Node, Tuple[str, Optional[Node]]]]] = {}
    names = lock_declared_names(ctx)  # only these can be reported (``declared_lock``)
    if not names:
        return got
    for ident in captures("(identifier) @i", ctx.root).get("i", []):
        if ident.text not in names:
            continue
        how = copy_context(ident)  # the cheap syntactic test first
        if how is None:
            continue
        func = enclosing_function(ident)
        if func is not None:
            got.setdefault(func.id, []).append((ident, how))
    return got
