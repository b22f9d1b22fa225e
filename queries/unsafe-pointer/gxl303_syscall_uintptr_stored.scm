; id         = "GXL303"
; name       = "syscall-uintptr-stored"
; severity   = "error"
; confidence = "high"
; since      = "0.2.0"
; tags       = ["correctness", "security"]
; reports-at = "the argument of the system call"
; message    = "{arg} is uintptr(unsafe.Pointer(...)) computed before the {call} call, which breaks unsafe.Pointer pattern (4): only a conversion written inside the call's argument list keeps the object alive and in place until the call returns; pass {conv} directly as the argument"
; ---
; ## What it does
; Flags a variable initialised with `uintptr(unsafe.Pointer(p))` (possibly plus an offset) that is
; later passed as an argument of `syscall.Syscall`, `Syscall6`, `SyscallN`, `RawSyscall`, ... (also
; `golang.org/x/sys/unix`, under any import name), or of `Call` on a `syscall.LazyProc`/`Proc`
; (`NewProc`, `FindProc`).
;
; ## Why is this bad?
; The compiler keeps the object referenced by `uintptr(unsafe.Pointer(p))` alive and unmoved until
; a system call returns only when that conversion appears in the call's own argument list. Once the
; integer is stored in a variable first, the object may be collected or moved before or during the
; call, and the kernel reads or writes freed memory.
;
; ## Example
; ```go
; a := uintptr(unsafe.Pointer(&st))
; syscall.Syscall(sysStat, a, 0, 0)
; ```
;
; ## Use instead
; ```go
; syscall.Syscall(sysStat, uintptr(unsafe.Pointer(&st)), 0, 0)
; ```
;
; ## Not reported
; `uintptr(unsafe.Pointer(p))` written inside the argument list; `p := unsafe.Pointer(&b[0])`
; stored as an `unsafe.Pointer` and converted in the argument list (`uintptr(p)`); stored
; uintptrs that do not come from a pointer (file descriptors, lengths, flags).
;
; ## Known limitations
; Only locals initialised in the same function are followed; a uintptr passed in from a caller or
; kept in a field is not.

; X.F(...) where F looks like a system call; refine checks X is syscall / x/sys/unix (or a LazyProc for Call)
(call_expression
  function: (selector_expression operand: (_) @recv field: (field_identifier) @fn)
  arguments: (argument_list)
  (#match? @fn "^((Raw)?Syscall([0-9]+|N)?(NoError)?|Call)$")) @call
