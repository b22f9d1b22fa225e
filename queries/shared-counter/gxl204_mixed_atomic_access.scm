; id                = "GXL204"
; name              = "mixed-atomic-access"
; severity          = "warning"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness", "security", "external/cwe/cwe-362"]
; security-severity = "5.9"
; reports-at        = "each plain access"
; message           = "{var} is updated with sync/atomic ({atomic_at}) but {access} plainly here; a plain access of an atomically updated variable is a data race and may see torn or stale values: use atomic.Load*/atomic.Store* here too, or better make it an atomic type (atomic.Int64, atomic.Uint64) so no plain access can compile"
; ---
; ## What it does
; Collects the variables and fields passed as `&P` to `sync/atomic` functions (`AddInt64`,
; `LoadUint32`, `StoreInt64`, `CompareAndSwapInt32`, ...; any import name) anywhere in the package
; (the field-access index: a field of a package struct or a package-level variable, in any file) and
; flags every plain read, write or `++` of the same path in the file.
;
; ## Why is this bad?
; Atomic operations only synchronise with other atomic operations. A plain `return c.stats.Writes`
; next to `atomic.AddUint64(&c.stats.Writes, 1)` is a data race: on 32-bit platforms it can even
; read a torn 64-bit value. `go vet` only catches `x = atomic.AddT(&x, …)` (GXL205).
;
; ## Example
; ```go
; func (c *cache) hit()            { atomic.AddUint64(&c.stats.Writes, 1) }
; func (c *cache) Writes() uint64 { return c.stats.Writes }
; ```
;
; ## Use instead
; ```go
; func (c *cache) Writes() uint64 { return atomic.LoadUint64(&c.stats.Writes) }
; ```
; or declare `Writes atomic.Uint64` and call `.Add(1)` / `.Load()`.
;
; ## Not reported
; Accesses in `init()`; accesses in a function that also builds the value (`&T{…}`, `T{…}`,
; `new(T)`), which happen before it is published; accesses that precede every `go` statement of a
; function that starts goroutines; test and benchmark functions that do not go parallel (no
; `t.Parallel`, `b.RunParallel` or `go`); `&P` passed elsewhere; fields with the same name on a
; different type (the root's declared type or method receiver type must match); locals; accesses that
; come after a wait in their function (`wg.Wait()`, `<-c.done`); accesses such that each atomic writer of
; the path holds for writing some lock the access holds too (the block's lock for one writer, the store's
; for another; a caller-held lock of a `…Locked` method, or of one whose doc comment or the comment at the top
; of its body says the caller holds it, counts; locals fetched from typed state, such as
; `mb := fs.blks[i]` or `smb := fs.selectMsgBlock(seq)`, are typed from their initialiser), or
; that it holds for writing while every atomic access holds it too (an atomic writer in an unexported method holds
; the locks that every same-package caller holds on its receiver); plain writes in set-up functions (`init…`, `Init…`,
; `Setup…`: in-place initialisation before the value is shared); plain reads of a path that is only ever loaded
; atomically (no file of the package passes `&….f` to an atomic update: reads do not race with loads). Atomic
; writes to values not shared yet do not count as writers: a local built in the function (`x := &T{…}`, or
; `x := newT()` / `fs.initBlock()` when that function builds and returns a `T`), or the receiver of an
; unexported method that every caller calls on such a local (nats `msgBlock.readIndexInfo`). Plain accesses
; through such a local are not reported either (`cs := newTestStream(); cs.closed = 1`), nor through a
; variable pointed at the function's own copy first (`nsub := *sub; sub = &nsub; sub.qw = n`).
; Copies are not the shared value: a path through a by-value parameter or receiver (`func (p *M) add(q M) {
; atomic.AddUint64(&p.n, q.n) }`), a named result, a struct local or copy (`v := s.stats`, `v := *p`) or a
; range value over `[]T`, with no pointer, map, slice or interface field along it, matches only atomic
; accesses of that same variable.
; Plain reads by the only writer: a read such that it and every write of the path (atomic or plain) are
; reached from one origin through the package's method calls, following the receiver or parameter that
; carries the value up each call (`p.exec(client)` -> `func (p *P) exec(client *C)`): one `go x.loop(v)`
; on a value its launcher built (inside the launching loop, if any: one value per goroutine), a value one
; caller built, or a parameter of one method whose callers are not all visible (exported on an exported
; type, or called through an interface). Exported methods of unexported types are followed to their
; same-package callers; the atomic loads of other goroutines do not race with it.
;
; ## Known limitations
; Atomic uses in other files are matched only for fields of package structs and package-level
; variables. Roots whose type cannot be read from a declaration or a simple initialiser match on their full text
; only (`s.n` with `s.n`), with low confidence. Plain reads by the only writer are recognised only through
; method calls whose receiver and arguments are bare variables: a receiver of an entry method (a handler's,
; an exported method's: its callers may share it), a value fetched from a map or a field, a plain function
; or a closure on the way, or a second origin (nats `client.inMsgs` is read plainly where the reader is the
; read loop, but the same function is also reached from config reload) keep the read reported, as do
; resets of recycled objects. The "same goroutine" is inferred from the calls seen in the package:
; callers outside it (of an exported method on an unexported type, through an interface) are not seen.
; Locks are matched per root: an atomic writer that runs under a lock of a container the value was fetched
; from (`sr.mu.Lock(); srs := sr.m[id]; srs.failed.add(n)`), with readers under the same container lock, is
; reported, because the lock and the atomic call have different roots and the value could be reached
; without it (minio `RTimedMetrics` also has an exported `String` reading it with no lock). A writer that skips the object's
; lock on an object it has just published under another lock it still holds (nats `purgeLocked` storing the
; new `fs.lmb`'s sequence under `fs.mu`) makes lock holders of the object's own lock look racy.

; candidates: the file's atomic calls; refine reports the plain accesses of their paths
(source_file) @file
