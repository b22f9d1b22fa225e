; id         = "GXL208"
; name       = "lock-misuse"
; severity   = "warning"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["correctness", "concurrency"]
; reports-at = "the Unlock call of an empty critical section, the `defer X.Lock()` statement, or the second Lock call"
; message    = "{problem}: {advice}"
; ---
; ## What it does
; Flags three slips with `sync.Mutex` / `sync.RWMutex` (any value with `Lock`/`Unlock` methods),
; each within one statement list:
; (a) an empty critical section, `X.Lock()` immediately followed by `X.Unlock()` (or `X.RLock()` by
; `X.RUnlock()`); (b) `X.Lock()` followed by `defer X.Lock()` (meant `defer X.Unlock()`); (c) a second
; `X.Lock()` (or `X.RLock()`) on the same receiver with no unlock in between.
;
; ## Why is this bad?
; An empty critical section protects nothing; it is usually a statement that was meant to sit between
; the two calls. `defer X.Lock()` locks again when the function returns: the lock is never released and
; the next caller blocks forever. Go mutexes are not re-entrant, so a second `Lock` on a mutex the
; goroutine already holds deadlocks (and recursive `RLock` deadlocks as soon as a writer waits).
;
; ## Example
; ```go
; mu.Lock()
; mu.Unlock()
; count++
;
; mu.Lock()
; defer mu.Lock()
; ```
;
; ## Use instead
; ```go
; mu.Lock()
; count++
; mu.Unlock()
;
; mu.Lock()
; defer mu.Unlock()
; ```
;
; ## Not reported
; An empty critical section with a comment on the Lock line, the Unlock line, between them or on the line
; just above the Lock: emptiness used as a barrier ("wait for in-flight writers") is deliberate and the
; comment says so (tool directives such as `//nolint` and fixture markers do not count as comments).
; For (c): any statement between the two Locks that may release the lock: a call or method value whose
; name contains "unlock" (on any receiver, which might alias this one, or a helper such as `s.unlockAll()`),
; or a compound statement (`if`, `for`, `switch`, a func literal…) that contains one; a reassignment of the receiver's root variable; a
; `return`/`break`/`continue`/`goto`/label in between. A deferred unlock does not count as a release.
; Receivers with calls or index expressions (`m.shard(k).Lock()`, `locks[i].Lock()`) are not compared for (c).
; In `_test.go` files (a) and (c) are not reported: tests of locks, of the race detector and of the mutex
; profiler create contention and recursive locking on purpose (20 of the first 24 findings in the standard
; library were such tests), and a real double lock in a test deadlocks the test run anyway. (b) still is.
; `pkg.Lock()` where `pkg` names an import is a package function, not a mutex method.
;
; ## Known limitations
; Receivers are compared as text (`s.mu`, `(s.mu)`, `s . mu` are the same; `p.mu` and `q.mu` for the same
; `p == q` are not). Locks in different statement lists (a Lock nested in an `if` after another Lock) are not
; compared. `RLock` followed by `Lock` (an upgrade attempt) counts as a double lock.

; a Lock/RLock call statement; refine looks at the statements after it in the same list
(expression_statement
  (call_expression
    function: (selector_expression field: (field_identifier) @_method)
    arguments: (argument_list))
  (#match? @_method "^R?Lock$")) @lock
