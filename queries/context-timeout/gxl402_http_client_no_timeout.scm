; id         = "GXL402"
; name       = "http-client-no-timeout"
; severity   = "warning"
; confidence = "medium"
; since      = "0.2.0"
; tags       = ["reliability"]
; reports-at = "the client literal, new(http.Client), the var declaration or the http.DefaultClient expression"
; message    = "{what} has no Timeout, so a request can wait forever on a stalled server{note}: {advice}"
; ---
; ## What it does
; Flags an `http.Client` that never gets a `Timeout`: a composite literal (bare or `&`) without a
; `Timeout:` key or with `Timeout: 0`, `new(http.Client)`, `var c http.Client`, and `http.DefaultClient`
; used as the receiver of `Do`/`Get`/`Head`/`Post`/`PostForm` or stored in a variable or field.
;
; ## Why is this bad?
; `Client.Timeout` is the only setting that bounds the whole exchange (connect, headers and body). Without
; it, a server that stops responding holds the caller, its goroutine and the connection forever.
;
; ## Example
; ```go
; c := &http.Client{Transport: tr}
; ```
;
; ## Use instead
; ```go
; c := &http.Client{Transport: tr, Timeout: 15 * time.Second}
; ```
;
; ## Not reported
; A later `c.Timeout = d` in the same function (or `x.<field>.Timeout = d` anywhere in the file for a
; client stored in a struct field); a local client whose every request in the function is sent with
; `Do(req)` where `req` comes from `http.NewRequestWithContext(ctx2, …)` and `ctx2` from
; `context.WithTimeout`/`WithDeadline` in the same function; `httptest` clients (`srv.Client()`); assignments that set
; `http.DefaultClient.Timeout`; a client literal kept in a struct field (`baseClient: &http.Client{}`)
; that no file of the package ever reads (`.baseClient` appears nowhere), so no request is sent with it.
; The finding is lowered to a note when the `Transport` sets timeouts of its
; own (`ResponseHeaderTimeout`, a `Dialer` with `Timeout`) or when the client's name says it streams
; (`stream`, `watch`, `sse`, `ws`), where a whole-request timeout is often deliberately absent.
; A client literal whose `Transport` is not recognisably a net/http Transport (`&http.Transport{…}`,
; `http.DefaultTransport`, its `.(*http.Transport).Clone()`, or a variable declared or initialised as
; one) is not reported: a constructor such as `transport.NewTimeoutTransport(…, 1s, 1s, 1s)` may set
; deadlines, a wrapper delegates to a transport the rule cannot see, and a stub RoundTripper does no I/O.
;
; ## Known limitations
; A client configured in another function (`c.Timeout = cfg.T` in a constructor) is missed unless it is a
; struct field assigned in the same file.

(composite_literal
  type: [(qualified_type name: (type_identifier) @_t) (type_identifier) @_t]
  (#eq? @_t "Client")) @lit

(call_expression
  function: (identifier) @_new (#eq? @_new "new")
  arguments: (argument_list [(qualified_type name: (type_identifier) @_t2) (type_identifier) @_t2] @type)
  (#eq? @_t2 "Client")) @new

(var_spec
  type: [(qualified_type name: (type_identifier) @_t3) (type_identifier) @_t3]
  (#eq? @_t3 "Client")) @spec

(selector_expression
  field: (field_identifier) @_d (#eq? @_d "DefaultClient")) @default
