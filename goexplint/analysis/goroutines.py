"""What runs on another goroutine, and when its launcher waits for it.

* Launches: :func:`launch_of` recognises a launch (``go``, ``defer``, ``errgroup.Go``) and the func
  literals that run *later* because of it: the launched literal, a local closure variable
  (``f := func(){…}; go f()``) and literals passed as arguments of the launched call.
* Goroutine bodies: :func:`goroutine_bodies` lists the code that runs on another goroutine — ``go``
  func literals and local closures, ``go f()`` / ``go s.m()`` of same-file functions and methods (one
  level), ``errgroup.Go`` and ``time.AfterFunc`` literals — and :func:`handler_bodies` the HTTP handlers
  (``(http.ResponseWriter, *http.Request)`` functions, ``ServeHTTP`` methods and literals registered
  with ``HandleFunc`` / ``HandlerFunc``).  :func:`runs_in` tells whether a node runs on the goroutine
  of a given function (not in a nested literal that may run elsewhere).
* Waiting: :func:`is_sync_point` (a statement that waits for other goroutines), :func:`return_while_running`
  (the launcher can return while its goroutine runs) and :func:`iteration_synced`, asked of the
  control-flow walker (:mod:`goexplint.analysis.cfg`): on every path from the launching statement to
  the end of the loop iteration, does the iteration wait for the goroutine (``wg.Wait()`` of a
  WaitGroup the body ``Done``s, the errgroup's ``Wait``, a receive from a channel the body sends on or
  closes) or leave the loop (``return``, ``break``, ``goto``, ``panic``, ``os.Exit``, ``log.Fatal``)?
  Given the loop variable's reads in the bodies, a channel handed to a same-package callee whose
  summary sends on or closes that parameter counts too, when every read comes before the signal
  (see :func:`callee_signals`).
* Evidence that calls overlap: :func:`handler_concurrency` (a handler handed to a server) and
  :func:`hook_concurrency` (a hook field the package calls from goroutines it starts).

All of it is syntactic (no types): where a fact cannot be established the answer is "unknown".
"""

from __future__ import annotations

import dataclasses
import re
from typing import Dict, List, Optional, Sequence, Set

from tree_sitter import Node

from goexplint.analysis.cfg import Domain, EMPTY, Walker, never_returns
from goexplint.analysis.summaries import callee_summary
from goexplint.analysis.syntax import (Decl, FUNC_TYPES, ancestors_until, enclosing_function, is_ancestor,
                                       is_package_type, line_of, outside_parens, package_selector, resolve, scopes,
                                       statements_after, unparen)
from goexplint.core.filequeries import file_captures, file_query
from goexplint.core.parse import FileContext, active, captures, node_text
from goexplint.core.providers import FILE, PACKAGE, provider

ERRGROUP = "golang.org/x/sync/errgroup"
HTTP = "net/http"
LOOP = "for_statement"
_BODY_FACTS = """
(call_expression function: (selector_expression operand: (_) @done_recv field: (field_identifier) @done)
  (#eq? @done "Done"))
(send_statement channel: (_) @sent)
(call_expression function: (identifier) @close arguments: (argument_list . (_) @closed .) (#eq? @close "close"))
"""


@dataclasses.dataclass
class Launch:
    kind: str  # "go" | "defer" | "errgroup"
    stmt: Node  # the statement that launches (go/defer statement, or the expression statement)
    closures: List[Node]  # func literals that run after the launch
    receiver: Optional[str] = None  # errgroup receiver text


def _closure_of_identifier(ident: Node) -> Optional[Node]:
    """``f`` in ``go f()`` -> the func literal assigned to local ``f`` by its declaration."""
    decl = resolve(ident)
    value = decl.value() if decl is not None else None
    return value if value is not None and value.type == "func_literal" else None


