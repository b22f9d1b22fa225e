; id         = "GXL405"
; name       = "serve-without-timeouts"
; severity   = "warning"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["security", "reliability", "external/cwe/cwe-400"]
; security-severity = "5.3"
; reports-at = "the call"
; message    = "http.{fn} serves with a zero-value http.Server that has no timeouts (slowloris): use srv := &http.Server{{{args}ReadHeaderTimeout: 5 * time.Second}} and srv.{fn}({rest})"
; ---
; ## What it does
; Flags the package functions `http.ListenAndServe`, `http.ListenAndServeTLS`, `http.Serve` and
; `http.ServeTLS`.
;
; ## Why is this bad?
; They build an `http.Server` you cannot configure, so it has no `ReadHeaderTimeout`, `ReadTimeout`,
; `WriteTimeout` or `IdleTimeout`: slow clients hold connections and goroutines forever (gosec G114).
;
; ## Example
; ```go
; log.Fatal(http.ListenAndServe(":8080", mux))
; ```
;
; ## Use instead
; ```go
; srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
; log.Fatal(srv.ListenAndServe())
; ```
;
; ## Not reported
; The methods of the same names on an `http.Server` value (`srv.ListenAndServe()`), which GXL404 checks at
; the server's declaration; user functions called `Serve`; a local variable named `http`.

(call_expression
  function: [
    (selector_expression field: (field_identifier) @_name)
    (identifier) @_name
  ] @fn
  (#any-of? @_name "ListenAndServe" "ListenAndServeTLS" "Serve" "ServeTLS")) @call
