"""The shared-counter family's shared-write analysis: writes in a goroutine body (or a handler, a
callback, a function examined on its own), where the written variable is shared from, and why its
writes may run at once.

* Writes: :func:`writes_in` finds read-modify-writes, appends, element writes, ``delete`` calls and
  plain assignments of a function's own body.
* Sharing: :func:`sharing_of` decides where a written variable comes from (package level, captured,
  receiver field, pointer parameter) or that it is local to the body.
* Shared writes: :func:`shared_writes` lists, for every goroutine body of the file, the writes that
  update shared memory in a way two goroutines cannot both do safely without ordering, each with the
  facts the rules decide on (kind of write, container, how it is shared, locks held) and the reasons it
  may run concurrently.

All of it is syntactic (no types): where a fact cannot be established the answer is "unknown", and the
rules then stay silent.
"""

from __future__ import annotations

import bisect
import dataclasses
from typing import Dict, Iterator, List, Optional, Set, Tuple

from tree_sitter import Node

from goexplint.analysis.fields import index
from goexplint.analysis.goroutines import (Body, goroutine_bodies, is_sync_point, iteration_synced, launch_of,
                                           literal_sync_facts, loop_between, return_while_running, runs_in, sync_point)
from goexplint.analysis.locks import held_in_list, write_locked
from goexplint.analysis.package import model
from goexplint.analysis.syntax import (Decl, FUNC_TYPES, ancestors_until, enclosing_function, is_ancestor, line_of,
                                       match_rows, named_results, normal_text, resolve, root_identifier, scopes,
                                       statements_after, unparen)
from goexplint.core.filequeries import file_captures, file_query
from goexplint.core.parse import FileContext, active, captures, node_text
from goexplint.core.providers import FILE, provider

LOOP = "for_statement"

# --------------------------------------------------------------------------- writes


@dataclasses.dataclass
class Write:
    node: Node  # where to report (the written expression, or the delete call)
    target: Node  # the written path expression (x, s.n, m[k], s)
    kind: str  # "rmw" | "append" | "element" | "delete" | "assign"
    op: str  # human text: "incremented", "updated with +=", "appended to", "written", "deleted from"


_WRITES = """
(inc_statement (_) @inc)
(dec_statement (_) @dec)
(assignment_statement) @assign
"""
_DELETE = """
(call_expression function: (identifier) @fn arguments: (argument_list . (_) @del) (#eq? @fn "delete")) @delete
"""


def _same_path(a: Node, b: Node) -> bool:
    return normal_text(a) == normal_text(b)


def _classify_assignment(stmt: Node) -> Iterator[Write]:
    op_node = stmt.child_by_field_name("operator")
    op = op_node.type if op_node is not None else "="
    left = stmt.child_by_field_name("left")
    right = stmt.child_by_field_name("right")
    lefts = left.named_children if left is not None else []
    rights = right.named_children if right is not None else []
    for i, target in enumerate(lefts):
        target = unparen(target)
        if target is None or (target.type == "identifier" and target.text == b"_"):
            continue
        if op != "=":
            yield Write(target, target, "rmw", "updated with %s" % op)
            continue
        value = unparen(rights[i]) if len(rights) == len(lefts) else None
        if value is not None and value.type == "binary_expression":
            lhs = value.child_by_field_name("left")
            if lhs is not None and _same_path(unparen(lhs), target):
                yield Write(target, target, "rmw", "updated with %s = %s %s ..." % (
                    normal_text(target), normal_text(target), value.child_by_field_name("operator").type))
                continue
        if value is not None and value.type == "call_expression":
            fn = value.child_by_field_name("function")
            args = value.child_by_field_name("arguments")
            if fn is not None and fn.type == "identifier" and fn.text == b"append" and args is not None \
                    and args.named_children and _same_path(unparen(args.named_children[0]), target) \
                    and resolve(fn) is None:
                yield Write(target, target, "append", "appended to")
                continue
        if target.type == "index_expression":
            yield Write(target, target, "element", "written")
        else:
            yield Write(target, target, "assign", "assigned")


