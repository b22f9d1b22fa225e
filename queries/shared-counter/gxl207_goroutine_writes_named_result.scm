; id                = "GXL207"
; name              = "goroutine-writes-named-result"
; severity          = "warning"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness", "security", "external/cwe/cwe-362"]
; security-severity = "5.9"
; reports-at        = "the assignment to the named result inside the goroutine"
; message           = "the goroutine {op} {var}, a named result of {func}, but {func} can return ({ret}) before the goroutine finishes, so the caller may get a stale or half-written {var} and the write races with the return: wait for the goroutine (sync.WaitGroup Wait or a channel receive) before returning, or send the value back over a channel"
; ---
; ## What it does
; Flags a goroutine (a `go` func literal, an `errgroup.Group.Go` literal or a `time.AfterFunc`
; callback) that assigns to a named result of the function that started it, when that function can
; reach a `return` (or its end) after starting the goroutine without first waiting for it
; (`wg.Wait()`, `g.Wait()`, a receive, a `select`).
;
; ## Why is this bad?
; Named results are ordinary variables of the launching function. Once it returns, the caller reads
; them while the goroutine may still be writing: the caller sees the zero value or a partial update,
; and the access is a data race. It typically hides an error (`err = …`) that is silently lost.
;
; ## Example
; ```go
; func load() (err error) {
; 	go func() {
; 		err = fetch()
; 	}()
; 	return
; }
; ```
;
; ## Use instead
; ```go
; func load() (err error) {
; 	done := make(chan struct{})
; 	go func() {
; 		err = fetch()
; 		close(done)
; 	}()
; 	<-done
; 	return
; }
; ```
;
; ## Not reported
; Functions that wait after the launch and before every return; a local variable in the goroutine that
; shadows the result; results assigned by the launching function itself or by `defer`.
;
; ## Known limitations
; Any `Wait()` call, receive or `select` after the launch counts as waiting, even if it waits for
; something else.

; candidates: goroutine launches; refine checks the named results of the launching function
[(go_statement)
 (call_expression function: (selector_expression field: (field_identifier) @_m (#match? @_m "^(Go|AfterFunc)$")))
] @launch