def closures_of_call(call: Node) -> List[Node]:
    out: List[Node] = []
    fn = call.child_by_field_name("function")
    while fn is not None and fn.type == "parenthesized_expression" and fn.named_children:
        fn = fn.named_children[0]
    if fn is not None and fn.type == "func_literal":
        out.append(fn)
    elif fn is not None and fn.type == "identifier":
        lit = _closure_of_identifier(fn)
        if lit is not None:
            out.append(lit)
    args = call.child_by_field_name("arguments")
    if args is not None:
        for a in args.named_children:
            if a.type == "func_literal":
                out.append(a)
    return out


def is_errgroup_receiver(ctx: FileContext, recv: Node) -> bool:
    """``g`` in ``g.Go(...)`` is declared from x/sync/errgroup (``var g errgroup.Group``, ``WithContext``...)."""
    aliases = ctx.aliases_of(ERRGROUP)
    if not aliases or recv.type != "identifier":
        return False
    decl = resolve(recv)
    if decl is None:
        return False
    owner = decl.ident.parent
    while owner is not None and owner.type not in ("short_var_declaration", "var_spec", "parameter_declaration",
                                                   "assignment_statement"):
        owner = owner.parent
    if owner is None:
        return False
    text = node_text(owner)
    return any(a + "." in text for a in aliases)


def launch_of(ctx: FileContext, node: Node) -> Optional[Launch]:
    """Classify a ``go_statement``, ``defer_statement`` or ``X.Go(...)`` call as a launch."""
    if node.type in ("go_statement", "defer_statement"):
        call = next((c for c in node.named_children if c.type == "call_expression"), None)
        if call is None:
            return None
        kind = "go" if node.type == "go_statement" else "defer"
        return Launch(kind, node, closures_of_call(call))
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "selector_expression":
            return None
        field = fn.child_by_field_name("field")
        recv = fn.child_by_field_name("operand")
        if field is None or field.text != b"Go" or recv is None or not is_errgroup_receiver(ctx, recv):
            return None
        args = node.child_by_field_name("arguments")
        lits = [a for a in args.named_children if a.type == "func_literal"] if args is not None else []
        stmt = node.parent if node.parent is not None and node.parent.type == "expression_statement" else node
        return Launch("errgroup", stmt, lits, receiver=node_text(recv))
    return None


# --------------------------------------------------------------------------- waiting for a launch in a loop

def _normal(text: str) -> str:
    return "".join(text.split())


@provider(scope=FILE)
def literal_sync_facts(ctx: FileContext, lit: Node):
    """(WaitGroup receivers the func literal calls Done on, channels it sends on or closes)."""
    caps = captures(_BODY_FACTS, lit)
    return ({_normal(node_text(n)) for n in caps.get("done_recv", [])},
            {_normal(node_text(n)) for n in caps.get("sent", []) + caps.get("closed", [])})


def body_sync_facts(ctx: FileContext, closures: List[Node]):
    """(WaitGroup receivers the bodies call Done on, channels they send on or close)."""
    wgs: Set[str] = set()
    chans: Set[str] = set()
    for lit in closures:
        facts = literal_sync_facts(ctx, lit)
        wgs |= facts[0]
        chans |= facts[1]
    return wgs, chans


def _statement_of(node: Node, top: Node) -> Node:
    n = node
    while n.parent is not None and n.parent != top and n.parent.type not in ("block", "statement_list"):
        n = n.parent
    return n


def _plain_within(node: Node, lit: Node) -> bool:
    """``node`` is in ``lit``'s own body, not in a func literal nested in it (which runs who knows when)."""
    n = node.parent
    while n is not None and n != lit:
        if n.type in FUNC_TYPES:
            return False
        n = n.parent
    return n == lit


def read_before(ref: Node, call: Node, lit: Node) -> bool:
    """The read ``ref`` happens before the call ``call`` runs, on every execution of ``lit``'s body:
    both in ``lit``'s own body, ``ref`` in the call's arguments or before the call's statement, and no
    loop around the call (inside ``lit``) repeats the read after it."""
    if not _plain_within(ref, lit) or not _plain_within(call, lit):
        return False
    n = call.parent
    while n is not None and n != lit:
        if n.type == "for_statement" and is_ancestor(n, ref):
            return False
        n = n.parent
    args = call.child_by_field_name("arguments")
    if args is not None and is_ancestor(args, ref):
        return True
    return ref.end_byte <= _statement_of(call, lit).start_byte