@provider(scope=FILE, requires=(scopes,))
def writes_in(ctx: FileContext, func: Node) -> List[Write]:
    """Writes in the body of ``func``, not counting nested func literals except ``defer func(){…}()``
    and immediately called ``func(){…}()`` (they run on the same goroutine).  Nested ``go``
    literals are bodies of their own; literals passed to calls may run under a helper's lock."""
    found: List[Write] = []
    block = func.child_by_field_name("body")
    if block is None:
        return found
    caps = captures(_WRITES, block)
    for node in caps.get("inc", []):
        found.append(Write(unparen(node), unparen(node), "rmw", "incremented"))
    for node in caps.get("dec", []):
        found.append(Write(unparen(node), unparen(node), "rmw", "decremented"))
    for stmt in caps.get("assign", []):
        found.extend(_classify_assignment(stmt))
    for row in match_rows(_DELETE, block):
        call, first = row["delete"], row["del"]
        fn = call.child_by_field_name("function")
        if resolve(fn) is None:
            found.append(Write(call, unparen(first), "delete", "deleted from"))
    found = [w for w in found if runs_in(w.node, func)]
    found.sort(key=lambda w: w.node.start_byte)
    return found


# --------------------------------------------------------------------------- sharing


@dataclasses.dataclass
class Sharing:
    how: str  # "package" | "captured" | "receiver" | "pointer-param"
    decl: Optional[Decl]
    text: str  # "a package-level variable", "captured from line 12", ...
    key: Tuple  # identity of the variable for counting writers
    per_iteration: bool = False  # each goroutine started by a loop gets its own (a per-iteration argument)


def _argument_for(body: Body, decl: Decl) -> Optional[Node]:
    """The expression the launch passes for parameter (or receiver) ``decl`` of the launched function."""
    if body.launch is None:
        return None
    call = next((c for c in body.launch.named_children if c.type == "call_expression"), None) \
        if body.launch.type == "go_statement" else None
    if call is None:
        return None
    func = body.func
    owner = decl.ident.parent.parent
    fn = unparen(call.child_by_field_name("function"))
    if owner is not None and owner == func.child_by_field_name("receiver"):
        return fn.child_by_field_name("operand") if fn is not None and fn.type == "selector_expression" else None
    names = []
    params = func.child_by_field_name("parameters")
    for p in params.named_children if params is not None else []:
        ids = [c for c in p.named_children if c.type == "identifier"]
        names.extend(ids or [None])
    args = call.child_by_field_name("arguments")
    values = args.named_children if args is not None else []
    for i, ident in enumerate(names):
        if ident is not None and ident == decl.ident:
            return values[i] if i < len(values) else None
    return None


def _per_iteration(body: Body, ident: Node) -> bool:
    """``ident`` (in the launcher) names a variable each iteration of the loop around the launch renews."""
    if ident.type != "identifier" or body.loop is None:
        return False
    decl = resolve(ident)
    return decl is not None and is_ancestor(body.loop, decl.ident)


def _is_pointer_param(decl: Decl) -> bool:
    p = decl.ident.parent
    typ = p.child_by_field_name("type") if p is not None else None
    return typ is not None and typ.type == "pointer_type"


def _has_selector_or_deref(target: Node, root: Node) -> bool:
    return target != root


def _declared_in_loop_body(decl: Decl, loop: Optional[Node]) -> bool:
    body = loop.child_by_field_name("body") if loop is not None else None
    return body is not None and is_ancestor(body, decl.ident)


def written_path(target: Node) -> str:
    """The variable a write changes, as the key writers are counted by: the path up to the first index
    (``l.a`` of ``l.a[k]``, ``errs`` of ``errs[id]``, ``s.stats.n``), so goroutines writing ``l.a`` and
    ``l.b`` are one writer each, and writes of ``m[k1]`` and ``m[k2]`` are writes of one map."""
    n = unparen(target)
    while n is not None:
        inner = None
        t = n.type
        if t in ("index_expression", "slice_expression"):
            inner = n.child_by_field_name("operand")
        elif t == "unary_expression" and n.child_by_field_name("operator").type == "*":
            inner = n.named_children[-1] if n.named_children else None
        elif t == "selector_expression":
            operand = n.child_by_field_name("operand")
            if _index_free(operand):
                return normal_text(n)
            inner = operand
        else:
            return normal_text(n)
        n = unparen(inner)
    return normal_text(target)


def _index_free(node: Optional[Node]) -> bool:
    node = unparen(node)
    while node is not None and node.type == "selector_expression":
        node = unparen(node.child_by_field_name("operand"))
    return node is not None and node.type == "identifier"


