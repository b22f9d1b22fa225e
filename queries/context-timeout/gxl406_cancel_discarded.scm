; id         = "GXL406"
; name       = "cancel-discarded"
; severity   = "error"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["reliability"]
; reports-at = "the context.With* call"
; message    = "the cancel function returned by context.{fn} is {how}, so the context (and its timer) leaks until the parent is done: ctx, cancel := context.{fn}(…) then defer cancel()"
; ---
; ## What it does
; Flags `_` in the cancel position of `context.WithCancel`, `WithCancelCause`, `WithTimeout`,
; `WithTimeoutCause`, `WithDeadline` and `WithDeadlineCause` (`:=`, `=` and `var` forms), and these calls
; used as a statement with both results dropped.
;
; ## Why is this bad?
; Until it is cancelled the child context stays registered with its parent and its timer keeps running;
; discarding the cancel function makes that leak certain (vet lostcancel, gosec G118).
;
; ## Example
; ```go
; ctx, _ := context.WithTimeout(parent, time.Second)
; ```
;
; ## Use instead
; ```go
; ctx, cancel := context.WithTimeout(parent, time.Second)
; defer cancel()
; ```
;
; ## Not reported
; `context.WithoutCancel` and `WithValue` (they return no cancel function); a `With*` function of another
; package or a local variable named `context`.

(call_expression
  function: [
    (selector_expression field: (field_identifier) @_name)
    (identifier) @_name
  ] @fn
  (#any-of? @_name "WithCancel" "WithCancelCause" "WithTimeout" "WithTimeoutCause" "WithDeadline"
                   "WithDeadlineCause")) @call