def callee_signals(ctx: FileContext, closures: List[Node], reads: Sequence[Node]) -> Set[str]:
    """Channels the bodies hand to same-package callees that send on or close them (their summaries'
    ``signals``), when every one of ``reads`` happens before every such call (:func:`read_before`)."""
    ok: Dict[str, bool] = {}
    for lit in closures:
        for call in captures("(call_expression) @c", lit).get("c", []):
            summ = callee_summary(ctx, call)
            if summ is None or not summ.signals:
                continue
            args = call.child_by_field_name("arguments")
            for i, arg in enumerate(args.named_children if args is not None else ()):
                if summ.param_at(i) not in summ.signals:
                    continue
                text = _normal(node_text(arg))
                ok[text] = ok.get(text, True) and all(read_before(r, call, lit) for r in reads)
    return {text for text, good in ok.items() if good}


def _call_target(stmt: Node) -> Optional[Node]:
    """The call of ``f()``, ``x := f()`` or ``x = f()``."""
    if stmt.type == "expression_statement" and stmt.named_children:
        expr = stmt.named_children[0]
    elif stmt.type in ("short_var_declaration", "assignment_statement"):
        right = stmt.child_by_field_name("right")
        expr = right.named_children[0] if right is not None and len(right.named_children) == 1 else None
    else:
        return None
    return expr if expr is not None and expr.type == "call_expression" else None


def _receive_channel(expr: Optional[Node]) -> Optional[str]:
    while expr is not None and expr.type == "parenthesized_expression" and expr.named_children:
        expr = expr.named_children[0]
    if expr is not None and expr.type == "unary_expression":
        op = expr.child_by_field_name("operator")
        if op is not None and op.type == "<-":
            return _normal(node_text(expr.child_by_field_name("operand")))
    return None


def _waits(stmt: Node, launch: Launch, wgs, chans) -> bool:
    """``stmt`` (a simple statement or a header part) waits for the launched bodies: ``wg.Wait()`` of a
    WaitGroup they ``Done``, the errgroup's ``Wait``, a receive from a channel they send on or close, or a
    ``select`` whose every case is such a receive."""
    t = stmt.type
    call = _call_target(stmt)
    if call is not None:
        fn = call.child_by_field_name("function")
        if fn is not None and fn.type == "selector_expression" and fn.child_by_field_name("field").text == b"Wait":
            recv = _normal(node_text(fn.child_by_field_name("operand")))
            if recv in wgs or (launch.receiver is not None and recv == _normal(launch.receiver)):
                return True
    if t == "expression_statement" and stmt.named_children:
        ch = _receive_channel(stmt.named_children[0])
        if ch is not None and ch in chans:
            return True
    if t == "receive_statement":  # a select case
        ch = _receive_channel(stmt.child_by_field_name("right"))
        if ch is not None and ch in chans:
            return True
    if t in ("assignment_statement", "short_var_declaration"):
        right = stmt.child_by_field_name("right")
        if right is not None and right.named_children:
            ch = _receive_channel(right.named_children[0])
            if ch is not None and ch in chans:
                return True
    return False


BEFORE, PENDING, SYNCED = 0, 1, 2  # the launch not reached yet / reached, not waited for / waited for