def sharing_of(ctx: FileContext, body: Body, target: Node) -> Optional[Sharing]:
    """Where the variable written by ``target`` is shared from, or None (local, a copy, or unknown)."""
    root = root_identifier(target)
    if root is None or root.text == b"_":
        return None
    decl = resolve(root)
    if decl is None:
        if root.text in model(ctx).var_names:
            return Sharing("package", None, "a package-level variable", ("pkg", root.text))
        return None
    func = body.func
    if is_ancestor(func, decl.ident):
        if decl.kind != "param":
            return None
        owner = decl.ident.parent.parent  # parameter_list
        if not (_has_selector_or_deref(target, root) and _is_pointer_param(decl)):
            return None
        what = "receiver" if owner is not None and owner == func.child_by_field_name("receiver") else "pointer-param"
        if body.launch is None:  # a function examined on its own: the caller's value is shared
            if what == "pointer-param" and target.type == "index_expression":
                return None
            return Sharing(what, decl, "a field of %s %s" % ("receiver" if what == "receiver" else "pointer parameter",
                                                             node_text(root)),
                           ("decl", decl.ident.id, written_path(target)))
        arg = _argument_for(body, decl)
        if arg is None:
            return None  # we cannot tell what the goroutine was given
        arg_root = root_identifier(arg)
        per_iteration = arg_root is not None and _per_iteration(body, arg_root)
        launcher = body.launcher.id if body.launcher is not None else -1
        key = ("arg", launcher, normal_text(arg), written_path(target)[len(root.text):])
        if owner is not None and owner == func.child_by_field_name("receiver"):
            return Sharing("receiver", decl, "a field of receiver %s (%s)" % (node_text(root), normal_text(arg)), key,
                           per_iteration)
        if target.type == "index_expression":
            return None
        return Sharing("pointer-param", decl, "reached through pointer parameter %s (given %s)" % (
            node_text(root), normal_text(arg)), key, per_iteration)
    if decl.kind in ("range", "for"):
        return None  # loop variables: the loopvar family's business
    owner = decl.ident.parent.parent if decl.ident.parent is not None else None
    if decl.kind == "param" and owner is not None and owner.type == "parameter_list" \
            and owner.parent is not None and owner.parent.child_by_field_name("receiver") == owner:
        if not (_has_selector_or_deref(target, root) and _is_pointer_param(decl)):
            return None
        return Sharing("receiver", decl, "a field of receiver %s, captured by the goroutine" % node_text(root),
                       ("decl", decl.ident.id, written_path(target)))
    return Sharing("captured", decl, "captured from line %d" % line_of(decl.ident),
                   ("decl", decl.ident.id, written_path(target)))


# --------------------------------------------------------------------------- uses after a launch


def _first_field(target: Node) -> Optional[bytes]:
    """``f`` of a written ``root.f…`` (through further selectors and indexes), None for a plain variable."""
    node, field = target, None
    while node is not None and node.type in ("selector_expression", "index_expression", "parenthesized_expression"):
        if node.type == "selector_expression":
            f = node.child_by_field_name("field")
            field = f.text if f is not None else None
            node = node.child_by_field_name("operand")
        elif node.type == "index_expression":
            node = node.child_by_field_name("operand")
        else:
            node = node.named_children[0] if node.named_children else None
    return field if node is not None and node.type == "identifier" else None


def _touches_written_field(target: Node, use: Node) -> bool:
    """A use of the root after the launch races with a write of ``root.f`` only when it reaches ``f``:
    handing the pointer on (``return c``, ``g(c)``) or touching another field is not an access of ``f``."""
    field = _first_field(target)
    if field is None:
        return True
    parent = use.parent
    if parent is None or parent.type != "selector_expression" or parent.child_by_field_name("operand") != use:
        return False
    f = parent.child_by_field_name("field")
    return f is not None and f.text == field


def accesses_after_launch(ctx: FileContext, body: Body, sharing: Sharing, root_text: bytes) -> Optional[Node]:
    """The first use, in the launcher after the launch, of the written variable before any wait/receive."""
    if body.launch is None or body.launcher is None:
        return None
    if active() is ctx:
        return _first_use_indexed(ctx, body, sharing, root_text)
    for stmt in statements_after(body.launch, body.launcher, cross_loops=False):
        if is_sync_point(stmt):
            return None  # (a use before the wait inside the same statement is ambiguous: stay silent)
        use = _use_in(ctx, stmt, sharing, root_text)
        if use is not None:
            return use
    return None


@provider(scope=FILE)
def own_identifiers(ctx: FileContext, stmt: Node) -> Dict[bytes, List[Node]]:
    """Identifiers of ``stmt`` outside nested func literals, by name, in capture order."""
    found: Dict[bytes, List[Node]] = {}
    for ident in captures("(identifier) @id", stmt).get("id", []):
        if not any(a.type == "func_literal" for a in ancestors_until(ident, stmt)):
            found.setdefault(ident.text, []).append(ident)
    return found


