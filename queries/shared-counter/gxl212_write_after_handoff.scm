; id                = "GXL212"
; name              = "write-after-handoff"
; severity          = "warning"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness", "security", "external/cwe/cwe-362"]
; security-severity = "5.9"
; reports-at        = "the write after the hand-off"
; message           = "{var} is {op} after {root} was handed to another goroutine ({how}, line {line}) with no wait in between; the receiver may be using {root} right now, so this write races with it: finish the updates before handing the value off, or hand off a copy"
; ---
; ## What it does
; Flags a plain write (`++`, `op=`, `=`, append, element write) to a field or element of a pointer
; value after the same function passed that value to a `go` statement (`go worker(p)`, a `go` literal
; that captures `p`) or sent it on a channel (`ch <- p`), when no wait (`wg.Wait()`, a receive,
; `select`) separates the two.
;
; ## Why is this bad?
; Handing a pointer to another goroutine shares everything it points to. The sender's later updates
; race with whatever the receiver does with the value: a `retries++` after `queue <- req` is a data
; race as soon as the worker reads `req.retries`.
;
; ## Example
; ```go
; req := &request{}
; queue <- req
; req.retries++
; ```
;
; ## Use instead
; ```go
; req := &request{}
; req.retries++
; queue <- req
; ```
;
; ## Not reported
; Values not known to be pointers (a struct sent by value is copied); writes to the variable itself
; (`p = next`); writes after a wait, a receive or a `select`; writes in another iteration of a loop
; (only the statements after the hand-off in the same iteration count); writes under a lock, also the
; caller's (`…Locked` names, "Lock is held on entry." in the doc comment or at the top of the body).
;
; ## Known limitations
; Pointer-ness comes from the declaration only (`&T{…}`, `new(T)`, a `*T` parameter or var). Whether
; the receiver touches the written field is not checked: a receiver that only uses other fields is a
; false positive here.

; candidates: go statements and channel sends
[(go_statement) (send_statement)] @handoff
