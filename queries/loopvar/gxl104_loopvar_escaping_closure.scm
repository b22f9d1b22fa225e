; id         = "GXL104"
; name       = "loopvar-escaping-closure"
; severity   = "warning"
; confidence = "medium"
; go         = "<1.22"
; since      = "0.1.0"
; tags       = ["correctness"]
; reports-at = "each reference to the loop variable inside the stored func literal"
; message    = "func literal {how} captures loop variable {var} (loop at line {loop_line}); it runs after the iteration, and before Go 1.22 it sees the variable's last value: copy it first ({var} := {var}) or pass it in"
; ---
; ## What it does
; Flags a func literal that references a `:=` loop variable and is kept beyond the iteration:
; appended to or assigned into a variable declared outside the loop (slice, map entry, field),
; sent on a channel, or registered as a callback (`Cleanup`, `AfterFunc`, `OnClose`,
; `RegisterOnShutdown`), in files with pre-Go-1.22 loop semantics.
;
; ## Why is this bad?
; The literal runs after the loop has moved on. Before Go 1.22 every stored closure shares one
; variable and sees its final value: a table of handlers that all serve the last route.
;
; ## Example
; ```go
; var hs []func()
; for _, r := range routes {
; 	hs = append(hs, func() { serve(r) })
; }
; ```
;
; ## Use instead
; ```go
; var hs []func()
; for _, r := range routes {
; 	r := r
; 	hs = append(hs, func() { serve(r) })
; }
; ```
;
; ## Not reported
; Immediately invoked literals; literals passed to synchronous callbacks (`sort.Slice`,
; `strings.Map`, `filepath.WalkDir`, `t.Run` without `Parallel`...); closures kept in a variable
; declared inside the loop; closures stored right before `return` or `break`; Go 1.22+ files. A
; closure assigned with `=` as a statement of a `range` loop's own body to the same variable or field
; every iteration (a test hook swapped per test case, `lookupSRV = func(…){ … tt … }`), when the loop
; starts no goroutine: each closure is replaced before the shared variable changes, and after the loop
; the last one still sees its own iteration's values. Three-clause loops are still reported (their
; variable ends one step past the last iteration).
;
; ## Known limitations
; Higher-order functions other than the registration list above are assumed to call the literal
; synchronously.

; a func literal; refine decides whether it is stored beyond the iteration
(func_literal) @closure
