; id         = "GXL404"
; name       = "server-no-readheader-timeout"
; severity   = "warning"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["security", "reliability", "external/cwe/cwe-400"]
; security-severity = "5.3"
; reports-at = "the server literal, new(http.Server) or the var declaration"
; message    = "{what} sets neither ReadHeaderTimeout nor ReadTimeout, so a client that sends its headers slowly holds a connection forever (slowloris): add ReadHeaderTimeout: 5 * time.Second"
; ---
; ## What it does
; Flags an `http.Server` composite literal without a `ReadHeaderTimeout:` or `ReadTimeout:` key (or with
; either set to `0`), `new(http.Server)` and `var s http.Server`.
;
; ## Why is this bad?
; With no read timeout a client can open many connections and send header bytes one at a time; each
; connection and its goroutine live forever and the server runs out of file descriptors (gosec G112).
;
; ## Example
; ```go
; srv := &http.Server{Addr: ":8080", Handler: mux}
; ```
;
; ## Use instead
; ```go
; srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
; ```
;
; ## Not reported
; A later `srv.ReadHeaderTimeout = …` or `srv.ReadTimeout = …` in the same function (or on the same struct
; field anywhere in the file); servers stored in an `httptest.Server`'s `Config`; `httptest` servers.
; Suppress deliberate cases with `//goexplint:ignore GXL404 reason`.

(composite_literal
  type: [(qualified_type name: (type_identifier) @_t) (type_identifier) @_t]
  (#eq? @_t "Server")) @lit

(call_expression
  function: (identifier) @_new (#eq? @_new "new")
  arguments: (argument_list [(qualified_type name: (type_identifier) @_t2) (type_identifier) @_t2] @type)
  (#eq? @_t2 "Server")) @new

(var_spec
  type: [(qualified_type name: (type_identifier) @_t3) (type_identifier) @_t3]
  (#eq? @_t3 "Server")) @spec