class IterationDomain(Domain):
    """Whether an iteration waits for its launch, on the :mod:`goexplint.analysis.cfg` walker over one
    loop body: paths leave the iteration (``return``, ``goto``, a call that never returns, ``break`` or
    ``continue`` of an outer statement) or wait for the launch (with ``waits``),
    or reach the next iteration still PENDING."""

    def __init__(self, ctx: FileContext, launch: Launch, wgs, chans, waits: bool):
        self.ctx = ctx
        self.launch = launch
        self.wgs = wgs
        self.chans = chans
        self.waits = waits

    def no_return(self, call: Node) -> bool:
        return never_returns(self.ctx, call)

    def goto(self, stmt: Node, state: int):
        return EMPTY

    def simple(self, node: Node, state: int):
        if state == BEFORE:
            launch = self.launch.stmt
            inside = node.start_byte <= launch.start_byte and launch.end_byte <= node.end_byte
            return frozenset((PENDING if inside else BEFORE,))
        if state == PENDING and self.waits and _waits(node, self.launch, self.wgs, self.chans):
            return frozenset((SYNCED,))
        return frozenset((state,))


def iteration_synced(ctx: FileContext, launch: Launch, loop: Node, waits: bool = True,
                     reads: Optional[Sequence[Node]] = None) -> bool:
    """On every path from the launch to the end of this iteration of ``loop`` (its body's end or a
    ``continue`` of it), is there sync (``waits``) or a loop exit?  A path that leaves the iteration
    another way (``return``, ``break``, ``goto``, ``panic``, ``os.Exit``, ``log.Fatal``, ``continue``
    of an outer loop) cannot see the loop variable change under the goroutine.

    ``waits=False`` accepts only loop exits (for ``defer``, which waiting cannot help).  ``reads`` (the
    loop variable's references in the bodies) lets channels signalled by a callee count
    (:func:`callee_signals`); without it only the bodies' own sends and closes do.
    """
    body = loop.child_by_field_name("body")
    n = launch.stmt
    while n is not None and n != body:
        if n.type in FUNC_TYPES:
            return False  # launched in a func literal of the loop: runs whenever that is called
        n = n.parent
    if n is None:
        return False
    wgs, chans = body_sync_facts(ctx, launch.closures) if waits else (set(), set())
    if waits and reads:
        chans = chans | callee_signals(ctx, launch.closures, reads)
    domain = IterationDomain(ctx, launch, wgs, chans, waits)
    flow = Walker(domain).walk(body, frozenset((BEFORE,)))
    label = loop.parent.named_children[0].text \
        if loop.parent is not None and loop.parent.type == "labeled_statement" else None
    again = flow.fall | flow.continues.get(None, EMPTY) | (flow.continues.get(label, EMPTY) if label else EMPTY)
    return PENDING not in again


# --------------------------------------------------------------------------- goroutine bodies


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


@provider(scope=FILE)
def same_file_functions(ctx: FileContext) -> Dict[bytes, List[Node]]:
    """Function and method declarations of this file by name."""
    table: Dict[bytes, List[Node]] = {}
    for n in ctx.root.named_children:
        if n.type in ("function_declaration", "method_declaration"):
            name = n.child_by_field_name("name")
            if name is not None:
                table.setdefault(name.text, []).append(n)
    return table


def _launched_declarations(ctx: FileContext, call: Node) -> List[Node]:
    """``go f()`` / ``go s.m()`` of a function or method declared in this file (one level)."""
    fn = unparen(call.child_by_field_name("function"))
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


def loop_between(node: Node, stop: Node) -> Optional[Node]:
    """The innermost loop around ``node`` below ``stop``, within ``node``'s own function."""
    n = node.parent
    while n is not None and n != stop:
        if n.type == LOOP:
            return n
        if n.type in FUNC_TYPES:
            return None
        n = n.parent
    return None


LAUNCHES = file_query("""
(go_statement) @go
(call_expression function: (selector_expression field: (field_identifier) @m (#eq? @m "Go"))) @eg
(call_expression function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @af
   (#eq? @af "AfterFunc"))) @after
""")


# a file without one of these launches nothing: the go keyword, a selector ``.Go`` (comments may stand
# between the dot and the name), AfterFunc
LAUNCH_WORDS = re.compile(rb"\bgo\b|\.(?:\s|/\*(?:[^*]|\*(?!/))*\*/|//[^\n]*\n)*Go\b|AfterFunc")


