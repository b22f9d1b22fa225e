; id                = "GXL202"
; name              = "racy-append-or-map-write"
; severity          = "error"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness", "security", "external/cwe/cwe-362"]
; security-severity = "5.9"
; reports-at        = "the written slice or map element, or the delete call"
; message           = "{var} is {op} on another goroutine with no lock held: it is {shared}, and {why}. Concurrent writes corrupt {what} (maps crash with \"concurrent map writes\"): hold a sync.Mutex around it, send results to one collector over a channel, or write distinct slots of a pre-sized slice (out[i] = …)"
; ---
; ## What it does
; Flags `s = append(s, …)`, `m[k] = v`, `m[k]++` and `delete(m, k)` on a shared slice or map inside a
; goroutine body (see GXL201 for what counts as a goroutine body and as shared) when it runs
; concurrently with other writers: started in a loop, written by several goroutines, used by the
; launcher before it waits, or package-level.
;
; ## Why is this bad?
; `append` reads the slice header, may reallocate and writes the header back: concurrent appends
; lose elements or write into the same backing array slot. Go maps are not safe for concurrent
; writes; the runtime detects it and kills the process with `fatal error: concurrent map writes`.
;
; ## Example
; ```go
; var out []Result
; for _, j := range jobs {
; 	go func(j Job) {
; 		out = append(out, run(j))
; 	}(j)
; }
; ```
;
; ## Use instead
; ```go
; out := make([]Result, len(jobs))
; for i, j := range jobs {
; 	go func(i int, j Job) {
; 		out[i] = run(j)
; 	}(i, j)
; }
; ```
;
; ## Not reported
; `sync.Map` methods; maps and slices declared inside the goroutine; `out[i] = …` on a slice with a
; per-goroutine index (a parameter of the literal, a per-iteration variable); writes under a held
; write lock; a single goroutine whose launcher reads only after waiting. Writers are counted per
; written path (up to the first index): goroutines writing `l.a[k]` and `l.b[k]` are one writer of
; each map, not two writers of `l`.
;
; ## Known limitations
; Map or slice is known only from the declaration (`make(map…)`, a literal, a declared type, a
; same-file struct field). When it is unknown, an element write is treated as a map write unless
; its index is per-goroutine.

; candidates: goroutine launches (go statements, errgroup Go and time.AfterFunc calls); refine finds
; the shared writes in the bodies they start
[(go_statement)
 (call_expression function: (selector_expression field: (field_identifier) @_m (#match? @_m "^(Go|AfterFunc)$")))
] @launch
