; id         = "GXL411"
; name       = "cancel-deferred-in-loop"
; severity   = "warning"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["reliability", "performance"]
; reports-at = "the defer statement"
; message    = "defer {cancel}() inside a loop runs only when the function returns, so every iteration's context.{fn} context (and timer) stays alive until then: call {cancel}() at the end of the iteration, or wrap the loop body in func() {{ … }}()"
; ---
; ## What it does
; Flags `defer cancel()` (or `defer func() { cancel() }()`) in a loop body when `cancel` comes from a
; `context.With{Cancel,Timeout,Deadline}[Cause]` call in the same loop body.
;
; ## Why is this bad?
; Deferred calls run when the function returns, not at the end of the iteration. A long loop piles up one
; child context, timer and deferred call per iteration; with a long-lived parent that is a leak.
;
; ## Example
; ```go
; for _, u := range urls {
; 	ctx, cancel := context.WithTimeout(ctx0, d)
; 	defer cancel()
; 	fetch(ctx, u)
; }
; ```
;
; ## Use instead
; ```go
; for _, u := range urls {
; 	func() {
; 		ctx, cancel := context.WithTimeout(ctx0, d)
; 		defer cancel()
; 		fetch(ctx, u)
; 	}()
; }
; ```
;
; ## Not reported
; A loop body wrapped in a func literal (the defer then runs per iteration); `cancel()` called at the end
; of the iteration; a cancel function created outside the loop. A context whose work must outlive the
; iteration: the context, or a watch/stream/response made with it (followed through locals of the
; iteration), is stored in a variable declared outside the loop body, in a slice element or a field,
; appended to one, sent on a channel, or used by a goroutine launched in the loop
; (`watches[i] = client.Watch(watchCtx, key)` read after the loop). Cancelling per iteration would break
; that code, so the deferred cancel is right there. Error results (`err = f(ctx)`) do not count.

(defer_statement
  (call_expression function: [(identifier) (func_literal)] @callee)) @defer
