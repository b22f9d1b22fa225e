; id         = "GXL403"
; name       = "request-without-context"
; severity   = "note"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["reliability"]
; reports-at = "the call"
; message    = "{what} builds a request without a context, so nothing can cancel it: {advice}"
; ---
; ## What it does
; Flags `http.NewRequest(...)` and the shortcut methods `Get`, `Head`, `Post` and `PostForm` on a variable
; or struct field declared as `http.Client` / `*http.Client` (or initialised from an `http.Client`
; literal or `new(http.Client)`).
;
; ## Why is this bad?
; A request without a context cannot be cancelled when the caller gives up (the handler's client went
; away, a deadline passed, the program is shutting down), so it keeps running until the client's own
; timeout, if there is one.
;
; ## Example
; ```go
; req, err := http.NewRequest(http.MethodGet, u, nil)
; resp, err := client.Get(u)
; ```
;
; ## Use instead
; ```go
; req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
; resp, err := client.Do(req)
; ```
;
; ## Not reported
; `http.NewRequest` whose result is given a context before use (`req = req.WithContext(ctx)` or
; `req.Clone(ctx)` in the same function); `NewRequestWithContext`; methods of the same names on other types.
; `http.DefaultClient.Get` is GXL402's.
;
; An `http.NewRequest` assigned to a local is reported only when it may be sent: it is passed to a
; `Do` or `RoundTrip` method (any receiver) or to a method of an `http.Client`, or written with
; `req.Write`/`req.WriteProxy`, or handed to a function or method of the same file that does one of
; these, or it leaves the function (returned, stored in a field, a slice, a map, a composite literal
; or a channel). Copies (`r := req`) are followed. A request that is only read or handed to a
; handler (`h.ServeHTTP(rec, req)`), a proxy function (`transport.Proxy(req)`), a selection policy or
; another function that only inspects it is never sent, so it needs no context and is not reported.
; A request returned by a function (a request constructor) is not reported when that function is called
; in the same file, and every such call gives the result a context (`page.WithContext(r.Context())`,
; `req.Clone(ctx)`) or never sends it: the callers supply the context.
;
; ## Known limitations
; A request handed to a helper declared in another file or package that sends it is missed.

(call_expression
  function: [
    (selector_expression field: (field_identifier) @_name)
    (identifier) @_name
  ] @fn
  (#any-of? @_name "NewRequest" "Get" "Head" "Post" "PostForm")) @call
