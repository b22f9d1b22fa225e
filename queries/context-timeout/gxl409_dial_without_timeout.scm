; id         = "GXL409"
; name       = "dial-without-timeout"
; severity   = "note"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["reliability"]
; reports-at = "the call"
; message    = "{what} connects without a timeout or context, so it waits as long as the OS allows (minutes for an unreachable host): {advice}"
; ---
; ## What it does
; Flags `net.Dial`, `net.DialTCP` and `tls.Dial`; `tls.DialWithDialer` with a `net.Dialer` that has no
; `Timeout` or `Deadline`; and `.Dial(…)` on such a `net.Dialer` (a literal, a variable initialised from
; one, or `var d net.Dialer`).
;
; ## Why is this bad?
; Without a timeout the connect is bounded only by the operating system's SYN retries, often two minutes
; or more, and nothing can cancel it.
;
; ## Example
; ```go
; conn, err := net.Dial("tcp", addr)
; ```
;
; ## Use instead
; ```go
; d := net.Dialer{Timeout: 3 * time.Second}
; conn, err := d.DialContext(ctx, "tcp", addr)
; ```
;
; ## Not reported
; `net.DialTimeout`, `DialContext` (the context carries the deadline), a `Dialer` with `Timeout:` or
; `Deadline:` (set in the literal or by a later assignment in the same function), and `Dial` methods of
; other types. `net.Dial` on a network named by a literal that has no handshake or never leaves the
; host (`"udp"`, `"unix"`, `"unixgram"`, `"ip4:icmp"`, …): it returns or fails at once.

(call_expression
  function: [
    (selector_expression field: (field_identifier) @_name)
    (identifier) @_name
  ] @fn
  (#any-of? @_name "Dial" "DialTCP" "DialWithDialer")) @call
