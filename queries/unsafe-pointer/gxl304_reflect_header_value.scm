; id         = "GXL304"
; name       = "reflect-header-value"
; severity   = "error"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["correctness", "deprecated"]
; reports-at = "the header literal, new(...), dereference, &h or declaration"
; message    = "{what}: a reflect.{header} value is not a real {kind} and its Data field is a plain uintptr that keeps nothing alive, while unsafe.Pointer pattern (6) only allows a *reflect.{header} pointing at a real {kind}; reflect.{header} is also deprecated since Go 1.21: {advice}"
; ---
; ## What it does
; Flags `reflect.SliceHeader` and `reflect.StringHeader` used as values: composite literals
; (`reflect.SliceHeader{...}`, `&reflect.SliceHeader{...}`), `new(reflect.SliceHeader)`,
; `var h reflect.StringHeader`, copies made by dereferencing a header pointer
; (`*(*reflect.SliceHeader)(unsafe.Pointer(&s))`), and `&h` of a header value. The message
; names the replacement that the file's Go version allows: `unsafe.Slice` (Go 1.17+),
; `unsafe.SliceData`, `unsafe.String`, `unsafe.StringData` (Go 1.20+).
;
; Header values also come from a same-package function whose single result is written
; `reflect.SliceHeader`/`reflect.StringHeader`, and from struct fields of that type (`&w.h`).
;
; ## Why is this bad?
; A header value is just three integers: nothing keeps the memory its `Data` field addresses alive,
; so turning it into a slice or string (`*(*string)(unsafe.Pointer(&h))`) can produce a string over
; freed memory. The `unsafe` documentation allows the headers only as pointers onto a real slice
; or string (pattern 6). Both types are deprecated since Go 1.21.
;
; ## Example
; ```go
; var h reflect.StringHeader
; h.Data = uintptr(unsafe.Pointer(p))
; h.Len = n
; s := *(*string)(unsafe.Pointer(&h))
; ```
;
; ## Use instead
; ```go
; s := unsafe.String(p, n) // Go 1.20+
; ```
;
; ## Not reported
; `hdr := (*reflect.SliceHeader)(unsafe.Pointer(&s))` onto a real slice and field access or
; assignment through that pointer (pattern 6, still deprecated; GXL305 lists it); writing a whole
; header through such a pointer (`*hdr = ...`) is reported at the value written, not at `*hdr`.
;
; ## Known limitations
; Header values kept in struct fields are not followed; a `var h reflect.SliceHeader` whose address
; is taken is reported at each `&h`, not at the declaration.

; reflect.XHeader{...}
(composite_literal type: (qualified_type) @type) @literal
; new(reflect.XHeader)
(call_expression
  function: (identifier) @_new
  arguments: (argument_list . (qualified_type) @type .)
  (#eq? @_new "new")) @newcall
; *p (a dereference: refine checks p is a header pointer)
(unary_expression operator: "*" operand: [(identifier) (call_expression) (parenthesized_expression)]) @deref
; &h (refine checks h is a header value)
(unary_expression operator: "&" operand: [(identifier) (selector_expression)]) @addr
; var h reflect.XHeader
(var_spec type: (qualified_type) @type) @var
