"""GXL503: a local WaitGroup that goroutines Done but nobody Waits."""

from goexplint.analysis.syntax import (enclosing_function, is_reference, line_of, outside_parens, resolve, scopes,
                                       unparen)
from goexplint.core.parse import captures, node_text
from goexplint.rules.waitgroup._waitgroup import decl_kind, wg_calls

REQUIRES = (wg_calls, scopes)


def _escapes(ident_decl, func):
    """Any use of the WaitGroup other than calling its methods lets someone else Wait on it."""
    for ident in captures("(identifier) @i", func).get("i", []):
        if ident.text != ident_decl.text or not is_reference(ident):
            continue
        decl = resolve(ident)
        if decl is None or decl.ident != ident_decl:
            continue
        parent = outside_parens(ident)[1]
        if parent is not None and parent.type == "selector_expression" \
                and unparen(parent.child_by_field_name("operand")) == ident:
            call = parent.parent
            if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == parent:
                continue  # wg.Add(…) / wg.Done() / wg.Wait()
        return True
    return False


def _in_goroutine(node, func):
    """``node`` runs in a goroutine the function starts: inside ``go func(){…}()`` or a func literal given
    to ``X.Go(…)`` (errgroup, conc).  A callback such as ``b.RunParallel(func(pb){…})`` or ``t.Run`` is run
    and waited for by its caller, so a Done there is not a goroutine nobody waits for."""
    n = node.parent
    while n is not None and n != func:
        if n.type == "go_statement":
            return True
        if n.type == "func_literal":
            p = n.parent
            if p is not None and p.type == "argument_list" and p.parent is not None:
                f = p.parent.child_by_field_name("function")
                if f is not None and f.type == "selector_expression" \
                        and node_text(f.child_by_field_name("field")) == "Go":
                    return True
        n = n.parent
    return False


def applies(ctx):
    """Every finding is an Add call with a Done call in a goroutine."""
    return b"Add" in ctx.source and b"Done" in ctx.source


def refine(match, ctx):
    func = match["func"]
    if func.type == "func_literal":
        return  # (part of the declaration that holds it; the pattern is shared)
    calls = wg_calls(ctx, func)
    seen = set()
    for add in calls:
        if add.method != "Add" or add.key in seen or add.recv.type != "identifier":
            continue
        seen.add(add.key)
        decl = resolve(add.recv)
        if decl is None or decl.kind != "var" or not decl_kind(ctx, decl):
            continue
        same = [c for c in calls if c.key == add.key and resolve(c.recv) == decl]
        if any(c.method == "Wait" for c in same):
            continue
        dones = [c for c in same if c.method == "Done" and enclosing_function(c.call) is not None
                 and enclosing_function(c.call).type == "func_literal" and _in_goroutine(c.call, func)]
        if not dones or _escapes(decl.ident, func):
            continue
        name = func.child_by_field_name("name")
        yield match.finding(add.call, related=((dones[0].call, "Done in the goroutine"),
                                               (decl.ident, "declared here")),
                            evidence="Add at L%d; Done at L%d; no Wait; does not escape" % (
                                line_of(add.call), line_of(dones[0].call)),
                            wg=add.key, done_line=line_of(dones[0].call),
                            func=node_text(name) if name is not None else "the function")
