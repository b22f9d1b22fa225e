; id                = "GXL206"
; name              = "write-under-rlock"
; severity          = "warning"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness", "security", "external/cwe/cwe-362"]
; security-severity = "5.9"
; reports-at        = "the written variable"
; message           = "{var} is {op} while only the read lock {lock}.RLock() is held; readers hold it at the same time, so this write races with them: take {lock}.Lock() for the write (or move the write out of the read section)"
; ---
; ## What it does
; Tracks lock regions (`RLock`/`RUnlock`, `Lock`/`Unlock`, `defer`) through each function and flags a
; write to shared state — a read-modify-write, an append, an element write, a `delete` or a store to
; a field, a package-level variable or a captured variable — made while the only lock held is a read
; lock of a `sync.RWMutex`.
;
; ## Why is this bad?
; Any number of goroutines can hold `RLock` together. A write made under it races with the other
; readers and with other writers in the same section; a map written this way can crash the process
; with `concurrent map writes`. The code usually looks protected, so this survives review.
;
; ## Example
; ```go
; c.mu.RLock()
; c.hits[k]++
; c.mu.RUnlock()
; ```
;
; ## Use instead
; ```go
; c.mu.Lock()
; c.hits[k]++
; c.mu.Unlock()
; ```
;
; ## Not reported
; Writes to variables declared in the function; stores through a pointer parameter unrelated to the lock
; (`*out = *v`, the caller's result buffer); writes while a write lock (or a lock helper we cannot
; follow) is also held; atomic operations; writes after the `RUnlock`; fields that only one goroutine
; touches: the write is in an unexported method that only the goroutine of one `go x.run()` runs (started
; outside loops on a value its function has just built, through unexported callers), and every other access
; of the field is on that goroutine too, before the `go` statement, or on a value being built (a run loop
; that is the field's sole writer and reader; calls and accesses in test files do not count).
;
; ## Known limitations
; Without types the lock and the data are related by name only: the finding has medium confidence
; when the lock and the written path share their root (`c.mu` and `c.hits`) or are both
; package-level, low otherwise.

; candidates: RLock calls; refine checks the writes that follow while only read locks are held
(call_expression function: (selector_expression field: (field_identifier) @_m (#eq? @_m "RLock"))) @rlock
