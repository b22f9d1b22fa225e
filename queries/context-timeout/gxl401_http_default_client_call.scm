; id         = "GXL401"
; name       = "http-default-client-call"
; severity   = "warning"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["reliability"]
; reports-at = "the call"
; message    = "http.{fn} sends the request with http.DefaultClient, which has no timeout and no context, so a stalled server blocks it forever: build it with http.NewRequestWithContext(ctx, {method}, …) and send it with client.Do on a client that sets Timeout"
; ---
; ## What it does
; Flags the package-level helpers `http.Get`, `http.Head`, `http.Post` and `http.PostForm` (under any
; import name, and bare calls through a dot import).
;
; ## Why is this bad?
; They use `http.DefaultClient`, whose `Timeout` is zero, and they take no `context.Context`. A server that
; accepts the connection and never answers (or trickles the body) keeps the goroutine, the connection and
; everything it holds forever, and nothing upstream can cancel it.
;
; ## Example
; ```go
; resp, err := http.Get(url)
; ```
;
; ## Use instead
; ```go
; var apiClient = &http.Client{Timeout: 15 * time.Second}
;
; req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
; if err != nil {
; 	return err
; }
; resp, err := apiClient.Do(req)
; ```
;
; ## Not reported
; Methods with the same names on a client variable (`c.Get`, see GXL403) or on any user type; a local
; variable named `http` that shadows the package. In `_test.go` files findings are notes (config
; `test-files`).

(call_expression
  function: [
    (selector_expression field: (field_identifier) @_name)
    (identifier) @_name
  ] @fn
  (#any-of? @_name "Get" "Head" "Post" "PostForm")) @call
