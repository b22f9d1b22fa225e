; id         = "GXL408"
; name       = "detached-context"
; severity   = "note"
; confidence = "medium"
; since      = "0.2.0"
; tags       = ["reliability"]
; reports-at = "the context.Background() or context.TODO() call"
; message    = "context.{fn}() ignores {param} ({kind}) that is in scope here, so the caller's cancellation and deadline do not reach this work{where}: pass {repl} instead{alt}"
; ---
; ## What it does
; Flags `context.Background()` and `context.TODO()` inside a function that has a `context.Context`
; parameter (not named `_`) or a `*http.Request` parameter, including inside goroutines (`go func(){…}()`)
; launched from such a function. One level deeper (like contextcheck): a call, from such a function, to a
; same-package function or method that takes no context and creates `context.Background()`/`TODO()`
; itself, reported at the call.
;
; ## Why is this bad?
; The fresh context cuts the call chain: when the request is cancelled or its deadline passes, the work
; started here keeps running (and holding connections, locks and goroutines) because it never learns about
; it.
;
; ## Example
; ```go
; func (s *Svc) Handle(ctx context.Context, id string) error {
; 	return s.db.Get(context.Background(), id)
; }
; ```
;
; ## Use instead
; ```go
; func (s *Svc) Handle(ctx context.Context, id string) error {
; 	return s.db.Get(ctx, id)
; }
; ```
; In Go 1.21+ files, when the work must outlive the caller on purpose, `context.WithoutCancel(ctx)` keeps
; the values (trace ids, auth) while dropping the cancellation; the message suggests it.
;
; ## Not reported
; Defaulting a nil parameter (`if ctx == nil { ctx = context.Background() }`); functions without a context
; parameter. In `defer` statements, in functions named like `*Shutdown*`/`*Close*`/`*Stop*`/`*Cleanup*` and
; in calls to `.Shutdown(…)` the detachment is usually deliberate (the parent is already cancelled), so the
; finding is a note there. Suppress a deliberate case with `//goexplint:ignore GXL408 reason`.
; The rule is a note by default: on seven mature repositories most detached contexts were deliberate
; (exit monitors, informers and running operations that must outlive the request), so it should not fail
; a run; `--fail-on note` makes it count.
; A fresh context that only serves to read a logger or a span (`log.G(context.Background())`,
; `zerolog.Ctx`, `logr.FromContext`, `trace.SpanFromContext`, another package's `G`/`L`/`GetLogger`/
; `FromContext`/`Extract`) or to write a log record (`slog.InfoContext(context.Background(), …)` and the
; other `…Context` logging calls) reaches no I/O, so there is nothing to cancel: not reported.
; Nor is a fresh context that is an argument of a log call whose result is dropped (a function or
; method whose name has the word `log`/`Log`/`logf`/`logger`: `logIf(context.Background(), err)`,
; `logger.LogIf(…)`, `auditLogInternal(…)`; a same-package one must have no results): a log record
; written after the caller gave up is wanted. Also not reported: a fresh context in the branch where a
; context parameter is nil (`if ctx == nil { …; return context.Background() }`, the `else` of
; `ctx != nil`, or after `if ctx != nil { return … }`); one that is only compared
; (`ctx == context.Background()`); one handed to a same-package function that only reads values from
; its context (`ctx.Value(k)`, `ctx == nil`), which picks the defaults, or as the only argument of a
; call whose result is read for a field at once (`fs.GetConfig(context.Background()).Dump`: a getter,
; with no error to return), or kept in a local used only in those two ways; and
; `x, cancel := context.WithCancel(context.Background())` in a function that waits on a context
; parameter's `Done()` or registers `context.AfterFunc(param, …)` and uses `cancel` (merging contexts).
; A followed helper is reported only for a fresh context of its own body that none of these exempt,
; and is not followed when it takes a `context.Context` or `*http.Request` (its own `Background()` is
; then reported inside it, once).
;
; ## Known limitations
; A context stored in a receiver field (`s.ctx`) and interface parameters that embed `context.Context`
; are not seen. Helpers are followed one level, in the same package, and only when the helper's own
; `Background()`/`TODO()` is not kept in a field, not in cleanup code and not inside a closure of the helper,
; and the call is not inside a goroutine closure;
; a method is found only through the written type of its receiver variable. A blocking call of another
; package whose single result is read for a field at once (`pkg.Wait(context.Background()).Err`) looks
; like a getter and is missed.

(call_expression
  function: [
    (selector_expression field: (field_identifier) @_name)
    (identifier) @_name
  ] @fn
  (#any-of? @_name "Background" "TODO")) @call

; f(…) / x.M(…): refine checks that the callee is a same-package function whose summary creates
; Background/TODO without taking a context
(call_expression function: (identifier) @_callee) @samepkg_call
(call_expression function: (selector_expression operand: (identifier) field: (field_identifier))) @samepkg_call
