; id                = "GXL504"
; name              = "waitgroup-wait-in-spawn-loop"
; severity          = "note"
; confidence        = "high"
; since             = "0.2.0"
; tags              = ["concurrency", "performance"]
; reports-at        = "the Wait call"
; message           = "{wg}.Wait() inside the loop that starts the goroutines (line {loop_line}) waits for each one before starting the next, so they run one at a time: move {wg}.Wait() after the loop if they are meant to run concurrently (or drop the goroutine if not)"
; ---
; ## What it does
; Flags `wg.Wait()` in the body of a loop that, earlier in the same body, starts one goroutine that
; calls `wg.Done()`, and does no other work (no call, send or receive) between the `go` and the `Wait`.
;
; ## Why is this bad?
; Each iteration waits for the goroutine it just started, so the work is serialised: the code pays
; for goroutines and gets none of the concurrency. It is correct but almost never what was meant
; (and it hides the loop-variable capture that GXL101 would report after the fix).
;
; ## Example
; ```go
; for _, j := range jobs {
; 	wg.Add(1)
; 	go func() {
; 		defer wg.Done()
; 		do(j)
; 	}()
; 	wg.Wait()
; }
; ```
;
; ## Use instead
; ```go
; for _, j := range jobs {
; 	wg.Add(1)
; 	go func() {
; 		defer wg.Done()
; 		do(j)
; 	}()
; }
; wg.Wait()
; ```
;
; ## Not reported
; `Wait` after the loop; a `Wait` in a loop whose goroutines `Done` another WaitGroup; batches where
; the `Wait` sits in an `if` (`if i%10 == 9 { wg.Wait() }`) or the goroutines are started by an inner
; loop (the outer loop waits for each batch); two or more goroutines started before the `Wait` (they
; run concurrently with each other); a fork-join inside one iteration, where the iteration does work
; (a call, a send, a receive) between the `go` statement and the `Wait`, while the goroutine runs: a
; consumer drained within the iteration, or the other half of a split job. Moving that `Wait` after the
; loop would break the code.

; Wait calls; refine checks the loop around them
(expression_statement
  (call_expression function: (selector_expression operand: (_) @_recv field: (field_identifier) @_w)
    (#eq? @_w "Wait"))) @wait
