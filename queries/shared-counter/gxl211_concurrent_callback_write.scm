; id                = "GXL211"
; name              = "concurrent-callback-write"
; severity          = "note"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness", "security", "external/cwe/cwe-362"]
; security-severity = "5.9"
; reports-at        = "the write inside the handler or callback"
; message           = "{var} is {op} in {what} with no lock held, but {why}, so concurrent calls race on it: guard it with a sync.Mutex, make it an atomic value (atomic.Int64), or keep the state per call"
; ---
; ## What it does
; Flags read-modify-writes, appends, element writes and deletes of shared state inside code that
; somebody else calls, when no lock is held and the package shows that several calls may run at once:
;
; * an HTTP handler's receiver fields (`func (h *H) ServeHTTP(w, r) { h.hits++ }`, any method with the
;   `(http.ResponseWriter, *http.Request)` signature): net/http calls it on each connection's goroutine;
; * variables a handler literal captures from its enclosing function, when the literal is handed to a
;   server or router (`mux.HandleFunc("/", func(w, r) { n++ })`, `httptest.NewServer(http.HandlerFunc(…))`,
;   `http.Server{Handler: …}`, also through one local variable);
; * a func literal stored in a field (`Config{OnEvent: func() { n++ }}`, `c.OnClose = func() { … }`) that
;   the package calls on goroutines it starts: from a goroutine started in a loop, or from two launches
;   (`for … { go func() { b.OnEvent() }() }`);
; * a func literal passed to a same-package function whose summary runs that parameter on another
;   goroutine (`go f()`, `go func() { f() }()`, handing it to a `go` call).
;
; The field's or callback's name is no evidence: `On…`, `…Hook`, `…Callback` literals the package does not
; call concurrently are not reported. Package-level state written by handlers is GXL203's.
;
; ## Why is this bad?
; `net/http` serves every request on its own goroutine, and code that calls a callback from several
; goroutines calls it concurrently. A counter captured by such a closure, or a field of the handler
; value, is shared by all those calls: updates are lost, and a map written this way crashes the program
; with `concurrent map writes`.
;
; ## Example
; ```go
; requests := 0
; mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { requests++ })
; ```
;
; ## Use instead
; ```go
; var requests atomic.Int64
; mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { requests.Add(1) })
; ```
;
; ## Not reported
; Writes under a lock (or a lock helper), atomic operations, plain assignments (`x = v`, often one-time
; set-up), locals of the closure itself, writes to the request or response; handler literals called
; directly (`next := http.HandlerFunc(…); h.ServeHTTP(rec, req)`) or handed to anything but a server or
; router; in test files, handlers of a test that sends its requests one at a time (nothing in the test runs
; concurrently: no `go`, `X.Go`, `RunParallel`); hooks and callbacks the package calls on the caller's
; goroutine, on one goroutine only, or not at all (interpreter, lifecycle and option callbacks).
;
; ## Known limitations
; Callbacks handed to other packages are not followed: a library that runs a hook on its own goroutines
; is invisible (no finding). Middleware that serialises handlers is invisible; use
; `//goexplint:ignore GXL211 reason` there. In a test, any goroutine of the test counts as evidence that
; its requests overlap.
;
; Rationale: before it required evidence, the rule treated `On…`/`…Hook`/`…Callback` literals as
; concurrent by their names and every handler literal as served concurrently; on four tuning repositories
; (minio, rclone, traefik, badger) all 36 of its findings were wrong (unit tests calling `ServeHTTP`
; directly, test servers hit by sequential requests). With evidence required it reports 1 finding there,
; and that one is wrong too (a callback the callee runs on a loop's goroutines but, by a condition, only
; once, writing its own slot): no true finding has been measured yet, so the rule is a **note** until a
; measurement on untuned repositories shows it meets the warning bar (FALSE ≤ 10%).

; candidates: func literals and methods; refine checks handler signatures and hook positions
[(method_declaration) (func_literal)] @func
