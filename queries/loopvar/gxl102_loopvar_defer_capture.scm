; id         = "GXL102"
; name       = "loopvar-defer-capture"
; severity   = "warning"
; confidence = "high"
; go         = "<1.22"
; since      = "0.1.0"
; tags       = ["correctness"]
; fix        = "safe"
; reports-at = "each reference to the loop variable inside the deferred func literal"
; message    = "deferred closure captures loop variable {var} (loop at line {loop_line}); before Go 1.22 every deferred call sees its final value: pass {var} as an argument (defer func({var} T){{…}}({var})) or copy it first"
; ---
; ## What it does
; Flags `defer func(){ … v … }()` placed directly in a loop body (of the same function) whose `:=`
; iteration variable the deferred literal references, in files with pre-Go-1.22 loop semantics.
;
; ## Why is this bad?
; Deferred calls run when the function returns, after the loop has finished. Before Go 1.22 all
; iterations share one variable, so every deferred call sees the last value: the classic bug is
; closing the last file N times and leaking the others.
;
; ## Example
; ```go
; for _, f := range files {
; 	defer func() { f.Close() }()
; }
; ```
;
; ## Use instead
; ```go
; for _, f := range files {
; 	defer f.Close() // the receiver is evaluated now
; }
; ```
; Or wrap the iteration in a function (`func() { defer …; use(f) }()`), or pass `f` as an argument.
;
; ## Fix safety
; `--fix` (and the editor quick fix) inserts `v := v` as the first statement of the loop body,
; giving each iteration its own variable, which is what the deferred call relied on. Offered only when the
; body starts on its own line, and, for a three-clause loop (`for i := 0; i < n; i++`), only when the
; body never assigns, increments or takes the address of the variable (the loop's own condition and
; post statement would no longer see those writes). A range loop re-assigns its variables every
; iteration, so the copy cannot change how it iterates.
;
; ## Not reported
; A `defer` inside a func literal invoked in the iteration (it runs at the end of that call);
; `defer f.Close()` and `defer use(v)` (arguments are evaluated at the defer); shadow copies;
; a `return`/`break` right after the defer in the same iteration; Go 1.22+ files.
;
; ## Known limitations
; A method value with a pointer receiver on a value loop variable is not seen without types.

; a defer statement; refine keeps those whose func literals reference loop variables
(defer_statement) @launch
