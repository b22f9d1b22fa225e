; id                = "GXL701"
; name              = "typed-nil-error-return"
; severity          = "warning"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["correctness"]
; reports-at        = "the returned variable"
; message           = "{var} is a {typ} that is still nil on this path, and returning it as {iface} makes a non-nil {iface} holding a nil pointer: {check}. Return a literal nil {when} (if {var} == nil {{ return nil }}), or declare {var} as {iface}"
; ---
; ## What it does
; Flags `return x` in a result slot of interface type (`error`, `any`, `interface{…}` or an
; interface declared in the package) when `x` is a local variable or named result declared with a
; pointer type (`var e *MyErr`, `e := (*MyErr)(nil)`, `(e *MyErr)` as a named result), declared
; without a value or as nil, and only assigned inside branches that do not lead to this return.
;
; ## Why is this bad?
; An interface value is nil only when both its type and its value are nil. Returning a nil `*MyErr`
; as `error` yields an interface with type `*MyErr` and value nil, which is not equal to nil: every
; caller takes the error branch on the success path (Go FAQ: "Why is my nil error value not equal
; to nil?").
;
; ## Example
; ```go
; func check(bad bool) error {
; 	var e *ValidationErr
; 	if bad {
; 		e = &ValidationErr{}
; 	}
; 	return e
; }
; ```
;
; ## Use instead
; ```go
; func check(bad bool) error {
; 	if bad {
; 		return &ValidationErr{}
; 	}
; 	return nil
; }
; ```
;
; ## Not reported
; Variables declared as `error` (or another interface); a `return x` under `if x != nil`, or after
; `if x == nil { return … }`; a return after an assignment on every path (an unconditional one, both
; branches of an `if`/`else`, every case of a `select` (`case x = <-ch`) or of a `switch` with a
; `default`, where the other cases return); a variable assigned inside a closure that is not deferred
; (`walk(…, func() { x = &T{} })`: the function it is handed to may run it before the return); functions whose result is
; the concrete pointer type (callers that convert it are GXL702's business). A variable whose
; address is taken anywhere in the function (`errors.As(err, &x)`, `json.Unmarshal(b, &x)`,
; `fill(&x)`): whoever gets `&x` may assign it, and `if errors.As(err, &x) { return x }` is the
; idiom for a non-nil `x`.
;
; ## Known limitations
; Because any `&x` silences the rule, `fill(&x)` that leaves `x` nil is missed.

; returns (written as GXL702's pattern, so the combined query runs it once: refine takes only the returns
; and checks the result slot types and the returned variables)
[(return_statement (expression_list)) (var_spec) (assignment_statement)] @ret
