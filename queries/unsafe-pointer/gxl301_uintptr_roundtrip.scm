; id         = "GXL301"
; name       = "uintptr-roundtrip"
; severity   = "error"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["correctness", "security"]
; reports-at = "the unsafe.Pointer(...) conversion"
; message    = "unsafe.Pointer({expr}) converts {what} back into a pointer, which breaks unsafe.Pointer pattern ({pattern}): {why}; {remedy}"
; ---
; ## What it does
; Flags `unsafe.Pointer(u)` (also `unsafe.Pointer(u + off)`) where `u` is a uintptr that was kept
; somewhere before the conversion: a variable initialised with `uintptr(...)` or declared `uintptr`,
; a `uintptr` parameter, a `uintptr` struct field, package variable or function result of the same
; package, a variable holding `v.Pointer()` / `v.UnsafeAddr()`, or the `Data` field of a
; `reflect.SliceHeader` / `reflect.StringHeader` *value*; an element of a map, slice or array of
; `uintptr` (a local, parameter, package variable or struct field written so, or initialised with such a
; literal), `(*[2]uintptr)(p)[1]` and a local holding `(*[N]uintptr)(p)`, and `*(*uintptr)(p)` (a
; uintptr loaded from memory) — the forms `go vet`'s unsafeptr reports syntactically.
;
; ## Why is this bad?
; A uintptr is an integer. The garbage collector neither keeps the object it addressed alive nor
; updates it when a stack is moved, so by the time the integer becomes a pointer again it may point
; at freed or reused memory. The `unsafe` documentation allows the round trip only within one
; expression (pattern 3), directly on the result of `reflect.Value.Pointer`/`UnsafeAddr`
; (pattern 5), or through the `Data` field of a header that points at a real slice or string
; (pattern 6).
;
; ## Example
; ```go
; u := uintptr(unsafe.Pointer(&buf[0]))
; q := unsafe.Pointer(u + 8)
;
; a := reflect.ValueOf(x).Pointer()
; p := (*int)(unsafe.Pointer(a))
; ```
;
; ## Use instead
; ```go
; q := unsafe.Add(unsafe.Pointer(&buf[0]), 8)          // Go 1.17+
; q := unsafe.Pointer(uintptr(unsafe.Pointer(&buf[0])) + 8) // one expression
;
; p := (*int)(unsafe.Pointer(reflect.ValueOf(x).Pointer()))
; ```
;
; ## Not reported
; `*T1 -> unsafe.Pointer -> *T2` conversions (pattern 1); `unsafe.Pointer(uintptr(p) + off)` in one
; expression, whatever `off` is; `unsafe.Add`; `unsafe.Pointer(v.Pointer())`; `unsafe.Pointer(h.Data)`
; where `h` is a `*reflect.SliceHeader` made from a real slice; uintptrs that are only printed,
; hashed or compared; operands whose type cannot be told from their declaration.
;
; ## Known limitations
; Types are not known: a uintptr is recognised only from its declaration in the same function,
; a `uintptr` field, package variable or function result declared in the same package, or the
; call it was initialised from. Values returned by other packages' functions are not followed.
; Parameter, field and function-result evidence is reported with medium confidence: code that
; manages memory outside the Go heap (the runtime, mmap'ed regions) may round-trip such integers
; legitimately.
; A uintptr variable declared without a value and never assigned, incremented or address-taken (it
; holds 0, so the conversion yields nil) is not reported, although `go vet -unsafeptr` flags it.

; every single-argument X.Pointer(...) call (or bare Pointer(...) under a dot import);
; refine checks X is package unsafe and classifies the argument
(call_expression
  function: [(selector_expression field: (field_identifier) @_fn) (identifier) @_fn]
  arguments: (argument_list . (_) @arg .)
  (#eq? @_fn "Pointer")) @conv
