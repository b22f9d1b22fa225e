"""Typed-nil facts (GXL70x): interface result slots, pointer-typed declarations and same-package
functions returning pointers to error types, for the whole package (from the package model)."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from tree_sitter import Node

from goexplint.analysis.package import local_type_names, model
from goexplint.core.parse import FileContext, captures
from goexplint.analysis.sharedstate import strip_parens


def _returns_nil(body: Node) -> bool:
    return any(r.named_children and r.named_children[0].named_children
               and [c.type for c in r.named_children[0].named_children] == ["nil"]
               for r in captures("(return_statement) @r", body).get("r", []))


def _file_ptr_funcs(ctx: FileContext) -> List[Tuple[str, bytes]]:
    """(name, T) of the functions of one file declared to return ``*T`` that have a ``return nil``
    (kept in the file's cache: an edit of another file of the package does not recompute it)."""
    key = ("typednil.ptr_funcs",)
    got = ctx.facts.get(key)
    if got is None:
        got = []
        for node in ctx.root.named_children:
            if node.type != "function_declaration":
                continue
            name = node.child_by_field_name("name")
            result = node.child_by_field_name("result")
            body = node.child_by_field_name("body")
            if name is None or result is None or result.type != "pointer_type" or body is None:
                continue
            target = next(iter(result.named_children), None)
            if target is not None and target.type == "type_identifier" and _returns_nil(body):
                got.append((name.text.decode("utf-8", "replace"), target.text))
        ctx.facts[key] = got
    return got


def package_facts(ctx: FileContext):
    """(interface type names, types with an ``Error() string`` method, functions declared to return
    ``*T`` that have a ``return nil`` -> T), for the whole package (the package model)."""
    key = ("typednil_facts",)
    facts = ctx.package.cache.get(key)
    if facts is not None:
        return facts
    m = model(ctx)
    ptr_funcs: Dict[bytes, bytes] = {}
    for f in ctx.package.files:
        for name, target in _file_ptr_funcs(f):
            if m.funcs.get(name) is not None and m.funcs[name].file is f:  # the first declaration wins
                ptr_funcs[name.encode()] = target
    facts = (m.interface_names, m.error_types, ptr_funcs)
    ctx.package.cache[key] = facts
    return facts


def interface_name(ctx: FileContext, typ: Optional[Node]) -> Optional[str]:
    """"error", "any", "interface{…}" or a same-package interface type name; None for concrete types."""
    if typ is None:
        return None
    if typ.type == "type_identifier":
        if typ.text in (b"error", b"any") or (typ.text in package_facts(ctx)[0]
                                              and typ.text.decode() not in local_type_names(typ)):
            return typ.text.decode()
        return None
    if typ.type == "interface_type":
        return "interface{}" if not typ.named_children else "an interface"
    return None


def result_slots(func: Node) -> List[Tuple[Optional[Node], Optional[Node]]]:
    """(name identifier or None, type) per result slot."""
    result = func.child_by_field_name("result")
    if result is None:
        return []
    if result.type != "parameter_list":
        return [(None, result)]
    slots = []
    for p in result.named_children:
        if p.type != "parameter_declaration":
            continue
        typ = p.child_by_field_name("type")
        names = [c for c in p.named_children if c.type == "identifier"]
        for n in names or [None]:
            slots.append((n, typ))
    return slots


def nil_conversion(node: Optional[Node]) -> Optional[Node]:
    """``(*T)(nil)`` -> the ``*T`` type expression, else None."""
    node = strip_parens(node)
    if node is None or node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    if fn is None or fn.type != "parenthesized_expression" or args is None or len(args.named_children) != 1:
        return None
    inner = fn.named_children[0] if fn.named_children else None
    if inner is None or inner.type not in ("unary_expression", "pointer_type"):
        return None
    if inner.type == "unary_expression" and inner.child_by_field_name("operator").type != "*":
        return None
    return inner if args.named_children[0].type == "nil" else None