def _first_use_indexed(ctx: FileContext, body: Body, sharing: Sharing, root_text: bytes) -> Optional[Node]:
    """``accesses_after_launch`` visiting only the statements that wait or name ``root_text`` (a per-list
    "next such statement" table built once per list and name), in the order of ``statements_after``."""
    node = body.launch
    while node is not None and node != body.launcher:
        parent = ctx.parent(node)
        if parent is not None and parent.type == "statement_list":
            children, nxt = next_sync_or_use(ctx, parent, root_text)
            _, _, _, index = sync_list(ctx, parent)
            j = nxt[index[node.id] + 1]
            while j < len(children):
                stmt = children[j]
                if is_sync_point(stmt):
                    return None
                use = _use_in(ctx, stmt, sharing, root_text)
                if use is not None:
                    return use
                j = nxt[j + 1]
        if parent is not None and parent.type == LOOP:
            return None
        node = parent
    return None


@provider(scope=FILE, requires=(sync_point, own_identifiers))
def next_sync_or_use(ctx: FileContext, stmts: Node, name: bytes) -> Tuple[List[Node], List[int]]:
    """(statements of the list, for each position the first position at or after it whose statement is a
    sync point or uses ``name`` outside nested func literals; ``len`` when none)."""
    children = stmts.named_children
    nxt = [len(children)] * (len(children) + 1)
    for i in range(len(children) - 1, -1, -1):
        c = children[i]
        nxt[i] = i if is_sync_point(c) or name in own_identifiers(ctx, c) else nxt[i + 1]
    return children, nxt


def _use_in(ctx: FileContext, stmt: Node, sharing: Sharing, root_text: bytes) -> Optional[Node]:
    for ident in own_identifiers(ctx, stmt).get(root_text, ()):
        decl = resolve(ident)
        if sharing.decl is None:
            if decl is None:
                return ident
        elif decl is not None and decl.ident == sharing.decl.ident:
            return ident
    return None


# --------------------------------------------------------------------------- containers and indexes


_FIELDS = file_query("(field_declaration) @d")  # every struct field of the file


@provider(scope=FILE, requires=(model,))
def field_container_kinds(ctx: FileContext) -> Dict[bytes, Set[str]]:
    """Struct field name -> the container kinds ("map", "slice", "?" for neither or unknown) of the
    fields of that name declared in this file."""
    table: Dict[bytes, Set[str]] = {}
    for decl in file_captures(ctx, _FIELDS).get("d", []):
        typ = decl.child_by_field_name("type")
        for c in decl.named_children:
            if c.type == "field_identifier" and typ is not None:
                table.setdefault(c.text, set()).add(_kind_of_type(ctx, typ) or "?")
    return table


def _kind_of_type(ctx: FileContext, typ: Optional[Node]) -> Optional[str]:
    if typ is None:
        return None
    if typ.type == "map_type":
        return "map"
    if typ.type in ("slice_type", "array_type"):
        return "slice"
    if typ.type == "type_identifier":
        if model(ctx).is_map_type(typ.text, typ):
            return "map"
    return None


def _kind_of_value(ctx: FileContext, value: Optional[Node]) -> Optional[str]:
    value = unparen(value)
    if value is None:
        return None
    if value.type == "composite_literal":
        return _kind_of_type(ctx, value.child_by_field_name("type"))
    if value.type == "call_expression":
        fn = value.child_by_field_name("function")
        args = value.child_by_field_name("arguments")
        if fn is not None and fn.text == b"make" and args is not None and args.named_children:
            return _kind_of_type(ctx, args.named_children[0])
    return None


def _package_var_spec(ctx: FileContext, name: bytes) -> Optional[Node]:
    caps = captures("(source_file (var_declaration [(var_spec name: (identifier) @n)"
                    " (var_spec_list (var_spec name: (identifier) @n))]))", ctx.root)
    for n in caps.get("n", []):
        if n.text == name:
            return n
    return None


def container_kind(ctx: FileContext, container: Node) -> Optional[str]:
    """"map" or "slice" for the operand of an index expression, from its declaration (None = unknown)."""
    container = unparen(container)
    if container is None:
        return None
    if container.type == "identifier":
        decl = resolve(container)
        if decl is None:
            ident = _package_var_spec(ctx, container.text)
            if ident is None:
                return None
            decl = Decl(ident, "var")
        return _kind_of_type(ctx, decl.written_type()) or _kind_of_value(ctx, decl.value())
    if container.type == "selector_expression":
        field = container.child_by_field_name("field")
        kinds = field_container_kinds(ctx).get(field.text) if field is not None else None
        if kinds and len(kinds) == 1:
            kind = next(iter(kinds))
            return None if kind == "?" else kind
    return None


