; id                = "GXL502"
; name              = "sync-value-copy"
; severity          = "warning"
; confidence        = "high"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness", "security", "external/cwe/cwe-362"]
; security-severity = "5.9"
; reports-at        = "the parameter, receiver or range variable, or the copied value"
; message           = "{what} copies {lock} by value, so {effect}: {advice}"
; ---
; ## What it does
; Flags by-value copies of values that must not be copied: `sync.WaitGroup`, `Mutex`, `RWMutex`,
; `Once`, `Cond`, `Map`, `Pool` and the `sync/atomic` types (`atomic.Int64`, `atomic.Value`, ...),
; and same-package structs that hold one by value. Copies are parameters and value receivers of such
; types, `range` value variables over slices of them, and a local variable of such a type assigned,
; returned, passed, sent or put in a literal. A copied `WaitGroup` is reported as an error.
;
; ## Why is this bad?
; A copy of a lock is a different lock: code that locks the copy excludes nobody, and a `Wait` on a
; copied WaitGroup waits for a counter nobody decrements (deadlock) or for nothing. `go vet
; -copylocks` reports the same hazard with types; this rule needs none.
;
; ## Example
; ```go
; type counter struct {
; 	mu sync.Mutex
; 	n  int
; }
;
; func (c counter) Inc() { c.mu.Lock(); c.n++; c.mu.Unlock() }
; func drain(wg sync.WaitGroup) { wg.Wait() }
; ```
;
; ## Use instead
; ```go
; func (c *counter) Inc() { c.mu.Lock(); c.n++; c.mu.Unlock() }
; func drain(wg *sync.WaitGroup) { wg.Wait() }
; ```
;
; ## Not reported
; Pointers (`*sync.WaitGroup`, `*counter`), structs holding a pointer to a mutex, composite literals
; and call results on the right-hand side (fresh values), `&v`, method calls and field reads on the
; value, `len`/`cap`/`unsafe.Sizeof` arguments. A type parameter that shares its name with a package
; struct (`func ChangeExec[Main any](m Main)`, `func (h holder[T]) …`) is the type parameter, not the
; struct.
;
; ## Known limitations
; Struct types of other packages are unknown, so copies of them are not reported. Struct types of
; every file of the package come from the package model (type parameters named like a struct are
; not that struct). The Go 1.22 per-iteration copy of a three-clause loop variable is not checked.

; functions and func literals: parameters, receivers, range variables and copies inside them
[(function_declaration) (method_declaration) (func_literal)] @func
