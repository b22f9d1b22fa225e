; id                = "GXL210"
; name              = "unguarded-field-write"
; severity          = "warning"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness", "security", "external/cwe/cwe-362"]
; security-severity = "5.9"
; reports-at        = "the unguarded write"
; message           = "{var} is accessed with {guard} held in {funcs} ({n} sites); here in {func} it is {op} without it, so this write races with the guarded accesses: take {guard_lock} around it too (or, if every caller already holds it, name the function …Locked)"
; ---
; ## What it does
; Infers which lock guards each struct field and package-level variable from all its accesses in the
; package (guarded-by inference over the field-access index, Eraser's lockset idea): a field of `T` is
; guarded by `x.mu` when its accesses through a `T` value `x` hold `x.mu` (or `x.Lock()` of an embedded
; mutex), a package variable by a package-level mutex. It then flags each plain write or
; read-modify-write of that field made with no lock held at all.
;
; ## Why is this bad?
; A type with a mutex is meant to be used from several goroutines. When most methods take the lock
; around `s.count` and one method writes `s.count` without it, that method races with all the
; others: the race detector finds it only if a test happens to run both at once.
;
; ## Example
; ```go
; func (s *Stats) Inc()   { s.mu.Lock(); s.count++; s.mu.Unlock() }
; func (s *Stats) Reset() { s.mu.Lock(); s.count = 0; s.mu.Unlock() }
; func (s *Stats) Get() int { s.mu.Lock(); defer s.mu.Unlock(); return s.count }
; func (s *Stats) IncRacy() { s.count++ }
; ```
;
; ## Use instead
; ```go
; func (s *Stats) IncRacy() { s.mu.Lock(); s.count++; s.mu.Unlock() }
; ```
;
; ## Not reported
; Unexported methods not known to run concurrently (their callers usually hold the lock); fields
; without a clear guard (fewer than three guarded accesses in at least two functions, or
; fewer than 60% of the accesses guarded); writes while any lock (or a lock helper we cannot follow)
; is held; functions named `…Locked`, `…WithLock`, `…Locked_` or whose own comment says the caller
; holds the lock, in the doc comment right above the function or at the top of its body before the first
; statement ("Lock should be held.", "The caller must hold s.mu.", "the caller holds d.mu", "must be
; called with mu held", "No locking as this is called from FindLeaf"), methods whose every same-package
; caller holds a lock of the receiver (or any caller holds the guard); unexported methods with no
; same-package caller; constructors (functions that build a `T`), `init`, set-up methods (`Init…`,
; `Setup…`), test files; (re)initialisation with a fresh value (`s.m = make(…)`, `&T{…}`, `nil`);
; writes through a local variable or a parameter of a plain function; closures stored as hooks (their
; caller is not visible); atomic accesses (GXL204); writes after a wait. Closures that run where they
; are written (called, passed to a call, kept in a local) see the locks held there; goroutines that the
; launcher waits for (`X.Wait()`) before it releases a lock it holds at the `go` statement run under that
; lock (`mu.Lock(); defer mu.Unlock(); for … { go func() { … }() }; wg.Wait()`). Writes through the
; function's own value (a by-value parameter or receiver, a named result, a struct copy, a range value:
; `v := s.stats; v.n = 0`) do not count either way.
;
; ## Known limitations
; Syntactic: the type of a root is known only from its declaration (receiver, parameter, `var x T`,
; `x := &T{…}`); embedded promoted fields, fields reached through map or slice elements and calls
; through interfaces are not followed; callers are followed one level.

; candidates: the file; refine reports the unguarded writes of inferred-guarded fields in this file
(source_file) @file
