; id         = "GXL302"
; name       = "bad-pointer-arithmetic"
; severity   = "warning"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["correctness"]
; reports-at = "the unsafe.Pointer(...) conversion"
; message    = "unsafe.Pointer({expr}): {problem}, which breaks unsafe.Pointer pattern (3) ({why}); {remedy}"
; ---
; ## What it does
; Flags pointer arithmetic inside `unsafe.Pointer(...)` that pattern (3) of the `unsafe`
; documentation does not allow: the pointer-derived `uintptr(p)` not being the left operand
; (`off + uintptr(p)`), two pointer-derived operands (`uintptr(p) + uintptr(q)`), an operator
; other than `+`, `-` and `&^` applied to a pointer-derived uintptr, arithmetic on
; `unsafe.Pointer(nil)`, and (low confidence) an offset of the whole object size, which points
; just past the end of the allocation.
;
; ## Why is this bad?
; The result of pointer arithmetic must stay inside the original allocation, and the compiler and
; `go vet` only recognise the `unsafe.Pointer(uintptr(p) + off)` shape as derived from `p`. A pointer
; just past the end of an object may point into the next object, which keeps the wrong object
; alive or crashes the garbage collector.
;
; ## Example
; ```go
; q := unsafe.Pointer(8 + uintptr(unsafe.Pointer(&buf[0])))
; end := unsafe.Pointer(uintptr(unsafe.Pointer(&s)) + unsafe.Sizeof(s))
; ```
;
; ## Use instead
; ```go
; q := unsafe.Add(unsafe.Pointer(&buf[0]), 8) // Go 1.17+
; q := unsafe.Pointer(uintptr(unsafe.Pointer(&buf[0])) + 8)
; ```
;
; ## Not reported
; `unsafe.Pointer(uintptr(p) + off)`, `uintptr(p) - off`, `uintptr(p) &^ mask` and chains of them;
; `unsafe.Add`; arithmetic whose operands' types cannot be told (a `uintptr(x)` is pointer-derived only
; when `x` is `unsafe.Pointer(...)` or declared `unsafe.Pointer`); arithmetic on a stored uintptr
; (that is GXL301).
;
; ## Known limitations
; The end-of-object check only knows `&s` plus `unsafe.Sizeof(s)` and `&b[0]` plus `len(b)`/`cap(b)`.

; every single-argument X.Pointer(...) call; refine checks X is package unsafe and looks at the arithmetic
(call_expression
  function: [(selector_expression field: (field_identifier) @_fn) (identifier) @_fn]
  arguments: (argument_list . (_) @arg .)
  (#eq? @_fn "Pointer")) @conv
