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
; other types.
;
; A plain connect (`net.Dial`, `net.DialTCP`, `.Dial` on a `net.Dialer`) that never leaves the host: the
; operating system accepts or refuses it at once, so there is nothing for a timeout to bound.
; - A network without a handshake or that stays on the host (`"udp"`, `"unix"`, `"unixgram"`,
;   `"ip4:icmp"`, …), written as a literal or held by a local of the function (every value it is given)
;   or a constant of the package.
; - The address of a listener opened in the same function: `ln.Addr().String()` (or a local holding it)
;   where every value of `ln` is `net.Listen(…)`, `net.ListenTCP(…)` or `tls.Listen(…)`, `srv.Listener`
;   of a local `httptest` server, and for `net.DialTCP` `ln.Addr().(*net.TCPAddr)` or
;   `net.ResolveTCPAddr(network, <such an address>)`.
; - A host that is this machine: loopback (`127.x.y.z`, `localhost`, `[::1]`) or empty/unspecified
;   (`":8080"`, `0.0.0.0`, `[::]`: Dial then assumes the local system), in a literal, `"localhost:" + port`,
;   `fmt.Sprintf("127.0.0.1:%d", p)`, `net.JoinHostPort("127.0.0.1", port)`, a local of the function or a
;   package constant.
;
; `tls.Dial` and `tls.DialWithDialer` are reported whatever the address: the TLS handshake waits on the
; server, which may accept the connection and never answer.
;
; ## Known limitations
; A local is followed only when every value it is given is in the same function (`x = v`, or the first
; result of a call); a parameter, a range variable, a struct field (`s.ln`, `test.target`), a package
; variable, or a local whose address is taken is not followed, so a connect to a loopback address held
; there is still reported. A listener opened by another function, or by `net.ListenConfig.Listen`, is not
; recognised.
(call_expression
  function: [
    (selector_expression field: (field_identifier) @_name)
    (identifier) @_name
  ] @fn
  (#any-of? @_name "Dial" "DialTCP" "DialWithDialer")) @call
