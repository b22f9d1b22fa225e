; id                = "GXL601"
; name              = "select-default-spin"
; severity          = "warning"
; confidence        = "high"
; since             = "0.2.0"
; tags              = ["performance", "concurrency", "security", "external/cwe/cwe-400"]
; security-severity = "4.0"
; reports-at        = "the default case"
; message           = "this select's {what} default makes the loop spin: when no channel is ready the loop immediately goes round again and burns a whole CPU core; delete the default so the select blocks until a case is ready (add a case <-ctx.Done() to stop it), or wait in the default (time.Sleep, a ticker)"
; ---
; ## What it does
; Flags a `for` loop whose body is a single `select` with a `default` case that does nothing: empty,
; only `continue`, or only `runtime.Gosched()` (reported as a note). Infinite `for { … }` loops have
; high confidence; loops with a condition (`for !done { … }`) medium.
;
; ## Why is this bad?
; `select` with a `default` never blocks. When no channel is ready, the default runs, does nothing,
; and the loop starts again at once: the goroutine polls at 100% CPU, starves other goroutines and
; drains batteries and cloud budgets. `runtime.Gosched()` only yields; it still spins.
;
; ## Example
; ```go
; for {
; 	select {
; 	case m := <-in:
; 		handle(m)
; 	default:
; 	}
; }
; ```
;
; ## Use instead
; ```go
; for {
; 	select {
; 	case m := <-in:
; 		handle(m)
; 	case <-ctx.Done():
; 		return
; 	}
; }
; ```
;
; ## Not reported
; A default that does work, sleeps, waits on a ticker, breaks out or returns; a `select` without a
; default (it blocks); a loop body with other statements besides the `select`. A loop with a condition
; whose `select` also has a timer case (`time.After`, `time.Tick`, a `Timer`/`Ticker`'s `C`): it waits
; for the condition, which is expected to turn within nanoseconds, and the timer only caps it against
; a deadlock; removing `default` would stall every call until the timer fires.

; a for loop whose body is exactly one select that has a default case
(for_statement
  body: (block (statement_list . (select_statement (default_case) @default) .))) @loop
