; id                = "GXL501"
; name              = "waitgroup-add-in-goroutine"
; severity          = "error"
; confidence        = "high"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness", "security", "external/cwe/cwe-362"]
; security-severity = "5.9"
; reports-at        = "the Add call inside the goroutine"
; message           = "{wg}.Add is called inside the goroutine it counts, so {wg}.Wait() can run before the Add and return while the goroutine is still running: call {wg}.Add(1) before the go statement (or, in Go 1.25+, use {wg}.Go(func(){{…}}))"
; ---
; ## What it does
; Flags `wg.Add(…)` as the first statement of a `go func(){…}()` body when the WaitGroup is declared
; outside the literal (as `go vet`'s waitgroup check and SA2000 do). With medium confidence it also
; flags an `Add` elsewhere in the body when that goroutine does not call `Done` itself and the
; launching function calls `Wait` after the `go` statement.
;
; ## Why is this bad?
; Nothing orders the goroutine's `Add` before the launcher's `Wait`. If `Wait` runs first it sees a
; zero counter and returns at once, so the program goes on (or `main` exits) while the work is still
; running; a reused WaitGroup can also panic with "WaitGroup is reused before previous Wait has
; returned".
;
; ## Example
; ```go
; for _, j := range jobs {
; 	go func() {
; 		wg.Add(1)
; 		defer wg.Done()
; 		do(j)
; 	}()
; }
; wg.Wait()
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
; A WaitGroup declared inside the goroutine (a WaitGroup passed in as a parameter is the caller's and
; is reported, as `go vet` does); a goroutine that is
; itself counted (`wg.Add(1)` before its `go`) adding for the children it starts; `Add` on
; receivers that are not WaitGroups (by declaration, or by `Add`+`Done`+`Wait` evidence).

; goroutines started from a func literal
(go_statement (call_expression function: (func_literal) @lit)) @go