def per_goroutine_index(ctx: FileContext, body: Body, index: Node) -> bool:
    """The index names a variable each goroutine has its own copy of: declared in the body (a parameter of
    the literal, a local), declared inside the loop body around the launch, or a loop variable of that loop
    (per-iteration in Go 1.22+ files; in older files its capture is a loop-variable finding already)."""
    index = unparen(index)
    if index is None or index.type != "identifier":
        return False
    decl = resolve(index)
    if decl is None:
        return False
    if is_ancestor(body.func, decl.ident):
        return True
    loop = body.loop
    while loop is not None:
        if is_ancestor(loop, decl.ident):
            return True
        loop = loop_between(loop, body.launcher) if body.launcher is not None else None
    return False


# --------------------------------------------------------------------------- the family's per-file analysis


@dataclasses.dataclass
class SharedWrite:
    write: Write
    body: Body
    sharing: Sharing
    indexed: bool  # the written path ends in an element ``x[k]``
    container: Optional[str]  # of an element write: "map" | "slice" (from its declaration) | None (unknown)
    locked: Optional[str]  # "W" | "R" | None
    reason: str = ""  # why it runs concurrently (empty: it does not, as far as we can tell)
    evidence: str = ""
    related: Tuple[Tuple[Node, str], ...] = ()
    package_only: bool = False  # the only reason is "a package-level variable" (see package_var_used_elsewhere)


def conflicting_update(write: Write, indexed: bool, container: Optional[str]) -> bool:
    """The write is an update that two goroutines cannot both make without ordering, as the family
    counts writers: a read-modify-write, an append, a ``delete``, or a store into an element of a map
    (or of a container not known to be a slice).  Plain stores of a variable or of a slice element are
    not counted."""
    return write.kind in ("rmw", "append", "delete") or (indexed and container != "slice")


def _distinct_slot(ctx: FileContext, body: Body, path: Node) -> bool:
    """Some ``x[i]`` along the path indexes a slice/array (not a map) with a per-goroutine index."""
    n = unparen(path)
    while n is not None:
        if n.type == "index_expression":
            index = n.child_by_field_name("index")
            container = n.child_by_field_name("operand")
            if index is not None and container is not None and per_goroutine_index(ctx, body, index) \
                    and container_kind(ctx, container) != "map":
                return True
            n = container
        elif n.type == "selector_expression":
            n = n.child_by_field_name("operand")
        elif n.type == "parenthesized_expression" or n.type == "unary_expression":
            n = n.named_children[-1] if n.named_children else None
        else:
            return False
        n = unparen(n)
    return False


def _overlap_counts(ctx: FileContext, records: List[SharedWrite]) -> Dict[object, Dict[int, int]]:
    """Per sharing key whose writers have the common shape, launch id -> how many *other* launches of the
    key ``_may_overlap`` with it, counted in O(writers) instead of pairwise.  The shape: no launch of the
    key lies inside a written goroutine body (so one goroutine never starts another), and the launches of
    each launcher are distinct statements of one statement list, none of them a sync point, with no loop
    in between -- then two launches of a launcher overlap iff no sync point separates them, an equivalence
    ("epochs": sync points before the launch).  Keys of any other shape are absent (pairwise fallback)."""
    if active() is None:
        return {}
    groups: Dict[object, List[SharedWrite]] = {}
    for rec in records:
        groups.setdefault(rec.sharing.key, []).append(rec)
    out: Dict[object, Dict[int, int]] = {}
    for key, group in groups.items():
        counts = _group_overlap_counts(ctx, group)
        if counts is not None:
            out[key] = counts
    return out


def _group_overlap_counts(ctx: FileContext, group: List[SharedWrite]) -> Optional[Dict[int, int]]:
    launches: Dict[int, Tuple[Node, Optional[Node]]] = {}
    for rec in group:
        if rec.body.launch is not None:
            launches.setdefault(rec.body.launch.id, (rec.body.launch, rec.body.launcher))
    if len(launches) < 2:
        return {lid: 0 for lid in launches}
    starts = sorted((node.start_byte, node.end_byte) for node, _ in launches.values())
    begin = [s for s, _ in starts]
    for rec in group:  # one goroutine starting another: program order matters, use the pairwise check
        func = rec.body.func
        i = bisect.bisect_left(begin, func.start_byte)
        while i < len(starts) and starts[i][0] <= func.end_byte:
            if starts[i][1] <= func.end_byte:
                return None
            i += 1
    epoch: Dict[int, Tuple[int, int]] = {}  # launch id -> (launcher id, sync points before it)
    lists: Dict[int, int] = {}  # launcher id -> id of the statement list of its launches
    tops: Set[int] = set()
    for lid, (launch, launcher) in launches.items():
        if launcher is None:
            continue
        node = launch
        parent = ctx.parent(node)
        while parent is not None and parent.type != "statement_list":
            if parent.type == LOOP or parent == launcher:
                return None
            node = parent
            parent = ctx.parent(node)
        if parent is None or node.id in tops or lists.setdefault(launcher.id, parent.id) != parent.id:
            return None
        tops.add(node.id)
        _, _, prefix, index = sync_list(ctx, parent)
        i = index[node.id]
        if prefix[i + 1] != prefix[i]:
            return None  # the launch statement itself waits
        epoch[lid] = (launcher.id, prefix[i])
    per_launcher: Dict[int, int] = {}
    per_epoch: Dict[Tuple[int, int], int] = {}
    for e in epoch.values():
        per_launcher[e[0]] = per_launcher.get(e[0], 0) + 1
        per_epoch[e] = per_epoch.get(e, 0) + 1
    total = len(launches)
    counts = {}
    for lid in launches:
        e = epoch.get(lid)
        if e is None:
            counts[lid] = total - 1
        else:
            counts[lid] = total - per_launcher[e[0]] + per_epoch[e] - 1
    return counts


