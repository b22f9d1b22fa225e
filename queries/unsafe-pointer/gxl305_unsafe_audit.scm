; id         = "GXL305"
; name       = "unsafe-audit"
; severity   = "note"
; confidence = "high"
; default    = false
; since      = "0.2.0"
; tags       = ["audit", "security"]
; reports-at = "the call into package unsafe"
; message    = "unsafe.{fn} ({kind}): audit entry, check it follows one of the six unsafe.Pointer patterns"
; ---
; ## What it does
; Lists every call into package `unsafe` that creates or converts a pointer: `unsafe.Pointer`,
; `unsafe.Add`, `unsafe.Slice`, `unsafe.SliceData`, `unsafe.String`, `unsafe.StringData`, under any
; import name. Off by default: an inventory for security reviews, not a bug report.
;
; ## Why is this bad?
; It is not necessarily bad. Each use bypasses the type system and the garbage collector's view of
; memory, so reviewers want the full list. The message says which pattern the call appears to use.
;
; ## Example
; ```go
; bits := *(*uint32)(unsafe.Pointer(&f)) // listed (pattern 1, valid)
; ```
;
; ## Use instead
; ```go
; bits := math.Float32bits(f) // a safe API, where one exists
; ```
;
; ## Not reported
; `unsafe.Sizeof`, `unsafe.Alignof`, `unsafe.Offsetof` (compile-time constants) and `unsafe.Pointer`
; used only as a type.

; X.F(...) (or bare F(...) under a dot import) with F one of unsafe's pointer functions;
; refine checks X is package unsafe
(call_expression
  function: [(selector_expression field: (field_identifier) @_fn) (identifier) @_fn]
  (#match? @_fn "^(Pointer|Add|Slice|SliceData|String|StringData)$")) @call
