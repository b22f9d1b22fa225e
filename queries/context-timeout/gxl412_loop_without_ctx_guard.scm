; id         = "GXL412"
; name       = "loop-without-ctx-guard"
; severity   = "note"
; confidence = "low"
; default    = false
; since      = "0.2.0"
; tags       = ["reliability"]
; reports-at = "the for statement"
; message    = "this endless loop never checks {ctx}.Done() or {ctx}.Err() and has no return or break, so cancelling {ctx} does not stop it ({call} blocks in it): select on <-{ctx}.Done() or return when {ctx}.Err() != nil"
; ---
; ## What it does
; Opt-in. In a function with a `context.Context` parameter, flags a `for { … }` without a condition whose
; body makes a blocking call (`time.Sleep`, an `http` package call, `.Do(`, `.Query…(`, `.Read(`,
; `.Write(`, `.Recv(`, `.Send(`) and neither looks at the context (`ctx.Done()`, `ctx.Err()`) nor has a
; `return` or a `break` out of the loop.
;
; ## Why is this bad?
; The loop outlives every request that started it: cancelling the context, or shutting down, does not stop
; it, and it keeps its goroutine and whatever the blocking call holds.
;
; ## Example
; ```go
; func poll(ctx context.Context) {
; 	for {
; 		time.Sleep(time.Second)
; 		refresh()
; 	}
; }
; ```
;
; ## Use instead
; ```go
; func poll(ctx context.Context) {
; 	t := time.NewTicker(time.Second)
; 	defer t.Stop()
; 	for {
; 		select {
; 		case <-ctx.Done():
; 			return
; 		case <-t.C:
; 			refresh()
; 		}
; 	}
; }
; ```
;
; ## Known limitations
; Low precision, hence off by default: the context may be checked by a callee, or the loop may be meant to
; run for the life of the process.

(for_statement body: (block) @body) @loop
