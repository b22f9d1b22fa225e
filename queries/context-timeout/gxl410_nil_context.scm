; id         = "GXL410"
; name       = "nil-context"
; severity   = "error"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["correctness"]
; fix        = "safe"
; reports-at = "the nil argument"
; message    = "nil passed as the context to {callee}: {effect}; pass context.TODO() (or the caller's ctx)"
; ---
; ## What it does
; Flags a literal `nil` as the first argument of the `context.With*` functions, `context.AfterFunc` and
; `context.Cause`; of `http.NewRequestWithContext`, `exec.CommandContext` and `signal.NotifyContext`; of
; the standard library's context-first methods (`QueryContext`, `ExecContext`, `QueryRowContext`,
; `PrepareContext`, `PingContext`, `StmtContext`, `BeginTx`, `DialContext`, `HandshakeContext`,
; `WithContext`); and of functions, methods and interface methods declared in the same file whose first
; parameter is a `context.Context`.
;
; ## Why is this bad?
; A nil `Context` is never valid: the `context` functions panic on it, `NewRequestWithContext` returns a
; "nil Context" error, and other callees crash when they call `ctx.Done()` (staticcheck SA1012).
;
; ## Example
; ```go
; req, err := http.NewRequestWithContext(nil, http.MethodGet, u, nil)
; ```
;
; ## Use instead
; ```go
; req, err := http.NewRequestWithContext(context.TODO(), http.MethodGet, u, nil)
; ```
;
; ## Not reported
; Conversions such as `(func(context.Context))(nil)`, method expressions `(*T).M(nil, …)` (the nil is the
; receiver), setters named `Set…Context`, and functions whose first parameter is not a context. A
; name that merely ends in `Context` is not evidence (`scope.HclContext(nil)` takes a reference list):
; other methods are reported only when the file declares them with a `context.Context` first, and a
; stdlib name is not reported when the file declares a method of that name that takes something else.
;
; ## Fix safety
; `--fix` (and the editor quick fix) replaces the `nil` with `context.TODO()` (under the file's own
; import name for `context`). A nil context can only panic or fail at the callee, so the only behaviour
; that changes is the failure. Not offered when the file does not import `context` (or dot-imports it),
; or when an enclosing function has a `ctx` or `*http.Request` parameter: passing that is the right
; fix, but it changes cancellation, so it is left to the author.

(call_expression
  function: (_) @fn
  arguments: (argument_list . (nil) @nil)) @_call
