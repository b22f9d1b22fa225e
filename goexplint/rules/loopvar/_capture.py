"""Loop-variable capture analysis shared by the loopvar rules (GXL101-GXL106).

A *capture* is a reference, inside a func literal that runs after the
current iteration may have ended, to an iteration variable of an enclosing
loop (:func:`goexplint.analysis.syntax.loop_vars`), that is not shadowed between the reference and
the loop (a ``v := v`` copy before the launch, a parameter, a local of the closure...).

``mode`` selects which loop variables count: ``"declared"`` for ``:=`` loops
(shared only under pre-Go-1.22 semantics) and ``"outer"`` for loops that
assign variables declared outside (shared in every Go version).
"""

from __future__ import annotations

from typing import Iterator, List, Optional, Tuple

from tree_sitter import Node

from goexplint.analysis.goroutines import Launch, is_errgroup_receiver, iteration_synced
from goexplint.analysis.package import base_type_name, model
from goexplint.analysis.summaries import OUTLIVES_CALL, callee_summary, flow_up, summaries, type_like
from goexplint.analysis.types import selection
from goexplint.analysis.syntax import (enclosing_loops, file_loop_var_names, identifiers, is_ancestor, is_reference,
                                       loop_vars, resolve, root_identifier)
from goexplint.core.parse import FileContext

PARENS = ("parenthesized_expression",)


def loop_names(ctx: FileContext, loop: Node, mode: str):
    lv = loop_vars(ctx, loop)
    if mode == "declared":
        return {} if lv.declared and range_over_int_or_func(ctx, loop) else lv.declared
    return lv.outer


# Standard-library functions that return an iterator (iter.Seq / iter.Seq2): ranging over their result
# is range-over-func.
ITER_FUNCS = {
    "slices": {"All", "Values", "Backward", "Chunk"},
    "maps": {"All", "Keys", "Values"},
    "strings": {"Lines", "SplitSeq", "SplitAfterSeq", "FieldsSeq", "FieldsFuncSeq"},
    "bytes": {"Lines", "SplitSeq", "SplitAfterSeq", "FieldsSeq", "FieldsFuncSeq"},
}
INT_TYPES = {b"int", b"int8", b"int16", b"int32", b"int64", b"uint", b"uint8", b"uint16", b"uint32", b"uint64",
             b"uintptr", b"byte", b"rune"}
INT_CALLS = {("runtime", "GOMAXPROCS"), ("runtime", "NumCPU"), ("runtime", "NumGoroutine")}


