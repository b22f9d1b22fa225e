; id         = "GXL407"
; name       = "cancel-not-called"
; severity   = "warning"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["reliability"]
; reports-at = "the context.With* call and each return (or the closing brace) reached without using the cancel function"
; message    = "{problem} (context leak): add defer {cancel}() right after the context.{fn} call"
; ---
; ## What it does
; Follows the cancel variable of `ctx, cancel := context.With{Cancel,Timeout,Deadline}[Cause](…)` along
; every path of the function and reports when some path reaches a `return` (or the end of the function)
; without using it. Like vet's lostcancel, it reports at the `With*` call and at the returns.
;
; Two package-aware checks sit beside the path walk (medium confidence):
; - a cancel function kept only in unexported struct fields (`ctx, s.cancel = context.WithCancel(…)`,
;   `s.cancel = cancel`, `&T{cancel: cancel}`, appended to a slice field or put in a map field) that no
;   code of the package reads — not `s.cancel()`, not `defer s.cancel()`, not a range over the slice, not
;   a nil check, not passing it on — is lost: nothing can call it. The owning struct comes from written
;   types (a read whose owner is unknown counts for every struct);
; - a cancel function whose only uses sit in one deferred closure that calls it on some paths only
;   (`defer func(){ if err != nil { cancel() } }()`) while the context outlives the function (returned,
;   stored, put in a literal) is lost on the other paths.
;
; ## Why is this bad?
; A context that is never cancelled stays attached to its parent, with its goroutine and timer, until the
; parent ends: for a long-lived parent that is a leak on every call.
;
; ## Example
; ```go
; ctx, cancel := context.WithCancel(parent)
; if cond {
; 	cancel()
; }
; return work(ctx)
; ```
;
; ## Use instead
; ```go
; ctx, cancel := context.WithCancel(parent)
; defer cancel()
; return work(ctx)
; ```
;
; ## Not reported
; Exported cancel fields (another package may call them); a field some method of the package calls, in
; any file (a `Close`/`Stop` that cancels). Otherwise any use of the variable counts, as in vet: calling or deferring it, referencing it in a closure, storing
; it in a field, slice or map, returning it (a naked return when it is a named result) or passing it on.
; Cancel variables declared outside the function, `main.main`, paths that end in `panic`, `os.Exit`,
; `log.Fatal*`, `t.Fatal*`/`t.FailNow`/`t.Skip*` (or a same-file function that always ends that way),
; an endless `for {}` or `select {}`. Functions containing `goto` are skipped.
;
; ## Known limitations
; Precision is high when the variable is never referenced again and medium when it is used on some paths
; only.

(call_expression
  function: [
    (selector_expression field: (field_identifier) @_name)
    (identifier) @_name
  ] @fn
  (#any-of? @_name "WithCancel" "WithCancelCause" "WithTimeout" "WithTimeoutCause" "WithDeadline"
                   "WithDeadlineCause")) @call