def _may_overlap(a: SharedWrite, b: SharedWrite) -> bool:
    """Two writes from different launches may run at the same time: not when one goroutine starts the
    other after its write (program order), and not when the launcher waits between the two launches."""
    for x, y in ((a, b), (b, a)):
        if is_ancestor(x.body.func, y.body.launch) and x.write.node.start_byte < y.body.launch.start_byte \
                and loop_between(y.body.launch, x.body.func) is None:
            return False
    if a.body.launcher is not None and a.body.launcher == b.body.launcher:
        first, second = sorted((a.body.launch, b.body.launch), key=lambda n: n.start_byte)
        if _sync_between(first, second, a.body.launcher):
            return False
    return True


def _sync_between(first: Node, second: Node, launcher: Node) -> bool:
    """A wait/receive runs after ``first`` and before the statement holding ``second`` (the walk of
    ``statements_after`` without crossing loops); with an active file in O(depth · log n) through
    per-statement-list prefix counts of the sync points."""
    ctx = active()
    if ctx is None:
        return _sync_between_scan(first, second, launcher)
    node = first
    while node is not None and node != launcher:
        parent = ctx.parent(node)
        if parent is not None and parent.type == "statement_list":
            starts, ends, prefix, index = sync_list(ctx, parent)
            i = index.get(node.id)
            if i is not None:
                j = bisect.bisect_right(starts, second.start_byte) - 1
                if j > i and second.end_byte <= ends[j]:
                    return prefix[j] - prefix[i + 1] > 0  # second is in a following sibling
                if prefix[-1] - prefix[i + 1] > 0:
                    return True
        if parent is not None and parent.type == LOOP:
            return False
        node = parent
    return False


@provider(scope=FILE, requires=(sync_point,))
def sync_list(ctx: FileContext, stmts: Node):
    """(starts, ends, prefix counts of sync points, node id -> position) of a statement list's statements."""
    children = stmts.named_children
    prefix = [0]
    for c in children:
        prefix.append(prefix[-1] + (1 if is_sync_point(c) else 0))
    return ([c.start_byte for c in children], [c.end_byte for c in children], prefix,
            {c.id: i for i, c in enumerate(children)})


def _sync_between_scan(first: Node, second: Node, launcher: Node) -> bool:
    for stmt in statements_after(first, launcher, cross_loops=False):
        if is_ancestor(stmt, second):
            return False
        if is_sync_point(stmt):
            return True
    return False


def _declared_in(sharing: Sharing, loop: Node) -> bool:
    return sharing.decl is not None and is_ancestor(loop, sharing.decl.ident)


def function_scope(node: Node) -> Optional[Body]:
    """A pseudo body for the function enclosing ``node`` (to reuse :func:`sharing_of` outside goroutines)."""
    func = node if node.type in FUNC_TYPES else enclosing_function(node)
    return Body(func, "function") if func is not None else None


def _token_passing(node: Node, func: Node) -> bool:
    """The write sits between a receive and a send of the goroutine (``<-turn; n++; next <- true``): a
    hand-off protocol that orders the writers, which we cannot check and do not report."""
    received = sent = False
    n = node
    while n is not None and n != func:
        parent = n.parent
        if parent is None:
            break
        if parent.type == "communication_case":
            comm = parent.child_by_field_name("communication")
            if comm is not None and comm != n and comm.type in ("receive_statement", "expression_statement"):
                received = True
        if parent.type == "statement_list":
            got, gives = _token_list(parent, n)
            received = received or got
            sent = sent or gives
        n = parent
    return received and sent