def range_over_int_or_func(ctx: FileContext, loop: Node) -> bool:
    """``for x := range n`` over an integer or ``for x := range seq`` over a function: both exist only
    from Go 1.22 (functions from 1.23) and always have per-iteration variables, so the legacy sharing
    never applies to them (in a file whose Go version is forced below 1.22 they would not compile)."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    if clause is None:
        return False
    return _int_or_func(ctx, clause.child_by_field_name("right"), 0)


def _int_or_func(ctx: FileContext, expr: Optional[Node], depth: int) -> bool:
    while expr is not None and expr.type in PARENS:
        expr = expr.named_children[0] if expr.named_children else None
    if expr is None or depth > 2:
        return False
    t = expr.type
    if t in ("int_literal", "func_literal"):
        return True
    if t == "binary_expression":
        return any(c.type == "int_literal" for c in expr.named_children) and \
            expr.child_by_field_name("operator").type in ("+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^")
    if t == "call_expression":
        fn = expr.child_by_field_name("function")
        if fn is None:
            return False
        if fn.type == "identifier":  # len(x), cap(x), int(x)…: builtins unless shadowed
            return (fn.text in (b"len", b"cap") or fn.text in INT_TYPES) and resolve(fn) is None
        if fn.type == "selector_expression":
            operand = fn.child_by_field_name("operand")
            path = ctx.imports.get(operand.text.decode()) if operand is not None and operand.type == "identifier" \
                else None
            name = fn.child_by_field_name("field").text.decode()
            return path is not None and (name in ITER_FUNCS.get(path, ()) or (path, name) in INT_CALLS)
        return False
    if t == "identifier":
        decl = resolve(expr)
        if decl is None:
            return False
        typ = decl.written_type()
        if typ is not None:
            if typ.type == "type_identifier":
                return typ.text in INT_TYPES
            if typ.type == "function_type":
                return True
            if typ.type == "generic_type":  # iter.Seq[V], iter.Seq2[K, V]
                base = typ.child_by_field_name("type")
                return base is not None and base.type == "qualified_type" and \
                    ctx.imports.get(base.child_by_field_name("package").text.decode()) == "iter"
            return False
        return _int_or_func(ctx, decl.value(), depth + 1)
    return False


def refers_to_loop_var(ident: Node, loop: Node) -> bool:
    """Nothing between ``ident`` and ``loop`` re-declares the name (the caller checked the name)."""
    return resolve(ident, stop=loop) is None


def captured_refs(ctx: FileContext, closure: Node, loop: Node, mode: str) -> Iterator[Node]:
    names = loop_names(ctx, loop, mode)
    if not names:
        return
    for ident in identifiers(closure):
        if ident.text in names and is_reference(ident, ctx) and refers_to_loop_var(ident, loop):
            yield ident


def launch_captures(ctx: FileContext, launch: Launch, mode: str, waits: bool = True) -> Iterator[Tuple[Node, Node]]:
    """(reference, loop) pairs for a launch, skipping loops each of whose iterations waits for what it launched
    (:func:`goexplint.analysis.goroutines.iteration_synced`)."""
    if not launch.closures:
        return
    for loop in enclosing_loops(launch.stmt):
        if not loop_names(ctx, loop, mode):
            continue
        refs = [r for lit in launch.closures for r in captured_refs(ctx, lit, loop, mode)]
        if not refs or iteration_synced(ctx, launch, loop, waits=waits, reads=refs):
            continue
        for ref in refs:
            yield ref, loop


def declared_outside(target: Node, loop: Node) -> bool:
    """The root variable of an assignment target lives outside ``loop`` (package level or before it)."""
    root = root_identifier(target)
    if root is None:
        return False
    if root.text == b"_":
        return False
    decl = resolve(root)
    if decl is None:
        return True
    return not is_ancestor(loop, decl.ident)


def store_target(node: Node) -> Optional[Tuple[str, Optional[Node]]]:
    """Where the value of ``node`` goes when it is stored beyond the current expression.

    Climbs through parentheses, composite literals, ``&T{...}`` and ``append`` arguments.
    Returns ("assign", lhs) for ``lhs = ...node...``, ("send", None) for ``ch <- ...``,
    ("local", lhs) for ``x := ...``, ("return", None), or None for anything else (e.g. a call argument).
    """
    n = node
    while True:
        p = n.parent
        if p is None:
            return None
        t = p.type
        if t in PARENS or t in ("literal_element", "keyed_element", "literal_value", "composite_literal"):
            n = p
            continue
        if t == "unary_expression" and n.type == "composite_literal":
            n = p
            continue
        if t == "argument_list":
            call = p.parent
            fn = call.child_by_field_name("function") if call is not None else None
            if fn is not None and fn.type == "identifier" and fn.text == b"append" and p.named_children and \
                    p.named_children[0] != n:
                n = call
                continue
            if fn is not None and len(p.named_children) == 1 and type_like(fn):
                n = call  # (*Item)(&v): a conversion keeps the pointer
                continue
            return None
        if t == "type_conversion_expression":
            n = p
            continue
        if t == "expression_list":
            stmt = p.parent
            if stmt is None:
                return None
            if stmt.type in ("assignment_statement", "short_var_declaration") \
                    and stmt.child_by_field_name("right") == p:
                idx = p.named_children.index(n) if n in p.named_children else -1
                left = stmt.child_by_field_name("left").named_children
                target = left[idx] if 0 <= idx < len(left) else (left[0] if left else None)
                if stmt.type == "short_var_declaration":
                    return ("local", target)
                op = stmt.child_by_field_name("operator")
                if op is not None and op.type != "=":
                    return None
                return ("assign", target)
            if stmt.type == "return_statement":
                return ("return", None)
            if stmt.type == "var_spec":
                return ("local", None)
            return None
        if t == "send_statement" and p.child_by_field_name("value") == n:
            return ("send", None)
        if t == "return_statement":
            return ("return", None)
        return None


def _element_type(typ: Optional[Node]) -> Optional[Node]:
    if typ is None:
        return None
    if typ.type in ("slice_type", "array_type"):
        return typ.child_by_field_name("element")
    if typ.type == "map_type":
        return typ.child_by_field_name("value")
    return None


def range_value_type(ctx: FileContext, ident: Node, loop: Node) -> Optional[Node]:
    """The element type written for the range value variable ``ident``, as far as the source says: the
    ranged-over expression is a composite literal, a local or parameter declared ``[]T``/``[N]T``/
    ``map[K]T``, or a package variable (any file) declared so."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    if clause is None:
        return None
    left = clause.child_by_field_name("left").named_children
    if len(left) != 2 or left[1].text != ident.text:
        return None  # the key of a slice is an int; only the value can be a struct
    right = clause.child_by_field_name("right")
    if right.type == "composite_literal":
        typ = right.child_by_field_name("type")
    elif right.type == "identifier":
        decl = resolve(right)
        if decl is not None:
            typ = decl.written_type()
        else:
            var = model(ctx).vars.get(right.text.decode("utf-8", "replace"))
            spec = var.node.parent if var is not None and not var.const else None
            typ = spec.child_by_field_name("type") if spec is not None and spec.type == "var_spec" else None
    else:
        return None
    return _element_type(typ)


