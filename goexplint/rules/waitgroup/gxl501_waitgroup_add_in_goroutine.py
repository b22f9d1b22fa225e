"""GXL501: ``wg.Add`` inside the goroutine it counts."""

from goexplint.analysis.syntax import enclosing_function, is_ancestor, resolve, scopes
from goexplint.analysis.package import model
from goexplint.rules.waitgroup._waitgroup import (body_calls, call_of_statement, calls_in, first_statement,
                                                  is_waitgroup, outer_function, wg_calls)

REQUIRES = (wg_calls, model, scopes)


def refine(match, ctx):
    go = match["go"]
    lit = match["lit"]
    launcher = enclosing_function(go)
    first = call_of_statement(first_statement(lit))
    for add in _adds(ctx, lit):
        if _local_to(add.recv, lit) or not is_waitgroup(ctx, add.recv):
            continue
        done_here = any(enclosing_function(c.call) == lit for c in body_calls(ctx, lit, add.key, "Done"))
        if launcher is not None:
            before = [c for c in calls_in(ctx, launcher, add.key, "Add")
                      if c.call.start_byte < go.start_byte and enclosing_function(c.call) == launcher]
            if before and done_here:
                continue  # a counted goroutine adding for its own children
        if first is not None and add.call == first:
            yield match.finding(add.call, related=((go, "goroutine started here"),), wg=add.key)
            continue
        waits_after = launcher is not None and any(
            c.call.start_byte > go.end_byte and enclosing_function(c.call) == launcher
            for c in calls_in(ctx, launcher, add.key, "Wait"))
        if not done_here and waits_after:
            yield match.finding(add.call, confidence="medium", related=((go, "goroutine started here"),),
                                wg=add.key)


def _adds(ctx, lit):
    """Add calls that run in this goroutine (not in a nested func literal)."""
    func = outer_function(lit) or lit
    for c in wg_calls(ctx, func):
        if c.method == "Add" and enclosing_function(c.call) == lit:
            yield c


def _local_to(recv, lit):
    """Declared in the goroutine body.  A parameter of the literal is not local: the caller passes its own
    WaitGroup (``go func(wg *sync.WaitGroup){ wg.Add(1) … }(&wg)``) and may be waiting on it already."""
    root = recv
    while root is not None and root.type != "identifier":
        root = root.child_by_field_name("operand") if root.type == "selector_expression" else None
    if root is None:
        return False
    decl = resolve(root)
    return decl is not None and is_ancestor(lit, decl.ident) and decl.kind != "param"
