; id         = "GXL105"
; name       = "loopvar-address-escape"
; severity   = "warning"
; confidence = "high"
; go         = "<1.22"
; since      = "0.1.0"
; tags       = ["correctness"]
; reports-at = "the &v expression"
; message    = "&{var} takes the address of loop variable {var} (loop at line {loop_line}) and it is {how}; before Go 1.22 every iteration reuses the same variable, so all stored pointers end up pointing at the last value: copy first ({var} := {var}) or take the element's address (&items[i])"
; ---
; ## What it does
; Flags `&v` of a `:=` loop variable when the pointer leaves the iteration: appended to or assigned
; into a variable declared outside the loop (also inside a composite literal), or sent on a
; channel, in files with pre-Go-1.22 loop semantics.
;
; ## Why is this bad?
; Before Go 1.22 the loop has one `v`; each iteration overwrites it. Every stored `&v` is the same
; pointer, so after the loop they all point at the final element.
;
; ## Example
; ```go
; var ptrs []*User
; for _, u := range users {
; 	ptrs = append(ptrs, &u)
; }
; ```
;
; ## Use instead
; ```go
; var ptrs []*User
; for i := range users {
; 	ptrs = append(ptrs, &users[i])
; }
; ```
;
; ## Not reported
; `return &v` and a store followed by `return` or `break` (the variable is never reassigned); `&v` passed to a call that does not keep it (`json.Unmarshal(b, &v)`,
; `fmt.Println(&v)`); pointers stored in variables declared inside the loop; `&items[i]`;
; a call whose summary returns the pointer (`return &p.f`, or a fresh `&T{}` the callee fills with it
; and returns) when the result is discarded (`_, err := v.M()`) or kept in a variable of the iteration
; that is only read there (`r, err := v.M(); use(*r.F)`);
; `&v.f` unless the loop ranges over a slice, array or map of struct values declared in the same
; function (otherwise `v` may be a pointer, and `&v.f` points into the element); Go 1.22+ files.
;
; Also reported: `&v` seen through parentheses and conversions (`(*Alias)(&v)`); a pointer first kept in a
; loop-local holder (`e.Ref = &v; index[k] = e`, `e := Entry{Ref: &v}`); `&v` passed to a same-package
; function or method whose summary stores it, sends it, hands it to a goroutine, or returns it into a
; value that is itself stored (a callee that writes it into an object it allocates, `w := &T{}; w.f = p`,
; stores it only if that object is kept, and returns it if the object is returned); `&v` passed to `go f(&v)`; `&v` passed to a method of another package
; named like a store (`Add`, `Put`, `Set`, `Store`, `Insert`, `Register`, `Push`…) on a receiver declared
; outside the loop (medium confidence); and the implicit `&v` of `v.M()` when `M` has a pointer
; receiver and its summary lets the receiver escape.
;
; ## Known limitations
; Summaries are one level deep and without types: a same-package method is found through the written
; type of its receiver variable (or when only one package type has a method of that name); a pointer
; handed on from the callee to a third function is not followed.

; &x or &x.f; refine checks x is a loop variable (a struct value for &x.f) and that the pointer escapes
(unary_expression operator: "&"
  operand: [(identifier) (selector_expression operand: (identifier))]) @amp

; v.M(): refine checks that v is a range value of a package type whose method M has a pointer receiver
(call_expression
  function: (selector_expression operand: (identifier) field: (field_identifier))) @method_call