def range_value_is_struct_value(ctx: FileContext, ident: Node, loop: Node) -> bool:
    """True when the range value variable ``ident`` holds values (not pointers), as far as the source says:
    the ranged-over expression is declared in this function as ``[]T``/``[N]T``/``map[K]T`` with a
    non-pointer, non-interface ``T`` (or is such a composite literal)."""
    elem = range_value_type(ctx, ident, loop)
    return elem is not None and elem.type in ("type_identifier", "qualified_type", "struct_type") \
        and elem.text not in (b"any", b"error")


def implicit_address_escape(ctx: FileContext, call: Node, mode: str) -> Optional[Tuple[Node, Node, str, str]]:
    """``v.M(…)`` where ``v`` is a range value of a same-package type ``T`` and ``M`` has receiver ``*T``
    (Go takes ``&v``) and, by its summary, stores, sends or hands the receiver to a goroutine (or
    returns it, and the result leaves the iteration): (operand, loop, how, confidence)."""
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return None
    operand = fn.child_by_field_name("operand")
    if operand is None or operand.text not in file_loop_var_names(ctx):
        return None  # cheap: no loop of the file declares that name
    operand = fn.child_by_field_name("operand")
    if operand is None or operand.type != "identifier":
        return None
    name = fn.child_by_field_name("field").text.decode("utf-8", "replace")
    for loop in enclosing_loops(call):
        if operand.text not in loop_names(ctx, loop, mode):
            continue
        if not refers_to_loop_var(operand, loop):
            return None
        elem = range_value_type(ctx, operand, loop)
        if elem is None or elem.type not in ("type_identifier", "generic_type"):
            return None  # pointers, other packages' types, unknown
        base, pointer = base_type_name(elem)
        if base is None or pointer:
            return None
        decl = model(ctx).method(base, name)
        if decl is None or not decl.pointer_receiver:
            return None
        summ = summaries(ctx).method(base, name)
        kinds = summ.receiver_escape() & OUTLIVES_CALL if summ is not None else frozenset()
        got = None
        for kind, what in (("store", "stores it"), ("send", "sends it on a channel"),
                           ("goroutine", "hands it to a goroutine")):
            if kind in kinds:
                got = ("passed as the receiver of %s (pointer receiver *%s), which %s" % (name, base, what), "high")
                break
        if got is None and "return" in kinds:
            inner = escape_of(ctx, call, loop)
            if inner is not None:
                got = ("passed as the receiver of %s (pointer receiver *%s), which returns it, and the result is %s"
                       % (name, base, inner[0]), inner[1])
        if got is None or leaves_loop_after(ctx, call, loop):
            return None
        return operand, loop, got[0], got[1]
    return None