def _token_list(stmts: Node, child: Node) -> Tuple[bool, bool]:
    """(a receive statement precedes ``child`` in ``stmts``, a send follows it); with an active file
    from per-list prefix/suffix flags computed once."""
    ctx = active()
    if ctx is None:
        return _token_scan(stmts, child)
    flags = receive_send_flags(ctx, stmts).get(child.id)
    return (flags[0], flags[1]) if flags is not None else _token_scan(stmts, child)


@provider(scope=FILE)
def receive_send_flags(ctx: FileContext, stmts: Node) -> Dict[int, List[bool]]:
    """Statement id -> [a receive statement precedes it in the list ``stmts``, a send follows it]."""
    children = stmts.named_children
    recv = [_receives(c) for c in children]
    send = [_sends(c) for c in children]
    table: Dict[int, List[bool]] = {}
    seen_recv = False
    for i, c in enumerate(children):
        table[c.id] = [seen_recv, False]
        seen_recv = seen_recv or recv[i]
    seen_send = False
    for i in range(len(children) - 1, -1, -1):
        table[children[i].id][1] = seen_send
        seen_send = seen_send or send[i]
    return table


def _receives(stmt: Node) -> bool:
    return stmt.type in ("expression_statement", "assignment_statement", "short_var_declaration") \
        and _has_receive(stmt)


def _sends(stmt: Node) -> bool:
    return stmt.type == "send_statement" or bool(captures("(send_statement) @s", stmt))


def _token_scan(stmts: Node, child: Node) -> Tuple[bool, bool]:
    received = sent = False
    before = True
    for stmt in stmts.named_children:
        if stmt == child:
            before = False
            continue
        if before and _receives(stmt):
            received = True
        if not before and _sends(stmt):
            sent = True
    return received, sent


def _has_receive(stmt: Node) -> bool:
    return bool(captures('(unary_expression operator: "<-") @r', stmt))


def package_var_used_elsewhere(ctx, rec) -> bool:
    """The package-level variable written by a goroutine body (whose launcher waits for it
    before returning) is also used somewhere that may run at the same time: anywhere in the package
    (field-access index) except the body itself and its launcher before the launch or after a wait
    (``close(ch)`` -> consumers' ``range`` ends -> ``wg.Wait()`` -> read)."""
    root = root_identifier(rec.write.target)
    if root is None:
        return True
    name = root.text.decode()
    body, launcher = rec.body.func, rec.body.launcher
    ix = index(ctx)
    sites = ix.package_var_sites(name)
    if not sites:
        return True  # not indexed (a var of another kind): keep the old answer
    for a in sites:
        if a.file == ctx.path and body.start_byte <= a.start and a.end <= body.end_byte:
            continue
        if launcher is not None and a.file == ctx.path and a.func_key == (ctx.path, launcher.start_byte) \
                and (a.after_wait or (rec.body.launch is not None and a.end <= rec.body.launch.start_byte)):
            continue
        return True
    return False


# --------------------------------------------------------------------------- the shared writes of a file


@provider(scope=FILE, requires=(goroutine_bodies, writes_in, field_container_kinds, sync_point, sync_list,
                                next_sync_or_use, own_identifiers, receive_send_flags, held_in_list, model,
                                literal_sync_facts, scopes))
