; id         = "GXL209"
; name       = "missing-unlock"
; severity   = "note"
; confidence = "medium"
; since      = "0.2.0"
; tags       = ["correctness", "concurrency"]
; reports-at = "each return statement reached while the lock is still held (the closing brace of the function for a path that falls off its end)"
; message    = "{recv}.{lock}() (line {line}) is still held {where}: call `defer {recv}.{unlock}()` right after {lock}, or {recv}.{unlock}() before returning"
; ---
; ## What it does
; Follows the paths after `X.Lock()` / `X.RLock()` through `if`, `switch`, `select` and loops and flags
; each `return` reached while the lock is still held: no `X.Unlock()` / `X.RUnlock()` on that path and
; no `defer` that unlocks `X`. A path that falls off the end of the function holding the lock is an
; implicit return, reported at the function's closing brace.
;
; ## Why is this bad?
; An early return that skips the unlock leaves the mutex locked for ever: the next `Lock` blocks and the
; program deadlocks, usually far from the cause and only on the rare path (an error branch).
;
; ## Example
; ```go
; mu.Lock()
; if err := check(); err != nil {
; 	return err // mu is still locked
; }
; mu.Unlock()
; ```
;
; ## Use instead
; ```go
; mu.Lock()
; defer mu.Unlock()
; if err := check(); err != nil {
; 	return err
; }
; ```
;
; ## Not reported
; * Locks protected by a `defer` that may unlock (`defer X.Unlock()`, a deferred closure or helper that
;   unlocks), also when the defer precedes the Lock.
; * Paths where the lock may have been released: a branch that unlocks without returning makes the lock's
;   state unknown after the branch (conditional unlocks), as does any call or value whose name contains
;   "unlock" (`s.unlockAll()`, the method value `X.Unlock` passed around, a closure that unlocks).
; * A `return` whose operands mention an unlock (`return func() { X.Unlock() }`: the caller releases).
; * A `return` that hands the locked value to the caller: an operand that is the lock's owner (`return n`
;   for `n.mu`), or a naked return whose named result is (or was assigned) the owner.
; * Functions that never call the matching unlock of `X` themselves (`X.Unlock()` for `Lock`,
;   `X.RUnlock()` for `RLock`): acquire helpers that return holding the lock on purpose. Functions whose
;   names start with `lock`/`Lock`.
; * A Lock that re-takes a lock the caller holds: the function's first lock call on `X` is an unlock
;   (`X.Unlock(); slow(); X.Lock()`).
; * Functions containing `goto`.
; * Panics: `panic(…)`, `log.Panic*`, `log.Fatal*`, `os.Exit`, `t.Fatal*`/`FailNow`/`Skip*` and
;   `runtime.Goexit` end the path without a report. A panic while holding a lock is a crash in most
;   programs; where it is recovered the missing `defer` matters, but the precision of the rule comes first.
; * A lock taken inside a loop body and still held at the end of the iteration (the next `Lock` would
;   deadlock; that is a different bug).
;
; ## Severity
; Demoted in 0.2.0, from warning to note: measured on repositories it was never tuned on
; (docs/precision.md), 1 of its 3 sampled findings was FALSE (an acquire helper that returns holding the
; lock on success on purpose and unlocks only on its error path; a paired release helper unlocks it).
; The bar for a default-on rule is FALSE <= 5% for errors and <= 10% for warnings; it comes back when a
; fresh measurement meets it.
;
; ## Known limitations
; Locks never cross func literal boundaries: a func literal is analysed as its own function. A release
; through a helper whose name does not contain "unlock" (`s.release()`) is not seen and gives a false
; positive: add the helper's unlock or a suppression. Conditions are not evaluated, so correlated
; branches (`if x { lock }` … `if x { return }`) can give false positives. Receivers are compared as text.
; Not found: a `continue` that skips the unlock of a lock taken in the loop body.

; a Lock/RLock call statement; refine walks its function's paths
(expression_statement
  (call_expression
    function: (selector_expression field: (field_identifier) @_method)
    arguments: (argument_list))
  (#match? @_method "^R?Lock$")) @lock