def address_escape(ctx: FileContext, amp: Node, mode: str) -> Optional[Tuple[Node, Node, str, str]]:
    """``&v`` (or ``&v.f`` of a struct value) of a loop variable that is stored outside the loop or sent:
    (operand root, loop, how, confidence)."""
    operand = amp.child_by_field_name("operand")
    while operand is not None and operand.type in PARENS and operand.named_children:
        operand = operand.named_children[0]
    field_of = None
    if operand is not None and operand.type == "selector_expression":
        field_of = operand
        operand = operand.child_by_field_name("operand")
    if operand is None or operand.type != "identifier":
        return None  # &v[i] and deeper paths: pointer-vs-value is unknown without types
    for loop in enclosing_loops(amp):
        names = loop_names(ctx, loop, mode)
        if operand.text not in names:
            continue
        if not refers_to_loop_var(operand, loop):
            return None
        if field_of is not None and not range_value_is_struct_value(ctx, operand, loop):
            return None  # &v.f where v may be a pointer: the field lives elsewhere, nothing is shared
        got = escape_of(ctx, amp, loop)
        if got is None or leaves_loop_after(ctx, amp, loop):
            return None
        return operand, loop, got[0], got[1]
    return None


def leaves_loop_after(ctx: FileContext, node: Node, loop: Node) -> bool:
    """The statement holding ``node`` is followed in the iteration by ``return``/``break``/``panic``:
    the loop variable is never reassigned afterwards, so a stored pointer or closure sees the right value."""
    stmt = node
    while stmt.parent is not None and stmt.parent.type != "statement_list":
        stmt = stmt.parent
    return iteration_synced(ctx, Launch("store", stmt, []), loop, waits=False)


def closure_escape(ctx: FileContext, lit: Node, register_funcs: Tuple[str, ...]) -> Optional[str]:
    """How a func literal escapes the iteration (stored outside, sent, registered), or None."""
    p = lit.parent
    while p is not None and p.type in PARENS:
        p = p.parent
    if p is not None and p.type == "argument_list":
        call = p.parent
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is not None and fn.type == "selector_expression":
            name = fn.child_by_field_name("field").text.decode()
            if name in register_funcs:
                return "registered with %s, which runs it later" % name
    return None


def loops_with(ctx: FileContext, node: Node, mode: str) -> List[Node]:
    return [loop for loop in enclosing_loops(node) if loop_names(ctx, loop, mode)]


def capture_finding(match, ref: Node, loop: Node, launch_node: Optional[Node], launch_what: str,
                    at: Optional[Node] = None, **extra):
    """A finding at ``at`` (default ``ref``, the loop variable reference).

    The loop variable's declaration and the launch become related locations."""
    ctx = match.ctx
    lv = loop_vars(ctx, loop)
    decl = lv.declared.get(ref.text) or lv.outer.get(ref.text)
    var = ref.text.decode("utf-8", "replace")
    related = []
    if decl is not None:
        related.append((decl, "loop variable %s" % var))
    if launch_node is not None:
        related.append((launch_node, launch_what))
    loop_line = loop.start_point[0] + 1
    how = ":=" if ref.text in lv.declared else "="
    evidence = "loop at L%d declares %s with %s" % (loop_line, var, how)
    if launch_node is not None:
        evidence += "; %s at L%d" % (launch_what, launch_node.start_point[0] + 1)
    return match.finding(at or ref, related=tuple(related), evidence=evidence, var=var, loop_line=loop_line, **extra)


STORE_NAMES = frozenset({"Add", "Append", "Push", "PushBack", "PushFront", "Put", "Set", "Store", "Insert",
                         "Register", "Enqueue", "LoadOrStore", "Swap"})
ASYNC_NAMES = frozenset({"Go", "Async", "RunAsync", "GoAsync"})


def escape_of_value(ctx: FileContext, node: Node, loop: Node, follow_locals: bool = True) -> Optional[str]:
    """How the value of ``node`` leaves the iteration of ``loop`` (see :func:`escape_of`), or None."""
    got = escape_of(ctx, node, loop, follow_locals)
    return got[0] if got is not None else None


