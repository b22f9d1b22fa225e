; id         = "GXL103"
; name       = "loopvar-parallel-subtest"
; severity   = "error"
; confidence = "high"
; go         = "<1.22"
; since      = "0.1.0"
; tags       = ["concurrency", "correctness", "testing"]
; reports-at = "each reference to the loop variable after t.Parallel() in the subtest's func literal"
; message    = "parallel subtest uses loop variable {var} (loop at line {loop_line}) after t.Parallel(); the subtest resumes after the loop has moved on, so before Go 1.22 it sees a later value: copy it before t.Run ({var} := {var})"
; ---
; ## What it does
; Flags `t.Run(name, func(t *testing.T) { t.Parallel(); … v … })` inside a loop, when the loop's `:=`
; variable is referenced after the `t.Parallel()` call of the literal's own `t`, in files with
; pre-Go-1.22 loop semantics.
;
; ## Why is this bad?
; `t.Parallel()` pauses the subtest until the parent test function returns, i.e. after the loop has
; finished. Before Go 1.22 every subtest then sees the last table entry, so most cases are never
; tested and the test still passes.
;
; ## Example
; ```go
; for _, tc := range cases {
; 	t.Run(tc.name, func(t *testing.T) {
; 		t.Parallel()
; 		check(t, tc)
; 	})
; }
; ```
;
; ## Use instead
; ```go
; for _, tc := range cases {
; 	tc := tc
; 	t.Run(tc.name, func(t *testing.T) {
; 		t.Parallel()
; 		check(t, tc)
; 	})
; }
; ```
;
; ## Not reported
; References before `t.Parallel()`; a copy before `t.Run`; `Parallel` called on another `T`;
; subtests that never call `t.Parallel()`; Go 1.22+ files.
;
; ## Known limitations
; Only a `t.Parallel()` that is a direct statement of the literal's body is recognised.

; X.Run(name, func(t *testing.T) {…}); refine checks the parameter type and the Parallel call
(call_expression
  function: (selector_expression field: (field_identifier) @_run)
  arguments: (argument_list (_) (func_literal) @closure .)
  (#eq? @_run "Run")) @launch
