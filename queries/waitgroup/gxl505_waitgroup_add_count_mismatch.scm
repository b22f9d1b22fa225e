; id                = "GXL505"
; name              = "waitgroup-add-count-mismatch"
; severity          = "warning"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness"]
; reports-at        = "the Add(1) call"
; message           = "{wg}.Add(1) counts one goroutine, but the loop at line {loop_line} starts one per iteration and each calls {wg}.Done(): the counter goes negative (panic: sync: negative WaitGroup counter) or Wait returns early; call {wg}.Add(1) inside the loop before each go statement, or {wg}.Add(len(…)) once for all of them"
; ---
; ## What it does
; Flags `wg.Add(1)` (the literal 1) outside any loop, followed by a loop whose body starts goroutines
; that call `wg.Done()`, when the loop itself never calls `wg.Add`.
;
; ## Why is this bad?
; One `Add(1)` and N `Done()` calls drive the counter below zero: the runtime panics with
; "sync: negative WaitGroup counter", or `Wait` returns after the first goroutine while the others
; still run.
;
; ## Example
; ```go
; wg.Add(1)
; for _, j := range jobs {
; 	go func() {
; 		defer wg.Done()
; 		do(j)
; 	}()
; }
; wg.Wait()
; ```
;
; ## Use instead
; ```go
; wg.Add(len(jobs))
; for _, j := range jobs {
; 	go func() {
; 		defer wg.Done()
; 		do(j)
; 	}()
; }
; wg.Wait()
; ```
;
; ## Not reported
; `wg.Add(n)` / `wg.Add(len(xs))` before the loop; `Add` inside the loop; a loop that leaves right
; after its `go` statement (`break` / `return`). Goroutines whose `Done` is conditional
; (`if seq == last { wg.Done() }`): a one-shot signal from whichever goroutine gets there first, for
; which one `Add(1)` is right. Only a `defer wg.Done()` or a `wg.Done()` on the goroutine's own path
; counts.

; Add(1) calls as statements
(expression_statement
  (call_expression function: (selector_expression operand: (_) @_recv field: (field_identifier) @_a)
    arguments: (argument_list . (int_literal) @_one .)
    (#eq? @_a "Add") (#eq? @_one "1"))) @add