def shared_writes(ctx: FileContext) -> List[SharedWrite]:
    """Every conflicting update (:func:`conflicting_update`) from a goroutine body to shared state, except
    writes to a slot of its own (``out[i]`` with a per-goroutine ``i``), a named result of the launcher
    and writes between a receive and a send (a hand-off protocol), with the facts about it and the
    reasons it may run concurrently with another write or use."""
    records: List[SharedWrite] = []
    for body in goroutine_bodies(ctx):
        for w in writes_in(ctx, body.func):
            sharing = sharing_of(ctx, body, w.target)
            if sharing is None:
                continue
            if sharing.decl is not None and body.func.type == "func_literal" \
                    and named_results(body.launcher).get(sharing.decl.ident.text) == sharing.decl.ident:
                continue  # a named result of the launcher: a finding of its own
            if _token_passing(w.node, body.func):
                continue
            if _distinct_slot(ctx, body, w.target):
                continue  # out[i].n++ / out[i] = append(out[i], …): distinct elements of a slice or array
            indexed = w.target.type == "index_expression"
            container = w.target.child_by_field_name("operand") if indexed else None
            kind = container_kind(ctx, container) if container is not None else None
            if not conflicting_update(w, indexed, kind):
                continue
            records.append(SharedWrite(w, body, sharing, indexed, kind, write_locked(w.node)))
    fast = _overlap_counts(ctx, records)
    for rec in records:
        body = rec.body
        reasons = []
        evidence = []
        root = root_identifier(rec.write.target)
        if body.loop is not None and not _declared_in(rec.sharing, body.loop) and not rec.sharing.per_iteration:
            launch = launch_of(ctx, body.launch) if body.launch is not None and body.kind != "afterfunc" else None
            if launch is None or not iteration_synced(ctx, launch, body.loop):
                reasons.append("the goroutine is started in a loop (line %d), so several copies write it at once"
                               % line_of(body.loop))
                evidence.append("launched in loop at L%d" % line_of(body.loop))
        counts = fast.get(rec.sharing.key)
        if counts is not None:
            n_others = counts.get(body.launch.id, 0) if body.launch is not None else 0
        else:
            n_others = len({o.body.launch.id for o in records
                            if o.sharing.key == rec.sharing.key and o.body.launch is not None
                            and body.launch is not None and o.body.launch != body.launch and _may_overlap(rec, o)})
        if n_others:
            reasons.append("%d goroutines write it" % (n_others + 1))
            evidence.append("%d writer launches" % (n_others + 1))
        use = accesses_after_launch(ctx, body, rec.sharing, root.text) if root is not None else None
        if use is not None and not _touches_written_field(rec.write.target, use):
            use = None  # ``return c`` / ``c.other = …`` after ``go func(){ c.f = … }()``: not a use of c.f
        if use is not None:
            reasons.append("the launching function uses it at line %d without waiting first" % line_of(use))
            evidence.append("parent uses it at L%d before any Wait/receive" % line_of(use))
            rec.related += ((use, "used here by the launching function while the goroutine may run"),)
        if rec.sharing.how == "package":
            # the only reason when the launcher waits for the goroutine and nothing else ran concurrently:
            # the rules ask package_var_used_elsewhere (the package's field-access index) whether it is used elsewhere
            rec.package_only = not reasons and return_while_running(body) is None
            reasons.append("any other goroutine can reach it")
            evidence.append("package-level")
        if body.launch is not None:
            rec.related = ((body.launch, "goroutine started here"),) + rec.related
        if rec.sharing.decl is not None:
            evidence.append("declared at L%d" % line_of(rec.sharing.decl.ident))
            rec.related += ((rec.sharing.decl.ident, "declared here"),)
        evidence.insert(1 if evidence else 0, "no lock held" if rec.locked is None else "only RLock held")
        rec.reason = "; ".join(reasons)
        rec.evidence = "; ".join(evidence)
    return records


@provider(scope=FILE, requires=(shared_writes,))
def shared_writes_by_launch(ctx: FileContext) -> Dict[int, List[Tuple[int, SharedWrite]]]:
    """Launch node id -> [(position in ``shared_writes``, record)] of the writes of the bodies it starts."""
    by_launch: Dict[int, List[Tuple[int, SharedWrite]]] = {}
    for i, rec in enumerate(shared_writes(ctx)):
        if rec.body.launch is not None:
            by_launch.setdefault(rec.body.launch.id, []).append((i, rec))
    return by_launch


@provider(scope=FILE)
def reported_writes(ctx: FileContext, decide) -> Set[int]:
    """The write nodes of this file already reported through the decision ``decide`` (a set that
    :func:`report_shared_writes` fills: a write reached from several launches is reported once)."""
    return set()


def report_shared_writes(match, ctx: FileContext, launch: Node, decide):
    """Findings for the shared writes of the goroutine bodies started by one launch (a ``go`` statement,
    an ``errgroup.Go`` or ``time.AfterFunc`` call), for which the rule's ``decide(ctx, rec)`` names what
    is written ("the counter", "the map", ...; None: not reported).  A write reached from several
    launches (a method started twice) is reported once, at the first launch."""
    reported = reported_writes(ctx, decide)
    by_launch = shared_writes_by_launch(ctx)
    up = ctx.parent(launch)
    mine = by_launch.get(launch.id, []) + (by_launch.get(up.id, []) if up is not None and up.id != launch.id else [])
    for _, rec in sorted(mine, key=lambda pair: pair[0]):
        if rec.body.launch != launch and rec.body.launch != launch.parent:
            continue
        if rec.write.node.id in reported:
            continue
        what = decide(ctx, rec)
        if what is None:
            continue
        reported.add(rec.write.node.id)
        yield match.finding(rec.write.node, related=rec.related, evidence=rec.evidence,
                            var=normal_text(rec.write.target), op=rec.write.op, shared=rec.sharing.text,
                            why=rec.reason, what=what)
