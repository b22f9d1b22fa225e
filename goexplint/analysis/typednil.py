"""Typed-nil facts (GXL70x): interface result slots, pointer-typed declarations and same-package
functions returning pointers to error types.  Other files of the package are scanned with line regexes."""

from __future__ import annotations

import functools
import re
from typing import Dict, List, Optional, Set, Tuple

from tree_sitter import Node

from goexplint.analysis import siblings
from goexplint.analysis.syntax import sibling_go_files
from goexplint.core.parse import FileContext, captures
from goexplint.analysis.sharedstate import match_rows, strip_parens

_IFACE_DECL = re.compile(rb"^(?:type\s+)?(\w+)\s+interface\s*\{", re.M)
_ERROR_METHOD = re.compile(rb"^func\s*\(\s*\w*\s*\*?\s*(\w+)\s*\)\s*Error\s*\(\s*\)\s*string", re.M)
_PTR_FUNC = re.compile(rb"^func\s+(\w+)\s*\([^)]*\)\s*\*\s*(\w+)\s*\{(.*?)^\}", re.M | re.S)
_RETURN_NIL = re.compile(rb"\breturn\s+nil\s*(?://.*)?$", re.M)


@functools.lru_cache(maxsize=256)
def _sibling_facts(directory: str, files: Tuple[str, ...]):
    ifaces: Set[bytes] = set()
    errors: Set[bytes] = set()
    ptr_funcs: Dict[bytes, bytes] = {}
    for f_ifaces, f_errors, f_funcs in siblings.scan(directory, files, _facts_of):
        ifaces.update(f_ifaces)
        errors.update(f_errors)
        ptr_funcs.update(f_funcs)
    return frozenset(ifaces), frozenset(errors), ptr_funcs


def _facts_of(data: bytes):
    ptr_funcs: Dict[bytes, bytes] = {}
    for fname, tname, body in _PTR_FUNC.findall(data):
        if _RETURN_NIL.search(body):
            ptr_funcs[fname] = tname
    return _IFACE_DECL.findall(data), _ERROR_METHOD.findall(data), ptr_funcs


def package_facts(ctx: FileContext):
    """(interface type names, types with an ``Error() string`` method, functions declared to return ``*T``
    that have a ``return nil`` -> T)."""
    key = ("typednil_facts",)
    facts = ctx.cache.get(key)
    if facts is not None:
        return facts
    ifaces = {n.text for n in captures("(type_spec name: (type_identifier) @n type: (interface_type))",
                                       ctx.root).get("n", [])}
    errors: Set[bytes] = set()
    ptr_funcs: Dict[bytes, bytes] = {}
    for row in match_rows("(method_declaration receiver: (parameter_list (parameter_declaration type: (_) @recv))"
                          " name: (field_identifier) @name) @m", ctx.root):
        if row["name"].text == b"Error":
            recv = row["recv"]
            if recv.type == "pointer_type" and recv.named_children:
                recv = recv.named_children[0]
            errors.add(recv.text)
    for row in match_rows("(function_declaration name: (identifier) @name result: (pointer_type (type_identifier) @t)"
                          " body: (block) @body)", ctx.root):
        returns_nil = any(r.named_children and r.named_children[0].named_children
                          and [c.type for c in r.named_children[0].named_children] == ["nil"]
                          for r in captures("(return_statement) @r", row["body"]).get("r", []))
        if returns_nil:
            ptr_funcs[row["name"].text] = row["t"].text
    if ctx.real_path:
        directory, _, files = sibling_go_files(ctx.real_path)
        s_ifaces, s_errors, s_funcs = _sibling_facts(directory, files)
        ifaces |= s_ifaces
        errors |= s_errors
        for k, v in s_funcs.items():
            ptr_funcs.setdefault(k, v)
    facts = (ifaces, errors, ptr_funcs)
    ctx.cache[key] = facts
    return facts


def interface_name(ctx: FileContext, typ: Optional[Node]) -> Optional[str]:
    """"error", "any", "interface{…}" or a same-package interface type name; None for concrete types."""
    if typ is None:
        return None
    if typ.type == "type_identifier":
        if typ.text in (b"error", b"any") or typ.text in package_facts(ctx)[0]:
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
