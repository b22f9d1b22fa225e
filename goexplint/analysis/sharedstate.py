"""Shared machinery of the shared-counter family (GXL2xx).

* S3 goroutine bodies: :func:`goroutine_bodies` lists the code that runs on another goroutine —
  ``go`` func literals and local closures, ``go f()`` / ``go s.m()`` of same-file functions and methods
  (one level), ``errgroup.Go`` and ``time.AfterFunc`` literals — and :func:`handler_bodies` the HTTP
  handlers (``(http.ResponseWriter, *http.Request)`` functions, ``ServeHTTP`` methods and literals
  registered with ``HandleFunc`` / ``HandlerFunc``).
* S4 lock regions: :func:`locks_at` walks the statement lists from the enclosing function down to a
  node and returns the locks held there (write or read mode), never crossing a func literal.
* Writes: :func:`writes_in` finds read-modify-writes, appends, element writes and ``delete`` calls.
* Sharing: :func:`sharing_of` decides where a written variable comes from (package level, captured,
  receiver field, pointer parameter) or that it is local to the body.

All of it is syntactic (no types): where a fact cannot be established the helpers answer "unknown",
and the rules then stay silent.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import Dict, Iterator, List, Optional, Set, Tuple

from tree_sitter import Node

from goexplint.analysis.concurrency import _closures_of_call, launch_of
import tree_sitter

from goexplint.analysis.package import model
from goexplint.core.facts import file_captures, file_query
from goexplint.core.parse import FileContext, active, captures, compile_query
from goexplint.analysis.syntax import element_type_text
from goexplint.analysis.syntax import (FUNC_TYPES, Decl, enclosing_function, is_ancestor, is_package_type,  # noqa: F401
                                       node_text, package_selector, resolve, unparen)

PARENS = ("parenthesized_expression",)


def match_rows(query_source: str, node: Node) -> List[Dict[str, Node]]:
    """One dict per query match (capture name -> node).  Unlike zipping the per-name lists of
    ``captures()``, the nodes of a row always come from the same match."""
    rows = []
    for _, caps in tree_sitter.QueryCursor(compile_query(query_source)).matches(node):
        rows.append({name: nodes[0] for name, nodes in caps.items() if nodes})
    return rows


LOOP = "for_statement"
HTTP = "net/http"

# --------------------------------------------------------------------------- paths


def normal(node: Node) -> str:
    """Whitespace- and paren-free text of an expression: the key of a variable path (``s.stats.n``)."""
    text = "".join(node_text(node).split())
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return text


strip_parens = unparen


def root_of(expr: Optional[Node]) -> Optional[Node]:
    """Root identifier of ``x``, ``x.f.g``, ``x[i].f``, ``(*x).f``, ``*x``."""
    n = expr
    while n is not None:
        t = n.type
        if t == "identifier":
            return n
        if t in ("selector_expression", "index_expression", "slice_expression"):
            n = n.child_by_field_name("operand")
        elif t in PARENS or (t == "unary_expression" and n.child_by_field_name("operator").type == "*"):
            n = n.named_children[-1] if n.named_children else None
        else:
            return None
    return None


def line_of(node: Node) -> int:
    return node.start_point[0] + 1


# --------------------------------------------------------------------------- package-level variables

# --------------------------------------------------------------------------- S3 goroutine bodies


@dataclasses.dataclass
class Body:
    """Code that runs concurrently with its launcher."""

    func: Node  # func_literal / function_declaration / method_declaration whose body runs
    kind: str  # "go" | "errgroup" | "afterfunc" | "handler"
    launch: Optional[Node] = None  # the launching statement (None for handlers)
    launcher: Optional[Node] = None  # the function that contains the launch
    loop: Optional[Node] = None  # a loop around the launch, inside the launcher

    @property
    def block(self) -> Optional[Node]:
        return self.func.child_by_field_name("body")


def same_file_functions(ctx: FileContext) -> Dict[bytes, List[Node]]:
    """Function and method declarations of this file by name (memoised)."""
    key = ("same_file_functions",)
    table = ctx.cache.get(key)
    if table is None:
        table = {}
        for n in ctx.root.named_children:
            if n.type in ("function_declaration", "method_declaration"):
                name = n.child_by_field_name("name")
                if name is not None:
                    table.setdefault(name.text, []).append(n)
        ctx.cache[key] = table
    return table


def _launched_declarations(ctx: FileContext, call: Node) -> List[Node]:
    """``go f()`` / ``go s.m()`` of a function or method declared in this file (one level)."""
    fn = strip_parens(call.child_by_field_name("function"))
    table = same_file_functions(ctx)
    if fn is None:
        return []
    if fn.type == "identifier":
        if resolve(fn) is not None:
            return []
        return [d for d in table.get(fn.text, []) if d.type == "function_declaration"]
    if fn.type == "selector_expression":
        operand = fn.child_by_field_name("operand")
        field = fn.child_by_field_name("field")
        if operand is None or field is None or operand.type != "identifier" or operand.text in ctx.imports:
            return []
        methods = [d for d in table.get(field.text, []) if d.type == "method_declaration"]
        return methods if len(methods) == 1 else []
    return []


def _loop_between(node: Node, stop: Node) -> Optional[Node]:
    n = node.parent
    while n is not None and n != stop:
        if n.type == LOOP:
            return n
        if n.type in FUNC_TYPES:
            return None
        n = n.parent
    return None


_LAUNCHES = file_query("""
(go_statement) @go
(call_expression function: (selector_expression field: (field_identifier) @m (#eq? @m "Go"))) @eg
(call_expression function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @af
   (#eq? @af "AfterFunc"))) @after
""")


# a file without one of these launches nothing: the go keyword, a selector ``.Go`` (comments may stand
# between the dot and the name), AfterFunc
_LAUNCH_WORDS = re.compile(rb"\bgo\b|\.(?:\s|/\*(?:[^*]|\*(?!/))*\*/|//[^\n]*\n)*Go\b|AfterFunc")


def goroutine_bodies(ctx: FileContext) -> List[Body]:
    key = ("goroutine_bodies",)
    bodies = ctx.cache.get(key)
    if bodies is not None:
        return bodies
    bodies = []
    if not _LAUNCH_WORDS.search(ctx.source):
        ctx.cache[key] = bodies  # the field-access index asks this of every file: no traversal for most
        return bodies
    caps = file_captures(ctx, _LAUNCHES)
    for stmt in caps.get("go", []):
        call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
        if call is None:
            continue
        funcs = list(_closures_of_call(call)) + _launched_declarations(ctx, call)
        _add(bodies, funcs, "go", stmt)
    for call in caps.get("eg", []):
        launch = launch_of(ctx, call)
        if launch is not None:
            _add(bodies, launch.closures, "errgroup", launch.stmt)
    for call in caps.get("after", []):
        fn = call.child_by_field_name("function")
        if not package_selector(ctx, fn.child_by_field_name("operand"), "time"):
            continue
        args = call.child_by_field_name("arguments")
        lits = [a for a in args.named_children if a.type == "func_literal"] if args is not None else []
        stmt = call.parent if call.parent is not None and call.parent.type == "expression_statement" else call
        _add(bodies, lits, "afterfunc", stmt)
    ctx.cache[key] = bodies
    return bodies


def bodies_of_launch(ctx: FileContext, launch: Node) -> List[Body]:
    """The goroutine bodies (in ``goroutine_bodies`` order) started by ``launch`` or by its parent
    (a ``go`` statement or its call), from an index built once per file."""
    key = ("goroutine_bodies_by_launch",)
    index = ctx.cache.get(key)
    if index is None:
        index = {}
        for i, body in enumerate(goroutine_bodies(ctx)):
            if body.launch is not None:
                index.setdefault(body.launch.id, []).append((i, body))
        ctx.cache[key] = index
    up = ctx.parent(launch)
    mine = index.get(launch.id, []) + (index.get(up.id, []) if up is not None and up.id != launch.id else [])
    return [body for _, body in sorted(mine, key=lambda pair: pair[0])]


def _add(bodies: List[Body], funcs: List[Node], kind: str, stmt: Node) -> None:
    launcher = enclosing_function(stmt)
    loop = _loop_between(stmt, launcher) if launcher is not None else None
    for f in funcs:
        if f.child_by_field_name("body") is not None:
            bodies.append(Body(f, kind, stmt, launcher, loop))


def _is_http_type(ctx: FileContext, typ: Optional[Node], name: bytes, pointer: bool) -> bool:
    if pointer:
        if typ is None or typ.type != "pointer_type" or not typ.named_children:
            return False
        typ = typ.named_children[0]
    return is_package_type(ctx, typ, HTTP, name.decode())


def is_handler_signature(ctx: FileContext, func: Node) -> bool:
    """``func(w http.ResponseWriter, r *http.Request)`` under any import name of net/http."""
    params = func.child_by_field_name("parameters")
    if params is None:
        return False
    types = []
    for p in params.named_children:
        if p.type != "parameter_declaration":
            return False
        names = [c for c in p.named_children if c.type == "identifier"]
        types.extend([p.child_by_field_name("type")] * max(1, len(names)))
    return (len(types) == 2 and _is_http_type(ctx, types[0], b"ResponseWriter", False)
            and _is_http_type(ctx, types[1], b"Request", True))


def handler_bodies(ctx: FileContext) -> List[Body]:
    key = ("handler_bodies",)
    bodies = ctx.cache.get(key)
    if bodies is not None:
        return bodies
    bodies = []
    if ctx.aliases_of(HTTP):
        seen: Set[int] = set()
        caps = captures("[(function_declaration) (method_declaration) (func_literal)] @f", ctx.root)
        for f in caps.get("f", []):
            if f.id not in seen and f.child_by_field_name("body") is not None and is_handler_signature(ctx, f):
                seen.add(f.id)
                bodies.append(Body(f, "handler"))
    ctx.cache[key] = bodies
    return bodies


# --------------------------------------------------------------------------- S4 lock regions

LOCKS = {b"Lock": "W", b"RLock": "R"}
UNLOCKS = {b"Unlock": "W", b"RUnlock": "R"}
UNKNOWN = "?"


def _method_call(stmt: Node) -> Optional[Tuple[str, bytes]]:
    """``X.M()`` as an expression statement -> (normalised X, M)."""
    if stmt.type != "expression_statement" or not stmt.named_children:
        return None
    call = strip_parens(stmt.named_children[0])
    if call is None or call.type != "call_expression":
        return None
    fn = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    if fn is None or fn.type != "selector_expression" or (args is not None and args.named_children):
        return None
    operand = fn.child_by_field_name("operand")
    field = fn.child_by_field_name("field")
    if operand is None or field is None:
        return None
    return normal(operand), field.text


# lock helpers: lock(), rlock(), unlockAll(), s.lockShard(i), withLock(f), mu.TryLock() ("Block"/"clock" are not)
_LOCKISH = re.compile(rb"^(?:r?un)?r?lock|Lock|_lock")
_CALLS = "(call_expression function: [(identifier) @f (selector_expression field: (field_identifier) @f)])"


def _apply(held: Dict[str, str], stmt: Node) -> None:
    if b"ock" not in stmt.text:
        return  # every lock change names a call with "lock"/"Lock" in it (LOCKS, UNLOCKS, _LOCKISH)
    call = _method_call(stmt)
    if call is not None:
        recv, method = call
        if method in LOCKS:
            if held.get(recv) != "W":
                held[recv] = LOCKS[method]
            return
        if method in UNLOCKS:
            held.pop(recv, None)
            return
    if stmt.type == "defer_statement":
        return  # defer X.Unlock() keeps the lock held to the end of the function
    if _has_lock_helper(stmt):
        held[UNKNOWN] = UNKNOWN  # lock(), s.lockShard(i), withLock(func(){...}): state unknown from here on
        return
    if stmt.type in _COMPOUND:
        # a Lock inside a branch or loop may still be held after it, unless the same statement unlocks it
        locked, unlocked = _lock_calls(stmt)
        if locked - unlocked:
            held[UNKNOWN] = UNKNOWN


_COMPOUND = ("if_statement", "for_statement", "expression_switch_statement", "type_switch_statement",
             "select_statement", "block", "labeled_statement")
_LOCK_CALLS = """
(call_expression function: (selector_expression operand: (_) @recv field: (field_identifier) @m)
  (#match? @m "^R?(Un)?[Ll]ock$"))
"""


def _lock_calls(stmt: Node) -> Tuple[Set[str], Set[str]]:
    """Receivers locked and unlocked by direct calls inside ``stmt`` (func literals excluded)."""
    locked: Set[str] = set()
    unlocked: Set[str] = set()
    if b"ock" not in stmt.text:
        return locked, unlocked  # no Lock/Unlock name in it: the query would find nothing
    for row in match_rows(_LOCK_CALLS, stmt):
        recv, m = row["recv"], row["m"]
        if any(a.type == "func_literal" for a in _ancestors_until(recv, stmt)):
            continue
        (unlocked if b"nlock" in m.text else locked).add(normal(recv))
    return locked, unlocked


def _has_lock_helper(stmt: Node) -> bool:
    text = stmt.text
    if b"lock" not in text and b"Lock" not in text:
        return False  # every name _LOCKISH matches contains one of them
    for f in captures(_CALLS, stmt).get("f", []):
        if _LOCKISH.search(f.text) and f.text not in LOCKS and f.text not in UNLOCKS:
            return True
    return False


def _passed_to_lock_helper(lit: Node) -> bool:
    """``withLock(func(){…})``, ``s.mu.Do(func(){…})``-style: the literal may run under the helper's lock."""
    p = lit.parent
    while p is not None and p.type in PARENS:
        p = p.parent
    if p is None or p.type != "argument_list" or p.parent is None:
        return False
    fn = p.parent.child_by_field_name("function")
    name = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
    return name is not None and name.type in ("identifier", "field_identifier") and bool(_LOCKISH.search(name.text))


def locks_at(node: Node) -> Dict[str, str]:
    """S4: locks held at ``node`` (normalised receiver -> "W" | "R"; key "?" = an unknown lock helper ran).

    Walks the statement lists from the enclosing function (or func literal) body down to ``node``,
    applying the statements that precede it at each level.  ``defer X.Unlock()`` keeps X held; a branch
    that unlocks does not clear the lock for the statements after it; regions never cross a func literal.
    While a file is being linted the state before every statement of a list is computed once per list.
    """
    ctx = active()
    if ctx is not None:
        return dict(_held_before(ctx, node))
    chain: List[Node] = []
    n = node
    while n is not None and n.type not in FUNC_TYPES:
        chain.append(n)
        n = n.parent
    held: Dict[str, str] = {}
    if n is not None and n.type == "func_literal" and _passed_to_lock_helper(n):
        held[UNKNOWN] = UNKNOWN
    for child in reversed(chain):
        parent = child.parent
        if parent is None or parent.type != "statement_list":
            continue
        for stmt in parent.named_children:
            if stmt == child:
                break
            _apply(held, stmt)
    return held


def _initial_held(func: Optional[Node]) -> Dict[str, str]:
    if func is not None and func.type == "func_literal" and _passed_to_lock_helper(func):
        return {UNKNOWN: UNKNOWN}
    return {}


def _held_before(ctx: FileContext, node: Node) -> Dict[str, str]:
    """``locks_at`` from per-statement-list prefix states (memoised; do not mutate the result)."""
    if node.type in FUNC_TYPES:
        return _initial_held(node)
    pending = []  # (statement list, its child on the way up), innermost first, not yet computed
    child = node
    while True:
        parent = ctx.parent(child)
        if parent is None:
            base: Dict[str, str] = {}
            break
        if parent.type in FUNC_TYPES:
            base = _initial_held(parent)
            break
        if parent.type == "statement_list":
            known = ctx.cache.get(("sharedstate.held_list", parent.id))
            if known is not None:
                base = known[child.id]
                break
            pending.append((parent, child))
        child = parent
    for stmts, child in reversed(pending):
        held = dict(base)
        states: Dict[int, Dict[str, str]] = {}
        for stmt in stmts.named_children:
            states[stmt.id] = dict(held)
            _apply(held, stmt)
        ctx.cache[("sharedstate.held_list", stmts.id)] = states
        base = states[child.id]
    return base


def write_locked(node: Node) -> Optional[str]:
    """"W" when a write lock (or an unknown lock helper) covers ``node``, "R" when only read locks do, else None."""
    held = locks_at(node)
    if not held:
        return None
    if any(mode in ("W", UNKNOWN) for mode in held.values()):
        return "W"
    return "R"


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
    return normal(a) == normal(b)


def _classify_assignment(stmt: Node) -> Iterator[Write]:
    op_node = stmt.child_by_field_name("operator")
    op = op_node.type if op_node is not None else "="
    left = stmt.child_by_field_name("left")
    right = stmt.child_by_field_name("right")
    lefts = left.named_children if left is not None else []
    rights = right.named_children if right is not None else []
    for i, target in enumerate(lefts):
        target = strip_parens(target)
        if target is None or (target.type == "identifier" and target.text == b"_"):
            continue
        if op != "=":
            yield Write(target, target, "rmw", "updated with %s" % op)
            continue
        value = strip_parens(rights[i]) if len(rights) == len(lefts) else None
        if value is not None and value.type == "binary_expression":
            lhs = value.child_by_field_name("left")
            if lhs is not None and _same_path(strip_parens(lhs), target):
                yield Write(target, target, "rmw", "updated with %s = %s %s ..." % (
                    normal(target), normal(target), value.child_by_field_name("operator").type))
                continue
        if value is not None and value.type == "call_expression":
            fn = value.child_by_field_name("function")
            args = value.child_by_field_name("arguments")
            if fn is not None and fn.type == "identifier" and fn.text == b"append" and args is not None \
                    and args.named_children and _same_path(strip_parens(args.named_children[0]), target) \
                    and resolve(fn) is None:
                yield Write(target, target, "append", "appended to")
                continue
        if target.type == "index_expression":
            yield Write(target, target, "element", "written")
        else:
            yield Write(target, target, "assign", "assigned")


def writes_in(ctx: FileContext, func: Node) -> List[Write]:
    """Writes in the body of ``func``, not counting nested func literals except ``defer func(){…}()``
    and immediately called ``func(){…}()`` (they run on the same goroutine).  Nested ``go``
    literals are bodies of their own; literals passed to calls may run under a helper's lock."""
    key = ("writes_in", func.id)
    found = ctx.cache.get(key)
    if found is not None:
        return found
    found = []
    block = func.child_by_field_name("body")
    if block is None:
        ctx.cache[key] = found
        return found
    caps = captures(_WRITES, block)
    for node in caps.get("inc", []):
        found.append(Write(strip_parens(node), strip_parens(node), "rmw", "incremented"))
    for node in caps.get("dec", []):
        found.append(Write(strip_parens(node), strip_parens(node), "rmw", "decremented"))
    for stmt in caps.get("assign", []):
        found.extend(_classify_assignment(stmt))
    for row in match_rows(_DELETE, block):
        call, first = row["delete"], row["del"]
        fn = call.child_by_field_name("function")
        if resolve(fn) is None:
            found.append(Write(call, strip_parens(first), "delete", "deleted from"))
    found = [w for w in found if _runs_in(w.node, func)]
    found.sort(key=lambda w: w.node.start_byte)
    ctx.cache[key] = found
    return found


def _runs_in(node: Node, func: Node) -> bool:
    """``node`` runs as part of ``func`` (not inside a nested literal that may run elsewhere)."""
    n = node.parent
    while n is not None and n != func:
        if n.type == "func_literal":
            p = n.parent
            while p is not None and p.type in PARENS:
                p = p.parent
            if p is None or p.type != "call_expression" or p.child_by_field_name("function") is None:
                return False
            if not is_ancestor(p.child_by_field_name("function"), n):
                return False  # passed as an argument
            gp = p.parent
            if gp is None or gp.type not in ("defer_statement", "expression_statement"):
                return False
        n = n.parent
    return n == func


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
    fn = strip_parens(call.child_by_field_name("function"))
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
    n = strip_parens(target)
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
                return normal(n)
            inner = operand
        else:
            return normal(n)
        n = strip_parens(inner)
    return normal(target)


def _index_free(node: Optional[Node]) -> bool:
    node = strip_parens(node)
    while node is not None and node.type == "selector_expression":
        node = strip_parens(node.child_by_field_name("operand"))
    return node is not None and node.type == "identifier"


def sharing_of(ctx: FileContext, body: Body, target: Node) -> Optional[Sharing]:
    """Where the variable written by ``target`` is shared from, or None (local, a copy, or unknown)."""
    root = root_of(target)
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
        if body.launch is None:  # a function examined on its own (GXL206): the caller's value is shared
            if what == "pointer-param" and target.type == "index_expression":
                return None
            return Sharing(what, decl, "a field of %s %s" % ("receiver" if what == "receiver" else "pointer parameter",
                                                             node_text(root)),
                           ("decl", decl.ident.id, written_path(target)))
        arg = _argument_for(body, decl)
        if arg is None:
            return None  # we cannot tell what the goroutine was given
        arg_root = root_of(arg)
        per_iteration = arg_root is not None and _per_iteration(body, arg_root)
        launcher = body.launcher.id if body.launcher is not None else -1
        key = ("arg", launcher, normal(arg), written_path(target)[len(root.text):])
        if owner is not None and owner == func.child_by_field_name("receiver"):
            return Sharing("receiver", decl, "a field of receiver %s (%s)" % (node_text(root), normal(arg)), key,
                           per_iteration)
        if target.type == "index_expression":
            return None
        return Sharing("pointer-param", decl, "reached through pointer parameter %s (given %s)" % (
            node_text(root), normal(arg)), key, per_iteration)
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


# --------------------------------------------------------------------------- synchronisation after a launch

_SYNC_QUERY = """
(call_expression function: (selector_expression field: (field_identifier) @w (#eq? @w "Wait")))
(unary_expression operator: "<-") @recv
(select_statement) @select
(range_clause) @range
"""


def _is_sync_point(stmt: Node) -> bool:
    """A statement that waits for other goroutines: ``X.Wait()``, a receive, a ``select``, ``for range ch``
    (syntactically: we do not know that the ranged expression is a channel, so any range over an
    identifier that is not called counts only when written ``for … range ch`` with a bare name).
    Memoised per statement while a file is being linted."""
    ctx = active()
    if ctx is None:
        return _sync_point(stmt)
    key = ("sharedstate.sync_point", stmt.id)
    found = ctx.cache.get(key)
    if found is None:
        found = ctx.cache[key] = _sync_point(stmt)
    return found


def _sync_point(stmt: Node) -> bool:
    if stmt.type == "select_statement":
        return True
    caps = captures(_SYNC_QUERY, stmt)
    if caps.get("w") or caps.get("recv") or caps.get("select"):
        return True
    return any(_ranges_over_channel(r) for r in caps.get("range", []))


def _ranges_over_channel(clause: Node) -> bool:
    """``for v := range ch`` where ``ch`` is declared with ``make(chan …)`` or a channel type."""
    right = strip_parens(clause.child_by_field_name("right"))
    if right is None or right.type != "identifier":
        return False
    decl = resolve(right)
    if decl is None:
        return False
    typ = decl.written_type()
    if typ is not None and typ.type == "channel_type":
        return True
    value = strip_parens(decl.value())
    if value is not None and value.type == "call_expression" and value.child_by_field_name("function").text == b"make":
        args = value.child_by_field_name("arguments")
        return args is not None and bool(args.named_children) and args.named_children[0].type == "channel_type"
    return False


def statements_after(node: Node, stop: Node, cross_loops: bool) -> Iterator[Node]:
    """The statements that run after ``node`` in program order, up to the end of ``stop`` (the enclosing
    function): following siblings, then those of each enclosing statement list.  Without
    ``cross_loops`` it ends at the first enclosing loop (the next iteration is another matter)."""
    while node is not None and node != stop:
        parent = node.parent
        if parent is not None and parent.type == "statement_list":
            after = False
            for stmt in parent.named_children:
                if after:
                    yield stmt
                elif stmt == node:
                    after = True
        if parent is not None and parent.type == LOOP and not cross_loops:
            return
        node = parent


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
        if _is_sync_point(stmt):
            return None  # (a use before the wait inside the same statement is ambiguous: stay silent)
        use = _use_in(ctx, stmt, sharing, root_text)
        if use is not None:
            return use
    return None


def _own_idents(ctx: FileContext, stmt: Node) -> Dict[bytes, List[Node]]:
    """Identifiers of ``stmt`` outside nested func literals, by name, in capture order (memoised)."""
    key = ("sharedstate.own_idents", stmt.id)
    found = ctx.cache.get(key)
    if found is None:
        found = {}
        for ident in captures("(identifier) @id", stmt).get("id", []):
            if not any(a.type == "func_literal" for a in _ancestors_until(ident, stmt)):
                found.setdefault(ident.text, []).append(ident)
        ctx.cache[key] = found
    return found


def _first_use_indexed(ctx: FileContext, body: Body, sharing: Sharing, root_text: bytes) -> Optional[Node]:
    """``accesses_after_launch`` visiting only the statements that wait or name ``root_text`` (a per-list
    "next such statement" table built once per list and name), in the order of ``statements_after``."""
    node = body.launch
    while node is not None and node != body.launcher:
        parent = ctx.parent(node)
        if parent is not None and parent.type == "statement_list":
            children, nxt = _next_interesting(ctx, parent, root_text)
            _, _, _, index = _sync_list(ctx, parent)
            j = nxt[index[node.id] + 1]
            while j < len(children):
                stmt = children[j]
                if _is_sync_point(stmt):
                    return None
                use = _use_in(ctx, stmt, sharing, root_text)
                if use is not None:
                    return use
                j = nxt[j + 1]
        if parent is not None and parent.type == LOOP:
            return None
        node = parent
    return None


def _next_interesting(ctx: FileContext, stmts: Node, name: bytes) -> Tuple[List[Node], List[int]]:
    """(statements of the list, for each position the first position at or after it whose statement is a
    sync point or uses ``name`` outside nested func literals; ``len`` when none)."""
    key = ("sharedstate.next_interesting", stmts.id, name)
    found = ctx.cache.get(key)
    if found is None:
        children = stmts.named_children
        nxt = [len(children)] * (len(children) + 1)
        for i in range(len(children) - 1, -1, -1):
            c = children[i]
            nxt[i] = i if _is_sync_point(c) or name in _own_idents(ctx, c) else nxt[i + 1]
        found = ctx.cache[key] = (children, nxt)
    return found


def _use_in(ctx: FileContext, stmt: Node, sharing: Sharing, root_text: bytes) -> Optional[Node]:
    for ident in _own_idents(ctx, stmt).get(root_text, ()):
        decl = resolve(ident)
        if sharing.decl is None:
            if decl is None:
                return ident
        elif decl is not None and decl.ident == sharing.decl.ident:
            return ident
    return None


def _ancestors_until(node: Node, stop: Node) -> Iterator[Node]:
    n = node.parent
    while n is not None and n != stop:
        yield n
        n = n.parent


# --------------------------------------------------------------------------- containers and indexes


_FIELDS = file_query("(field_declaration) @d")  # every struct field of the file


def _field_types(ctx: FileContext) -> Dict[bytes, Set[str]]:
    key = ("field_types",)
    table = ctx.cache.get(key)
    if table is None:
        table = {}
        for decl in file_captures(ctx, _FIELDS).get("d", []):
            typ = decl.child_by_field_name("type")
            for c in decl.named_children:
                if c.type == "field_identifier" and typ is not None:
                    table.setdefault(c.text, set()).add(_kind_of_type(ctx, typ) or "?")
        ctx.cache[key] = table
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
    value = strip_parens(value)
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
    container = strip_parens(container)
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
        kinds = _field_types(ctx).get(field.text) if field is not None else None
        if kinds and len(kinds) == 1:
            kind = next(iter(kinds))
            return None if kind == "?" else kind
    return None


def per_goroutine_index(ctx: FileContext, body: Body, index: Node) -> bool:
    """The index names a variable each goroutine has its own copy of: declared in the body (a parameter of
    the literal, a local), declared inside the loop body around the launch, or a loop variable of that loop
    (per-iteration in Go 1.22+ files; in older files its capture is a loop-variable finding already)."""
    index = strip_parens(index)
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
        loop = _loop_between(loop, body.launcher) if body.launcher is not None else None
    return False


# --------------------------------------------------------------------------- the family's per-file analysis


@dataclasses.dataclass
class SharedWrite:
    write: Write
    body: Body
    sharing: Sharing
    rule: str  # "GXL201" | "GXL202"
    what: str  # "the counter", "the map", "the slice"
    locked: Optional[str]  # "W" | "R" | None
    reason: str = ""  # why it runs concurrently (empty: it does not, as far as we can tell)
    evidence: str = ""
    related: Tuple[Tuple[Node, str], ...] = ()
    package_only: bool = False  # the only reason is "a package-level variable" (see report_shared_writes)


def _classify(ctx: FileContext, rec: SharedWrite) -> Optional[Tuple[str, str]]:
    """Which rule a shared write belongs to: (rule, what) or None (not this family's business)."""
    w = rec.write
    target = w.target
    if _distinct_slot(ctx, rec.body, target):
        return None  # out[i].n++ / out[i] = append(out[i], …): distinct elements of a slice or array
    if w.kind == "append":
        return "GXL202", "the slice"
    if w.kind == "delete":
        return "GXL202", "the map"
    if target.type == "index_expression":
        container = target.child_by_field_name("operand")
        index = target.child_by_field_name("index")
        kind = container_kind(ctx, container) if container is not None else None
        per_g = index is not None and per_goroutine_index(ctx, rec.body, index)
        if kind == "map" or (kind is None and not per_g):
            return "GXL202", "the map"
        if per_g:
            return None  # distinct slots of a slice
        return ("GXL201", "the element") if w.kind == "rmw" else None
    if w.kind == "rmw":
        return "GXL201", "the counter"
    return None


def _distinct_slot(ctx: FileContext, body: Body, path: Node) -> bool:
    """Some ``x[i]`` along the path indexes a slice/array (not a map) with a per-goroutine index."""
    n = strip_parens(path)
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
        elif n.type in PARENS or n.type == "unary_expression":
            n = n.named_children[-1] if n.named_children else None
        else:
            return False
        n = strip_parens(n)
    return False


def shared_writes(ctx: FileContext) -> List[SharedWrite]:
    """Every write from a goroutine body to shared state, classified and explained (cached per file)."""
    key = ("shared_writes",)
    found = ctx.cache.get(key)
    if found is not None:
        return found
    from goexplint.analysis.concurrency import iteration_synced

    records: List[SharedWrite] = []
    for body in goroutine_bodies(ctx):
        for w in writes_in(ctx, body.func):
            sharing = sharing_of(ctx, body, w.target)
            if sharing is None:
                continue
            if sharing.decl is not None and body.func.type == "func_literal" \
                    and named_results(body.launcher).get(sharing.decl.ident.text) == sharing.decl.ident:
                continue  # a named result of the launcher: GXL207
            if _token_passing(w.node, body.func):
                continue
            rec = SharedWrite(w, body, sharing, "", "", write_locked(w.node))
            cls = _classify(ctx, rec)
            if cls is None:
                continue
            rec.rule, rec.what = cls
            records.append(rec)
    fast = _overlap_counts(ctx, records)
    for rec in records:
        body = rec.body
        reasons = []
        evidence = []
        root = root_of(rec.write.target)
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
            # report_shared_writes asks the caller (the package's field-access index) whether it is used elsewhere
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
    ctx.cache[key] = records
    return records


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
        _, _, prefix, index = _sync_list(ctx, parent)
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
                and _loop_between(y.body.launch, x.body.func) is None:
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
            starts, ends, prefix, index = _sync_list(ctx, parent)
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


def _sync_list(ctx: FileContext, stmts: Node):
    """(starts, ends, prefix counts of sync points, node id -> position) of a statement list's statements."""
    key = ("sharedstate.sync_list", stmts.id)
    found = ctx.cache.get(key)
    if found is None:
        children = stmts.named_children
        prefix = [0]
        for c in children:
            prefix.append(prefix[-1] + (1 if _is_sync_point(c) else 0))
        found = ctx.cache[key] = ([c.start_byte for c in children], [c.end_byte for c in children], prefix,
                                  {c.id: i for i, c in enumerate(children)})
    return found


def _sync_between_scan(first: Node, second: Node, launcher: Node) -> bool:
    for stmt in statements_after(first, launcher, cross_loops=False):
        if is_ancestor(stmt, second):
            return False
        if _is_sync_point(stmt):
            return True
    return False


def _declared_in(sharing: Sharing, loop: Node) -> bool:
    return sharing.decl is not None and is_ancestor(loop, sharing.decl.ident)


def is_init(func: Optional[Node]) -> bool:
    if func is None or func.type != "function_declaration":
        return False
    name = func.child_by_field_name("name")
    return name is not None and name.text == b"init"


def return_while_running(body: Body) -> Optional[Node]:
    """A ``return`` of the launcher reachable after the launch before any wait/receive (S6-style),
    or the launcher's closing brace when its end is reached that way.  None when it always waits."""
    if body.launch is None or body.launcher is None:
        return None
    for stmt in statements_after(body.launch, body.launcher, cross_loops=True):
        if _is_sync_point(stmt):
            return None
        ret = _return_in(stmt)
        if ret is not None:
            return ret
    block = body.launcher.child_by_field_name("body")
    if block is None or block.child_count == 0:
        return None
    last = block.children[-1]
    return last if last.type == "}" else None


def _return_in(stmt: Node) -> Optional[Node]:
    for ret in captures("(return_statement) @r", stmt).get("r", []):
        if not any(a.type == "func_literal" for a in _ancestors_until(ret, stmt)):
            return ret
    return None


def named_results(func: Optional[Node]) -> Dict[bytes, Node]:
    if func is None:
        return {}
    result = func.child_by_field_name("result")
    out: Dict[bytes, Node] = {}
    if result is not None and result.type == "parameter_list":
        for p in result.named_children:
            for c in p.named_children:
                if c.type == "identifier" and c.text != b"_":
                    out[c.text] = c
    return out


def function_scope(node: Node) -> Optional[Body]:
    """A pseudo body for the function enclosing ``node`` (to reuse :func:`sharing_of` outside goroutines)."""
    func = node if node.type in FUNC_TYPES else enclosing_function(node)
    return Body(func, "function") if func is not None else None


def report_shared_writes(match, ctx, launch, rule_id, used_elsewhere=None):
    """Findings of GXL201/GXL202 for the goroutine bodies started by one launch (a ``go`` statement,
    an ``errgroup.Go`` or ``time.AfterFunc`` call).  A write reached from several launches (a method
    started twice) is reported once, at the first launch."""
    reported = ctx.cache.setdefault(("reported_writes", rule_id), set())
    by_launch = ctx.cache.get(("shared_writes_by_launch",))
    if by_launch is None:
        by_launch = {}
        for i, rec in enumerate(shared_writes(ctx)):
            if rec.body.launch is not None:
                by_launch.setdefault(rec.body.launch.id, []).append((i, rec))
        ctx.cache[("shared_writes_by_launch",)] = by_launch
    up = ctx.parent(launch)
    mine = by_launch.get(launch.id, []) + (by_launch.get(up.id, []) if up is not None and up.id != launch.id else [])
    for _, rec in sorted(mine, key=lambda pair: pair[0]):
        if rec.rule != rule_id or rec.locked is not None or not rec.reason:
            continue
        if rec.body.launch != launch and rec.body.launch != launch.parent:
            continue
        if rec.write.node.id in reported:
            continue
        if rec.package_only and used_elsewhere is not None and not used_elsewhere(ctx, rec):
            continue
        reported.add(rec.write.node.id)
        yield match.finding(rec.write.node, related=rec.related, evidence=rec.evidence,
                            var=normal(rec.write.target), op=rec.write.op, shared=rec.sharing.text,
                            why=rec.reason, what=rec.what)


def owner(node):
    """The statement (or delete call) a write belongs to."""
    n = node
    while n is not None:
        if n.type in ("inc_statement", "dec_statement", "assignment_statement"):
            return n
        if n.type == "call_expression" and n.child_by_field_name("function") is not None \
                and n.child_by_field_name("function").text == b"delete":
            return n
        n = n.parent
    return None


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
    key = ("sharedstate.token_list", stmts.id)
    table = ctx.cache.get(key)
    if table is None:
        children = stmts.named_children
        recv = [_receives(c) for c in children]
        send = [_sends(c) for c in children]
        table = {}
        seen_recv = False
        for i, c in enumerate(children):
            table[c.id] = [seen_recv, False]
            seen_recv = seen_recv or recv[i]
        seen_send = False
        for i in range(len(children) - 1, -1, -1):
            table[children[i].id][1] = seen_send
            seen_send = seen_send or send[i]
        ctx.cache[key] = table
    flags = table.get(child.id)
    return (flags[0], flags[1]) if flags is not None else _token_scan(stmts, child)


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


# --------------------------------------------------------------------------- value copies of roots

# written types whose values share what they point to: a path through one of them reaches shared memory
_REFERENCE_PREFIXES = ("*", "map[", "[]", "chan ", "chan<-", "<-chan", "func(", "func ", "interface")


def _type_of_text(text: str) -> Tuple[Optional[str], bool]:
    """(package struct name or None, reference) of a written type: ``*T`` / maps / slices / chans / funcs /
    interfaces are references (their values share memory); ``T``, ``pkg.T``, ``[4]T`` are values."""
    t = text.strip()
    if t.startswith(_REFERENCE_PREFIXES):
        return None, True
    if t.startswith("["):
        t = t[t.index("]") + 1:].strip() if "]" in t else ""  # [N]T: an array value holds its elements
        return _type_of_text(t) if t else (None, False)
    t = t.split("[", 1)[0]  # G[int]
    if "." in t:
        return None, False  # another package's named type: a value as far as we can tell
    return (t if t.isidentifier() else None), False


def _root_type_text(ctx: FileContext, ident: Node, depth: int = 0) -> Optional[str]:
    """The written type of a local identifier's variable, as text: a parameter's or ``var``'s type, the
    type of a composite literal it is initialised with, or the type of the value it copies (``v :=
    s.stats``, ``v := *p``, ``v := s.items[i]``, a range value over a typed slice or map)."""
    decl = resolve(ident)
    if decl is None or depth > 4:
        return None
    typ = decl.written_type()
    if typ is not None:
        return node_text(typ)
    if decl.kind == "var":
        value = strip_parens(decl.value())
        if value is not None and value.type == "unary_expression" and value.child_by_field_name("operator").type == "&":
            inner = strip_parens(value.child_by_field_name("operand"))
            if inner is not None and inner.type == "composite_literal":
                return "*" + node_text(inner.child_by_field_name("type"))
            return None
        return expr_type_text(ctx, value, depth + 1)
    if decl.kind == "range":
        clause = decl.ident.parent.parent if decl.ident.parent is not None else None
        if clause is None or clause.type != "range_clause":
            return None
        left = clause.child_by_field_name("left")
        names = left.named_children if left is not None else []
        if len(names) != 2 or names[1] != decl.ident:
            return None  # the key or index of a range: an int or a map key, not the element
        ranged = expr_type_text(ctx, clause.child_by_field_name("right"), depth + 1)
        return element_type_text(ranged) if ranged is not None else None
    return None


def expr_type_text(ctx: FileContext, expr: Optional[Node], depth: int = 0) -> Optional[str]:
    """The written type of ``expr`` as text when the package's declarations say it: a typed local, a
    field of a package struct (``s.stats``), ``*p`` of a typed pointer, an element ``x.items[i]`` of a
    typed slice or map.  None when it cannot be read without types."""
    expr = strip_parens(expr)
    if expr is None or depth > 6:
        return None
    if expr.type == "identifier":
        return _root_type_text(ctx, expr, depth)
    if expr.type == "selector_expression":
        owner = expr_type_text(ctx, expr.child_by_field_name("operand"), depth + 1)
        field = expr.child_by_field_name("field")
        if owner is None or field is None:
            return None
        name = owner.lstrip("*").strip().split("[", 1)[0]
        st = model(ctx).struct(name) if name.isidentifier() else None
        fd = st.field(node_text(field)) if st is not None else None
        return fd.type_text if fd is not None and not fd.embedded else None
    if expr.type == "unary_expression" and expr.child_by_field_name("operator").type == "*":
        inner = expr_type_text(ctx, expr.child_by_field_name("operand"), depth + 1)
        return inner[1:] if inner is not None and inner.startswith("*") else None
    if expr.type == "index_expression":
        container = expr_type_text(ctx, expr.child_by_field_name("operand"), depth + 1)
        return element_type_text(container) if container is not None else None
    if expr.type == "composite_literal":
        typ = expr.child_by_field_name("type")
        return node_text(typ) if typ is not None else None
    return None


def value_copy_root(ctx: FileContext, root: Node, path: Optional[Node] = None) -> bool:
    """``root`` (a local identifier) holds its function's own value, not the shared one: a by-value
    parameter or receiver (``func (p *M) add(q M)``), a named result, a local of a struct type (declared,
    built with ``T{…}``, or a copy: ``v := s.stats``, ``v := *p``, a range value over ``[]T``), and
    ``path`` (``q.n``, ``v.stats.n``) does not go through a pointer, map, slice, chan or interface field,
    which would reach shared memory again.  False when the written types do not say so."""
    decl = resolve(root)
    if decl is None or decl.kind not in ("param", "var", "range"):
        return False
    text = _root_type_text(ctx, root)
    if text is None:
        return False
    name, reference = _type_of_text(text)
    if reference or name is None or model(ctx).struct(name) is None:
        return False
    if path is None:
        return True
    fields = normal(path)[len(node_text(root)):].lstrip(".").split(".")
    cur = name
    for seg in fields[:-1]:
        if not seg.isidentifier():
            return False  # an index or a call along the path: not followed
        st = model(ctx).struct(cur) if cur is not None else None
        fd = st.field(seg) if st is not None else None
        if fd is None or fd.embedded:
            return False
        cur, reference = _type_of_text(fd.type_text)
        if reference:
            return False  # v.stats.n with stats *Stats: the copy points at the shared Stats
    return True


# --------------------------------------------------------------------------- evidence of concurrency

# calls that hand a handler to net/http's server (or a router that a server serves): ``mux.HandleFunc``,
# ``httptest.NewServer``, ``http.ListenAndServe``, ``r.Get("/", h)`` of chi-like routers
_SERVE_CALLS = frozenset((
    b"HandleFunc", b"Handle", b"NewServer", b"NewTLSServer", b"NewUnstartedServer", b"ListenAndServe",
    b"ListenAndServeTLS", b"Serve", b"ServeTLS", b"Get", b"Post", b"Put", b"Patch", b"Delete", b"Head",
    b"Options", b"Method", b"MethodFunc", b"Any", b"Mount", b"NotFound", b"MethodNotAllowed", b"HandlerFunc",
))
_HANDLER_KEYS = frozenset((b"Handler",))
# a test function whose own code runs something concurrently (its requests may overlap)
_CONCURRENT_TEST = re.compile(rb"\bgo\b\s*(?:func\b|[\w.]+\()|\.Go\(|\.RunParallel\(")


def _callee_name(call: Node) -> Optional[bytes]:
    fn = strip_parens(call.child_by_field_name("function"))
    if fn is not None and fn.type == "selector_expression":
        fn = fn.child_by_field_name("field")
    return fn.text if fn is not None and fn.type in ("identifier", "field_identifier") else None


def _flows_to_server(ctx: FileContext, expr: Node, depth: int = 0) -> Optional[Node]:
    """The call or element that hands ``expr`` (a handler literal, ``http.HandlerFunc(lit)``, or a local
    holding one) to a server: an argument of a ``_SERVE_CALLS`` call, a ``Handler:`` element.  Follows
    ``http.HandlerFunc(…)`` conversions and one local variable (``h := …; mux.Handle("/", h)``)."""
    if depth > 3:
        return None
    node = expr
    p = node.parent
    while p is not None and p.type in PARENS:
        node, p = p, p.parent
    if p is None:
        return None
    if p.type == "argument_list" and p.parent is not None and p.parent.type == "call_expression":
        call = p.parent
        name = _callee_name(call)
        if name == b"HandlerFunc" and len(p.named_children) == 1:
            return _flows_to_server(ctx, call, depth + 1)  # a conversion: where does the handler go?
        return call if name in _SERVE_CALLS else None
    if p.type == "literal_element" and p.parent is not None and p.parent.type == "keyed_element":
        elems = p.parent.named_children
        key = elems[0].named_children[0] if elems and elems[0].named_children else None
        return p.parent if elems[-1] == p and key is not None and key.text in _HANDLER_KEYS else None
    if p.type == "expression_list" and p.parent is not None \
            and p.parent.type in ("short_var_declaration", "assignment_statement", "var_spec"):
        stmt = p.parent
        left = stmt.child_by_field_name("left") if stmt.type != "var_spec" else None
        names = left.named_children if left is not None else \
            [c for c in stmt.named_children if c.type == "identifier"]
        values = p.named_children
        if len(names) != len(values) or node not in values:
            return None
        target = strip_parens(names[values.index(node)])
        if target is None or target.type != "identifier":
            return None
        decl = resolve(target) if stmt.type == "assignment_statement" else Decl(target, "var")
        func = enclosing_function(stmt)
        if decl is None or func is None:
            return None
        for ident in captures("(identifier) @i", func).get("i", []):
            if ident.text != target.text or ident.start_byte <= target.start_byte:
                continue
            d = resolve(ident)
            if d is not None and d.ident == decl.ident:
                got = _flows_to_server(ctx, ident, depth + 1)
                if got is not None:
                    return got
    return None


def _test_runs_concurrently(ctx: FileContext, func: Node) -> bool:
    top = func
    while ctx.parent(top) is not None and ctx.parent(top).type != "source_file":
        top = ctx.parent(top)
    return bool(_CONCURRENT_TEST.search(ctx.source[top.start_byte:top.end_byte]))


def handler_concurrency(ctx: FileContext, func: Node) -> Optional[str]:
    """Why the HTTP handler ``func`` may serve several requests at once (a parenthesised note naming the
    server it is handed to, or "" for a handler method), or None without evidence.
    A handler method (``ServeHTTP`` or any ``(http.ResponseWriter, *http.Request)`` method) outside
    tests: net/http calls it per request on the connection's goroutine.  A handler literal: only when it
    is handed to a server or router (``mux.HandleFunc``, ``httptest.NewServer``, ``Handler:``), not when it
    is called directly (``h.ServeHTTP(rec, req)`` in a unit test).  In a test file the test's own clients
    send the requests: only a test that runs something concurrently (``go``, ``X.Go``, ``RunParallel``)
    is evidence that two of them overlap."""
    if func.type == "func_literal":
        served = _flows_to_server(ctx, func)
        if served is None:
            return None
        if ctx.is_test and not _test_runs_concurrently(ctx, func):
            return None
        return " (served through %s at line %d)" % (node_text(served).split("(", 1)[0], line_of(served))
    if ctx.is_test and not _test_runs_concurrently(ctx, func):
        return None
    return ""


@dataclasses.dataclass(frozen=True)
class HookCall:
    file: str
    line: int
    launch: int  # id of the launch whose goroutine calls it
    loop: bool  # that launch is in a loop


def hook_goroutine_calls(ctx: FileContext, name: bytes) -> List[HookCall]:
    """Calls ``x.name(…)`` of the package that run on a goroutine the package starts: inside a goroutine
    body (``go func(){ x.name() }()``, a method started with ``go``, an ``errgroup``/``AfterFunc``
    literal) or launched directly (``go x.name()``).  Memoised per package and name."""
    key = ("sharedstate.hook_calls", name)
    cache = ctx.package.cache
    if key in cache:
        return cache[key]
    found: List[HookCall] = []
    needle = b"." + name
    for f in ctx.package.files:
        if needle not in f.source:
            continue
        bodies = goroutine_bodies(f)
        for sel in captures("(call_expression function: (selector_expression field: (field_identifier) @f)) @c",
                            f.root).get("c", []):
            fn = strip_parens(sel.child_by_field_name("function"))
            field = fn.child_by_field_name("field") if fn is not None else None
            if field is None or field.text != name:
                continue
            parent = sel.parent
            if parent is not None and parent.type == "go_statement":
                loop = _loop_between(parent, enclosing_function(parent) or parent) is not None
                found.append(HookCall(f.path, line_of(sel), parent.id, loop))
                continue
            for b in bodies:
                if b.launch is not None and is_ancestor(b.func, sel) and _runs_in(sel, b.func):
                    found.append(HookCall(f.path, line_of(sel), b.launch.id, b.loop is not None))
                    break
    cache[key] = found
    return found


def hook_concurrency(ctx: FileContext, name: bytes) -> Optional[HookCall]:
    """A call of the hook field ``name`` showing that several of its calls may run at once: a goroutine
    started in a loop calls it, or goroutines of two launches do.  None otherwise (called on the caller's
    goroutine, or by one goroutine only: a hook's name is no evidence)."""
    calls = hook_goroutine_calls(ctx, name)
    for c in calls:
        if c.loop:
            return c
    if len({(c.file, c.launch) for c in calls}) >= 2:
        return calls[0]
    return None
