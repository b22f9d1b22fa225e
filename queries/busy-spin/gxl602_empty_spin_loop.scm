; id                = "GXL602"
; name              = "empty-spin-loop"
; severity          = "warning"
; confidence        = "high"
; since             = "0.2.0"
; tags              = ["performance", "concurrency", "security", "external/cwe/cwe-400"]
; security-severity = "4.0"
; reports-at        = "the for keyword of the empty loop"
; message           = "{what} spins with an empty body, burning a whole CPU core{race}; block instead: select {{}} to wait forever, a channel receive or sync.WaitGroup.Wait to wait for an event, or sync.Cond for a condition"
; ---
; ## What it does
; Flags `for {}` (high confidence) and `for cond {}` loops with an empty body (medium), which wait
; for something by spinning. A condition on a plain variable (`for !ready {}`) is also a data race;
; a condition that loads an atomic (`for !ready.Load() {}`) is reported as a note.
;
; ## Why is this bad?
; The loop never blocks, so it takes a full core until the condition changes. With a plain variable
; the compiler may even hoist the load out of the loop and spin forever, since nothing in the loop
; synchronises with the writer.
;
; ## Example
; ```go
; for !ready {
; }
; ```
;
; ## Use instead
; ```go
; <-readyCh // closed by the goroutine that makes it ready
; ```
;
; ## Not reported
; Loops with any statement in the body; conditions that call a function other than an atomic load
; (`for sweepone() {}`: the call does the work); `for i := 0; i < n; i++ {}` and `range` loops (they end);
; `select {}`.

; a for loop (no clause, or only a condition) with an empty body
(for_statement body: (block) @body) @loop
