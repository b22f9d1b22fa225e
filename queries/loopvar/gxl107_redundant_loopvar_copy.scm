; id         = "GXL107"
; name       = "redundant-loopvar-copy"
; severity   = "note"
; confidence = "high"
; go         = ">=1.22"
; since      = "0.1.0"
; tags       = ["style"]
; fix        = "safe"
; reports-at = "the copy statement"
; message    = "{var} := {var} copies loop variable {var}, which is already per-iteration in Go 1.22+ files: delete the copy"
; ---
; ## What it does
; Flags `v := v` (or `a, v := x, v`) directly in the body of a loop that declares `v` with `:=`, in
; files with Go 1.22+ loop semantics (go.mod `go 1.22` or later, a `//go:build go1.22` upgrade, no
; go.mod at all -- the go command then builds the file at its own version -- or GOEXPERIMENT=loopvar).
;
; ## Why is this bad?
; Since Go 1.22 each iteration already has its own `v`. The copy was the pre-1.22 fix; now it is
; noise that makes readers wonder which variable a closure uses.
;
; ## Example
; ```go
; for _, v := range items {
; 	v := v
; 	go func() { send(v) }()
; }
; ```
;
; ## Use instead
; ```go
; for _, v := range items {
; 	go func() { send(v) }()
; }
; ```
;
; ## Fix safety
; Deleting a `v := v` statement is safe in a Go 1.22+ file: both names denote a fresh per-iteration
; variable, and nothing between the loop header and the copy can change `v`.
;
; ## Not reported
; Legacy files (there the copy is the fix); copies under another name (`w := v`); copies of
; variables the loop assigns with `=` (those are still shared); copies nested in a block or closure.

; a := statement directly in a loop body; refine checks it copies a loop variable onto itself
(for_statement
  body: (block (statement_list (short_var_declaration) @copy)))
