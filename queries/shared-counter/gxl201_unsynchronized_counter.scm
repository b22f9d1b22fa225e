; id                = "GXL201"
; name              = "unsynchronized-counter"
; severity          = "error"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness", "security", "external/cwe/cwe-362"]
; security-severity = "5.9"
; reports-at        = "the written variable of the read-modify-write"
; message           = "{var} is {op} on another goroutine with no lock held: it is {shared}, and {why}. Hold a sync.Mutex around every access, make it an atomic value (atomic.Int64 with .Add), or send the updates to a single owner over a channel"
; ---
; ## What it does
; Flags a read-modify-write (`x++`, `x--`, `x += e`, `x = x + e`, `counts[0]++`) of shared state inside
; a goroutine body: a `go` func literal or local closure, `go f()` / `go s.m()` of a function or method
; declared in the same file, an `errgroup.Group.Go` literal or a `time.AfterFunc` callback. The
; variable is shared when it is package-level, captured from the launching function, a field of a
; pointer receiver or reached through a pointer parameter. It is reported only when the write really
; runs concurrently with something: the goroutine is started in a loop, several goroutines write the
; same variable, the launching function uses it again before waiting, or it is package-level.
;
; ## Why is this bad?
; `n++` is a load, an add and a store. Two goroutines interleaving them lose updates, and the
; unsynchronised access is a data race: the Go memory model gives no guarantee at all about its
; result, and the race detector (`go test -race`) aborts on it. No static peer checks this today.
;
; ## Example
; ```go
; var hits int
; for _, u := range urls {
; 	go func(u string) {
; 		fetch(u)
; 		hits++
; 	}(u)
; }
; ```
;
; ## Use instead
; ```go
; var hits atomic.Int64
; for _, u := range urls {
; 	go func(u string) {
; 		fetch(u)
; 		hits.Add(1)
; 	}(u)
; }
; ```
; or hold a mutex: `mu.Lock(); hits++; mu.Unlock()`.
;
; ## Not reported
; Variables declared inside the goroutine and copies passed as arguments; writes under a held write
; lock, including `mu.Lock(); defer mu.Unlock()` (a read lock is GXL206); `sync/atomic` functions and
; types; distinct per-goroutine slots `out[i]++` of a slice with a per-goroutine index; a single
; goroutine whose launcher reads the value only after `wg.Wait()` or a receive; a loop that waits for
; each goroutine before starting the next; writers the launcher separates with a wait, or a goroutine
; that writes before starting the next writer; a write between a receive and a send of the goroutine
; (a token hand-off); a pointer argument that is new in each iteration (`go run(t)` per `t`); loop
; variables (the loopvar family); map elements (GXL202); named results of the launcher (GXL207).
;
; ## Known limitations
; Without types, a call to a helper that might take a lock (`s.lock()`, `withLock(func(){…})`) makes
; the lock state unknown and nothing is reported after it. `go s.run()` is followed only to a method
; declared in the same file, and locks the caller holds are not seen inside it. Package-level
; variables of other files are found by a line scan of the package's files. Writers started from
; different functions are assumed to overlap (sequential `synctest.Run` bubbles are not understood).

; candidates: goroutine launches (go statements, errgroup Go and time.AfterFunc calls); refine finds
; the shared writes in the bodies they start
[(go_statement)
 (call_expression function: (selector_expression field: (field_identifier) @_m (#match? @_m "^(Go|AfterFunc)$")))
] @launch
