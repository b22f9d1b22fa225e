; id                = "GXL211"
; name              = "concurrent-callback-write"
; severity          = "warning"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness", "security", "external/cwe/cwe-362"]
; security-severity = "5.9"
; reports-at        = "the write inside the handler or callback"
; message           = "{var} is {op} in {what} with no lock held, but {why}, so concurrent calls race on it: guard it with a sync.Mutex, make it an atomic value (atomic.Int64), or keep the state per call"
; ---
; ## What it does
; Flags read-modify-writes, appends, element writes and deletes of shared state inside code that
; somebody else calls, possibly from several goroutines at once, when no lock is held:
;
; * an HTTP handler's receiver fields (`func (h *H) ServeHTTP(w, r) { h.hits++ }`, any method with the
;   `(http.ResponseWriter, *http.Request)` signature) and variables a handler literal captures from
;   its enclosing function (`n := 0; http.HandleFunc("/", func(w, r) { n++ })`);
; * a func literal stored as a hook of an options/config value (`Config{OnEvent: func() { n++ }}`,
;   `c.OnClose = func() { … }`: keys named `On…`, `…Hook`, `…Callback`, `…Handler`) that writes a
;   captured variable or package-level state. (`…Func` fields such as `planFn`, `scrapeFunc` are
;   usually called from one goroutine and are not treated as hooks.)
;
; Package-level state written by handlers is GXL203's.
;
; ## Why is this bad?
; `net/http` serves every request on its own goroutine, and libraries call event hooks from their own
; goroutines (often several). A counter captured by such a closure, or a field of the handler value,
; is shared by all those calls: updates are lost, and a map written this way crashes the program with
; `concurrent map writes`.
;
; ## Example
; ```go
; n := 0
; bus := &Bus{OnEvent: func() { n++ }}
; ```
;
; ## Use instead
; ```go
; var n atomic.Int64
; bus := &Bus{OnEvent: func() { n.Add(1) }}
; ```
;
; ## Not reported
; Writes under a lock (or a lock helper), atomic operations, plain assignments (`x = v`, often one-time
; set-up), locals of the closure itself, writes to the request or response, hooks passed to known
; synchronous helpers (`sort.Slice`, `strings.Map`, `sync.Once.Do`, …).
;
; ## Known limitations
; Whether a library really calls a hook concurrently is not known: the hook naming is the evidence.
; Middleware that serialises handlers is invisible; use `//goexplint:ignore GXL211 reason` there.

; candidates: func literals and methods; refine checks handler signatures and hook positions
[(method_declaration) (func_literal)] @func