def escape_of(ctx: FileContext, node: Node, loop: Node, follow_locals: bool = True,
              closure: bool = False) -> Optional[Tuple[str, str]]:
    """(how, confidence) when the value of ``node`` leaves the iteration of ``loop``: stored in an outer
    variable or sent (high), handed to a same-package function whose summary stores, returns, sends
    or runs it on another goroutine (high), or handed to a storing-named method (``Add``, ``Put``…;
    for a ``closure``, an ``Async``/``Go``-named one) of another package on a receiver declared
    outside the loop (medium).

    A value first kept in a loop-local variable (``f := func(){…}``, ``e := Entry{Ref: &v}``,
    ``e.Ref = &v``) is followed one step to where that local is stored (``hs = append(hs, f)``).
    """
    where = store_target(node)
    if where is None:
        return _call_escape(ctx, node, loop, follow_locals, closure)
    kind, target = where
    if kind == "send":
        return "sent on a channel", "high"
    if kind == "assign" and target is not None and declared_outside(target, loop):
        return "stored in %s" % target.text.decode("utf-8", "replace"), "high"
    local = None
    if kind == "local" and target is not None and target.type == "identifier":
        local = target
    elif kind == "assign" and target is not None and target.type in ("selector_expression", "index_expression"):
        root = root_identifier(target)
        decl = resolve(root) if root is not None else None
        if decl is not None and is_ancestor(loop, decl.ident):
            local = decl.ident  # e.Ref = &v with e declared in the iteration: follow e
    if local is not None and follow_locals:
        body = loop.child_by_field_name("body")
        stmt_end = node.end_byte
        for ref in identifiers(body):
            if ref.text != local.text or ref.start_byte <= max(local.end_byte, stmt_end) or not is_reference(ref):
                continue
            decl = resolve(ref)
            if decl is not None and decl.ident == local:
                got = escape_of(ctx, ref, loop, follow_locals=False, closure=closure)
                if got is not None:
                    shown = target.text.decode("utf-8", "replace")
                    return "kept in %s and %s" % (shown, got[0]), got[1]
    return None


def _call_escape(ctx: FileContext, node: Node, loop: Node, follow_locals: bool,
                 closure: bool) -> Optional[Tuple[str, str]]:
    top, parent = flow_up(node)
    if parent.type != "argument_list" or parent.parent is None or parent.parent.type != "call_expression":
        return None
    call = parent.parent
    args = parent.named_children
    idx = args.index(top) if top in args else -1
    if idx < 0:
        return None
    fn = call.child_by_field_name("function")
    shown = fn.text.decode("utf-8", "replace") if fn is not None else "the call"
    if call.parent is not None and call.parent.type in ("go_statement", "defer_statement"):
        if closure or call.parent.type == "defer_statement":
            return None  # closures launched by go/defer are GXL101/GXL102's
        return "passed to the goroutine started by go %s" % shown, "high"
    summ = callee_summary(ctx, call, summaries(ctx))
    sel = selection(ctx, fn) if summ is None and fn is not None and fn.type == "selector_expression" else None
    if sel is not None and sel.kind == "unknown" and sel.candidates:
        # The receiver's type is unknown: the package's one declaration of the method is what is meant
        # when only one type declares it; when several do, the name says nothing.
        sole = sel.sole_candidate
        if sole is None or sole.decl is None:
            return None
        summ = summaries(ctx).method(sole.type_name, sole.name)
    if summ is not None:
        param = summ.param_at(idx)
        kinds = summ.escape_of(param) & OUTLIVES_CALL
        if closure and param in summ.runs_async:
            return "handed to %s, which runs it on another goroutine" % shown, "high"
        for kind, what in (("store", "stores it"), ("send", "sends it on a channel"),
                           ("goroutine", "hands it to a goroutine")):
            if kind in kinds:
                return "passed to %s, which %s" % (shown, what), "high"
        if "return" in kinds:
            got = escape_of(ctx, call, loop, follow_locals, closure)
            if got is not None:
                return "passed to %s, which returns it, and the result is %s" % (shown, got[0]), got[1]
        return None
    if fn is None or fn.type != "selector_expression":
        return None
    operand = fn.child_by_field_name("operand")
    name = fn.child_by_field_name("field").text.decode("utf-8", "replace")
    names = ASYNC_NAMES if closure else STORE_NAMES
    if name not in names or operand is None:
        return None
    root = root_identifier(operand)
    if root is None or (resolve(root) is None and root.text.decode("utf-8", "replace") in ctx.imports):
        return None  # a package function (pkg.Store): no receiver that outlives the loop
    if closure and name == "Go" and root.type == "identifier" and is_errgroup_receiver(ctx, root):
        return None  # errgroup: GXL101
    if not declared_outside(operand, loop):
        return None
    if root.type == "identifier" and resolve(root) is None and \
            root.text.decode("utf-8", "replace") not in model(ctx).vars:
        return None  # neither local nor a package var: unknown
    what = "runs it later, likely on another goroutine" if closure else "likely keeps it"
    return "passed to %s, which %s" % (shown, what), "medium"
