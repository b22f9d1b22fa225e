; id         = "GXL106"
; name       = "outer-loopvar-capture"
; severity   = "warning"
; confidence = "high"
; since      = "0.1.0"
; tags       = ["concurrency", "correctness"]
; reports-at = "each reference to the loop variable inside the goroutine or deferred literal, or the &v expression"
; message    = "{what} loop variable {var}, which the loop at line {loop_line} assigns with '=' and so is shared by every iteration in every Go version (Go 1.22 changed only ':=' loops): pass it as an argument, copy it first ({var} := {var}), or declare it in the loop with ':='"
; ---
; ## What it does
; Applies the goroutine, defer and address-escape checks of GXL101, GXL102 and GXL105 to loops
; whose iteration variables are declared outside the loop: `for k, v = range m`,
; `for i = 0; i < n; i++`, `for p = head; p != nil; p = p.next`. Runs in every Go version.
;
; ## Why is this bad?
; Go 1.22 gives each iteration a fresh copy only of variables the loop declares with `:=`. A
; variable declared before the loop is one variable, whatever the go.mod says; every goroutine,
; deferred closure or stored pointer shares it.
;
; ## Example
; ```go
; var cur *Node
; for cur = head; cur != nil; cur = cur.next {
; 	go func() { visit(cur) }()
; }
; ```
;
; ## Use instead
; ```go
; for cur := head; cur != nil; cur = cur.next {
; 	go func(n *Node) { visit(n) }(cur)
; }
; ```
;
; Pointers are followed as GXL105 follows them (conversions, loop-local holders, same-package calls by
; their summaries, storing-named methods of other packages at medium confidence), and `v.M()` with a
; pointer-receiver `M` whose summary lets the receiver escape is an implicit `&v`.
;
; ## Not reported
; The same traps as GXL101, GXL102 and GXL105: copies before the launch, values passed as
; arguments, shadowing locals, iteration-local sync (also through a same-package callee that signals
; the channel, after the reads) or loop exit after the launch, `return &v`, non-retaining calls.
;
; ## Known limitations
; The variable is taken to be an iteration variable when the range clause or the update clause
; assigns it; other assignments in the body are not tracked.

; goroutines, deferred calls and errgroup launches
(go_statement) @launch
(defer_statement) @launch
(call_expression
  function: (selector_expression field: (field_identifier) @_method)
  arguments: (argument_list (func_literal))
  (#eq? @_method "Go")) @launch

; &x or &x.f
(unary_expression operator: "&"
  operand: [(identifier) (selector_expression operand: (identifier))]) @amp

; v.M() on an outer range value: refine checks for an escaping pointer-receiver method (implicit &v)
(call_expression
  function: (selector_expression operand: (identifier) field: (field_identifier))) @method_call
