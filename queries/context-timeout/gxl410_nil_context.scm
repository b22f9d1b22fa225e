; id         = "GXL410"
; name       = "nil-context"
; severity   = "error"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["correctness"]
; fix        = "safe"
; reports-at = "the nil argument"
; message    = "nil passed as the context to {callee}{matched}: {effect}; pass context.TODO() (or the caller's ctx)"
; ---
; ## What it does
; Flags a literal `nil` as the first argument of the `context.With*` functions, `context.AfterFunc` and
; `context.Cause`; of `http.NewRequestWithContext`, `exec.CommandContext` and `signal.NotifyContext`; of
; the standard library's context-first methods (`QueryContext`, `ExecContext`, `QueryRowContext`,
; `PrepareContext`, `PingContext`, `StmtContext`, `BeginTx`, `DialContext`, `HandshakeContext`,
; `WithContext`); and of functions, methods and interface methods of the package whose first parameter
; is a `context.Context`. A method call `x.m(nil, …)` is resolved through the written type of `x` (a
; parameter, `var`, `new(T)`, `&T{}`, `T{}`, a field, a same-package constructor's result); the message
; names the declaration it matched (``matched `(*T).m` at file:line``).
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
; other methods are reported only when the package declares them with a `context.Context` first. A
; method of one type is never checked against another type's method of the same name: when the type of
; `x` is known, only its own method set counts (a stdlib name is then believed only for another
; package's type); when it is unknown, the package's declaration is used only if exactly one type
; declares a method of that name, and nothing is reported when several do. A package callee that
; compares its context with nil (`if ctx == nil { … }`) is made for a nil context and is not reported.
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
