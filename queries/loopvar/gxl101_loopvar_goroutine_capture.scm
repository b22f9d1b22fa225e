; id         = "GXL101"
; name       = "loopvar-goroutine-capture"
; severity   = "error"
; confidence = "high"
; go         = "<1.22"
; since      = "0.1.0"
; tags       = ["concurrency", "correctness"]
; fix        = "safe"
; reports-at = "each reference to the loop variable inside the goroutine's func literal"
; message    = "goroutine captures loop variable {var} (loop at line {loop_line}); before Go 1.22 all iterations share it, so the goroutine may see a later value: pass {var} as an argument or copy it first ({var} := {var})"
; ---
; ## What it does
; Flags a goroutine (`go func(){…}()`, `go f()` of a local closure, `errgroup.Group.Go(func…)`)
; started inside a `for` loop whose `:=` iteration variable it references, in files with pre-Go-1.22
; loop semantics.
;
; ## Why is this bad?
; Before Go 1.22 a `:=` loop variable is one variable for the whole loop. The goroutine runs
; concurrently with later iterations, so it usually sees a later value (often the last one), and the
; unsynchronised read is also a data race. Every position in the loop body counts, not only the last
; statement (go vet's loopclosure only checks the last one).
;
; ## Example
; ```go
; for _, v := range items {
; 	go func() {
; 		send(v)
; 	}()
; }
; ```
;
; ## Use instead
; ```go
; for _, v := range items {
; 	go func(v Item) {
; 		send(v)
; 	}(v)
; }
; ```
; Or copy the variable (`v := v`) before the `go` statement, or move the module to `go 1.22`.
;
; ## Fix safety
; `--fix` (and the editor quick fix) inserts `v := v` as the first statement of the loop body,
; giving each iteration its own variable, which is what the goroutine relied on. Offered only when the
; body starts on its own line, and, for a three-clause loop (`for i := 0; i < n; i++`), only when the
; body never assigns, increments or takes the address of the variable (the loop's own condition and
; post statement would no longer see those writes). A range loop re-assigns its variables every
; iteration, so the copy cannot change how it iterates.
;
; ## Not reported
; A shadow copy before the launch; values passed as arguments; same-named locals and parameters
; of the closure; struct-literal keys; launches followed in the same iteration by a `Wait()` of a
; WaitGroup the goroutine `Done`s, by a receive from a channel it sends on or closes (or hands to a
; same-package function whose summary sends on or closes that parameter, as in
; `go func(){ work(name(v), ready) }(); <-ready`, when every read of the loop variable in the goroutine
; comes before that call: in its arguments or an earlier statement, not in a nested closure, not repeated
; by a loop around the call), or by leaving
; the loop (`return`, `break`, `panic`), or by a `select` that receives that signal and whose other
; cases (a timeout) leave the loop (`t.Fatalf`, `return`); files at Go 1.22 or later (a file with no
; go.mod above it too: the go command builds it at the toolchain's own version); `range` over an
; integer (`range n`, `range len(xs)`, a local `int`) or a function (`range slices.Chunk(xs, n)`,
; `maps.Keys(m)`, an `iter.Seq`), which exist only from Go 1.22 and always have per-iteration
; variables (this also holds for GXL102–GXL105 when `--go-version 1.21` is forced on newer code).
;
; ## Known limitations
; No type information: `go v.Method()` with a pointer receiver (an implicit `&v`) is not seen, and
; only `golang.org/x/sync/errgroup` groups are recognised as launchers.

; a go statement; the refine step finds the func literals it runs later
(go_statement) @launch

; X.Go(func() error {…}) where X is an errgroup (checked in Python through the import table)
(call_expression
  function: (selector_expression field: (field_identifier) @_method)
  arguments: (argument_list (func_literal))
  (#eq? @_method "Go")) @launch
