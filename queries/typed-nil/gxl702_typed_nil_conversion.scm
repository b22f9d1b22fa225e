; id                = "GXL702"
; name              = "typed-nil-conversion"
; severity          = "warning"
; confidence        = "high"
; since             = "0.2.0"
; tags              = ["correctness"]
; reports-at        = "the conversion or call"
; message           = "{what} puts a {typ} that can be nil into {iface}; a nil pointer inside an interface is not a nil interface, so `err != nil` is true even when there is no error: {advice}"
; ---
; ## What it does
; Flags conversions of typed nil pointers to `error`: `return (*T)(nil)` in an `error` result
; slot, `var err error = (*T)(nil)`, and `return f()` / `err = f()` where `err` or the result slot is `error` and `f` is a function of the package declared to return `*T`, for a
; type `T` with an `Error() string` method, that has a `return nil`.
;
; ## Why is this bad?
; `(*T)(nil)` converted to `error` is an interface with a type and a nil value: it is not equal to
; nil. A function declared to return `*SyntaxErr` that returns nil on success hands its callers a
; non-nil `error` as soon as they store or return its result as `error`.
;
; ## Example
; ```go
; func parse() *SyntaxErr { return nil }
;
; func run() error { return parse() }
; ```
;
; ## Use instead
; ```go
; func run() error {
; 	if e := parse(); e != nil {
; 		return e
; 	}
; 	return nil
; }
; ```
; or declare `parse` to return `error`.
;
; ## Not reported
; Functions declared to return `error`; the concrete value checked for nil before it is converted
; (`if e := parse(); e != nil { return e }`); types without an `Error()` method, and functions with
; no `return nil`, for the call form (constructors such as `newDNSError` never return nil); `any` and
; other interface slots (a typed nil there is the usual type-witness idiom); `var _ error =
; (*T)(nil)`, the compile-time interface assertion.

; returns, var specs and assignments; refine looks for (*T)(nil) and calls of pointer-returning functions
[(return_statement (expression_list)) (var_spec) (assignment_statement)] @site