@provider(scope=FILE, requires=(same_file_functions, scopes))
def goroutine_bodies(ctx: FileContext) -> List[Body]:
    """The code of this file that runs on a goroutine it starts, in launch order (``go`` statements,
    then ``errgroup.Go`` calls, then ``time.AfterFunc`` calls)."""
    bodies: List[Body] = []
    if not LAUNCH_WORDS.search(ctx.source):
        return bodies  # the field-access index asks this of every file: no traversal for most
    caps = file_captures(ctx, LAUNCHES)
    for stmt in caps.get("go", []):
        call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
        if call is None:
            continue
        funcs = list(closures_of_call(call)) + _launched_declarations(ctx, call)
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
    return bodies


@provider(scope=FILE, requires=(goroutine_bodies,))
def goroutine_bodies_by_launch(ctx: FileContext) -> Dict[int, List]:
    """Launch node id -> [(position in ``goroutine_bodies``, body)] of the bodies it starts."""
    index: Dict[int, List] = {}
    for i, body in enumerate(goroutine_bodies(ctx)):
        if body.launch is not None:
            index.setdefault(body.launch.id, []).append((i, body))
    return index


def bodies_of_launch(ctx: FileContext, launch: Node) -> List[Body]:
    """The goroutine bodies (in ``goroutine_bodies`` order) started by ``launch`` or by its parent
    (a ``go`` statement or its call)."""
    index = goroutine_bodies_by_launch(ctx)
    up = ctx.parent(launch)
    mine = index.get(launch.id, []) + (index.get(up.id, []) if up is not None and up.id != launch.id else [])
    return [body for _, body in sorted(mine, key=lambda pair: pair[0])]


def _add(bodies: List[Body], funcs: List[Node], kind: str, stmt: Node) -> None:
    launcher = enclosing_function(stmt)
    loop = loop_between(stmt, launcher) if launcher is not None else None
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


@provider(scope=FILE)
def handler_bodies(ctx: FileContext) -> List[Body]:
    """The HTTP handlers of this file (functions, methods and literals of handler signature)."""
    bodies: List[Body] = []
    if ctx.aliases_of(HTTP):
        seen: Set[int] = set()
        caps = captures("[(function_declaration) (method_declaration) (func_literal)] @f", ctx.root)
        for f in caps.get("f", []):
            if f.id not in seen and f.child_by_field_name("body") is not None and is_handler_signature(ctx, f):
                seen.add(f.id)
                bodies.append(Body(f, "handler"))
    return bodies


def runs_in(node: Node, func: Node) -> bool:
    """``node`` runs as part of ``func`` (not inside a nested literal that may run elsewhere)."""
    n = node.parent
    while n is not None and n != func:
        if n.type == "func_literal":
            p = outside_parens(n)[1]
            if p is None or p.type != "call_expression" or p.child_by_field_name("function") is None:
                return False
            if not is_ancestor(p.child_by_field_name("function"), n):
                return False  # passed as an argument
            gp = p.parent
            if gp is None or gp.type not in ("defer_statement", "expression_statement"):
                return False
        n = n.parent
    return n == func


# --------------------------------------------------------------------------- waiting for goroutines

_SYNC_QUERY = """
(call_expression function: (selector_expression field: (field_identifier) @w (#eq? @w "Wait")))
(unary_expression operator: "<-") @recv
(select_statement) @select
(range_clause) @range
"""


def is_sync_point(stmt: Node) -> bool:
    """A statement that waits for other goroutines: ``X.Wait()``, a receive, a ``select``, ``for range ch``
    (syntactically: we do not know that the ranged expression is a channel, so any range over an
    identifier that is not called counts only when written ``for … range ch`` with a bare name).
    Memoised per statement while a file is being linted (:func:`sync_point`)."""
    ctx = active()
    if ctx is None:
        return _sync_point(stmt)
    return sync_point(ctx, stmt)


