; id                = "GXL203"
; name              = "handler-mutates-global"
; severity          = "warning"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness", "security", "external/cwe/cwe-362"]
; security-severity = "5.9"
; reports-at        = "the written package-level variable"
; message           = "HTTP handler {handler} {op} package-level {var} with no lock held, but net/http serves every request on its own goroutine, so concurrent requests race on it: guard it with a sync.Mutex, use sync/atomic (atomic.Int64) for counters, or sync.Map for a map"
; ---
; ## What it does
; Flags a function with the handler signature `(http.ResponseWriter, *http.Request)` — a
; `func` declaration, a `ServeHTTP` method or a func literal (for example one passed to
; `http.HandleFunc`) — that increments, updates, appends to, writes an element of or deletes from a
; package-level variable without holding a write lock. `net/http` is resolved under any import name.
;
; ## Why is this bad?
; The HTTP server runs each request's handler on its own goroutine. Two requests arriving together
; modify the same package-level counter, slice or map at once: updates are lost, and a map written
; concurrently crashes the server with `fatal error: concurrent map writes`.
;
; ## Example
; ```go
; var visits = map[string]int{}
;
; func count(w http.ResponseWriter, r *http.Request) {
; 	visits[r.URL.Path]++
; }
; ```
;
; ## Use instead
; ```go
; var (
; 	visitsMu sync.Mutex
; 	visits   = map[string]int{}
; )
;
; func count(w http.ResponseWriter, r *http.Request) {
; 	visitsMu.Lock()
; 	visits[r.URL.Path]++
; 	visitsMu.Unlock()
; }
; ```
;
; ## Not reported
; Writes under a held write lock (`Lock`/`Unlock` or `Lock; defer Unlock`); atomics; writes to
; locals, to `w`, to `r` and to the handler's own struct fields; plain assignments (`x = v`);
; functions whose parameters only look like a handler's (`http` shadowed or another package).
;
; ## Known limitations
; Framework handlers (gin, echo `*Context`) are not recognised. A lock taken by middleware around the
; handler is invisible; use `//goexplint:ignore GXL203 reason` there.

; candidates: functions and literals; refine checks the handler signature and the writes
[(function_declaration) (method_declaration) (func_literal)] @func
