; id         = "GXL205"
; name       = "atomic-self-assign"
; severity   = "error"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["correctness", "concurrency"]
; reports-at = "the assignment statement"
; message    = "assigning the result of {call} back to {target} is a plain, non-atomic write that races with other atomic updates of {target}: drop the assignment and keep the bare {call}(…) call (or use an atomic.Int64-style value)"
; ---
; ## What it does
; Flags `x = atomic.AddInt64(&x, d)` (any `Add*` function of `sync/atomic`, under any import name, also
; `x += atomic.AddInt64(&x, d)`): the variable updated atomically is also the target of the assignment.
; The other read-modify-write functions (`Swap*`, `And*`, `Or*`) are flagged the same way.
;
; ## Why is this bad?
; `atomic.AddInt64` already stored the new value. Assigning its result back to `x` is an ordinary
; write: it is not atomic, it races with every other goroutine updating `x`, and an update that
; lands between the add and the store is silently lost. `go vet`'s atomic pass reports the same mistake.
;
; ## Example
; ```go
; total = atomic.AddInt64(&total, n)
; ```
;
; ## Use instead
; ```go
; atomic.AddInt64(&total, n)
; // or, if the new value is needed:
; now := atomic.AddInt64(&total, n)
; ```
; Since Go 1.19 an `atomic.Int64` field (`total.Add(n)`) makes the plain access impossible.
;
; ## Not reported
; A different left-hand side (`y = atomic.AddInt64(&x, d)`, `now := atomic.AddInt64(&x, d)`); a bare
; `atomic.AddInt64(&x, d)`; a package or local variable that is merely *named* `atomic` (the operand must
; resolve to the `sync/atomic` import and not be shadowed); `Load*`/`Store*`/`CompareAndSwap*` functions.
;
; ## Known limitations
; Paths are compared as text (whitespace and parentheses ignored): `p.n` and `q.n` with `q == p` are not
; recognised as the same variable. `*p = atomic.AddInt64(p, d)` is recognised.

; an assignment whose right side holds a call; refine keeps atomic.Add*(&x, …) assigned back to x
(assignment_statement
  left: (expression_list) @lhs
  right: (expression_list (call_expression) @call)) @assign