@provider(scope=FILE, requires=(scopes,))
def sync_point(ctx: FileContext, stmt: Node) -> bool:
    """:func:`is_sync_point` of a statement of the file being linted."""
    return _sync_point(stmt)


def _sync_point(stmt: Node) -> bool:
    if stmt.type == "select_statement":
        return True
    caps = captures(_SYNC_QUERY, stmt)
    if caps.get("w") or caps.get("recv") or caps.get("select"):
        return True
    return any(_ranges_over_channel(r) for r in caps.get("range", []))


def _ranges_over_channel(clause: Node) -> bool:
    """``for v := range ch`` where ``ch`` is declared with ``make(chan …)`` or a channel type."""
    right = unparen(clause.child_by_field_name("right"))
    if right is None or right.type != "identifier":
        return False
    decl = resolve(right)
    if decl is None:
        return False
    typ = decl.written_type()
    if typ is not None and typ.type == "channel_type":
        return True
    value = unparen(decl.value())
    if value is not None and value.type == "call_expression" and value.child_by_field_name("function").text == b"make":
        args = value.child_by_field_name("arguments")
        return args is not None and bool(args.named_children) and args.named_children[0].type == "channel_type"
    return False


def return_while_running(body: Body) -> Optional[Node]:
    """A ``return`` of the launcher reachable after the launch before any wait/receive,
    or the launcher's closing brace when its end is reached that way.  None when it always waits."""
    if body.launch is None or body.launcher is None:
        return None
    for stmt in statements_after(body.launch, body.launcher, cross_loops=True):
        if is_sync_point(stmt):
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
        if not any(a.type == "func_literal" for a in ancestors_until(ret, stmt)):
            return ret
    return None


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
    fn = unparen(call.child_by_field_name("function"))
    if fn is not None and fn.type == "selector_expression":
        fn = fn.child_by_field_name("field")
    return fn.text if fn is not None and fn.type in ("identifier", "field_identifier") else None


def _flows_to_server(ctx: FileContext, expr: Node, depth: int = 0) -> Optional[Node]:
    """The call or element that hands ``expr`` (a handler literal, ``http.HandlerFunc(lit)``, or a local
    holding one) to a server: an argument of a ``_SERVE_CALLS`` call, a ``Handler:`` element.  Follows
    ``http.HandlerFunc(…)`` conversions and one local variable (``h := …; mux.Handle("/", h)``)."""
    if depth > 3:
        return None
    node, p = outside_parens(expr)
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
        target = unparen(names[values.index(node)])
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


@provider(scope=PACKAGE, requires=(goroutine_bodies,))
def hook_goroutine_calls(ctx: FileContext, name: bytes) -> List[HookCall]:
    """Calls ``x.name(…)`` of the package that run on a goroutine the package starts: inside a goroutine
    body (``go func(){ x.name() }()``, a method started with ``go``, an ``errgroup``/``AfterFunc``
    literal) or launched directly (``go x.name()``)."""
    found: List[HookCall] = []
    needle = b"." + name
    for f in ctx.package.files:
        if needle not in f.source:
            continue
        bodies = goroutine_bodies(f)
        for sel in captures("(call_expression function: (selector_expression field: (field_identifier) @f)) @c",
                            f.root).get("c", []):
            fn = unparen(sel.child_by_field_name("function"))
            field = fn.child_by_field_name("field") if fn is not None else None
            if field is None or field.text != name:
                continue
            parent = sel.parent
            if parent is not None and parent.type == "go_statement":
                loop = loop_between(parent, enclosing_function(parent) or parent) is not None
                found.append(HookCall(f.path, line_of(sel), parent.id, loop))
                continue
            for b in bodies:
                if b.launch is not None and is_ancestor(b.func, sel) and runs_in(sel, b.func):
                    found.append(HookCall(f.path, line_of(sel), b.launch.id, b.loop is not None))
                    break
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
