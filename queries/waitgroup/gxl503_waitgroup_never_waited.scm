; id                = "GXL503"
; name              = "waitgroup-never-waited"
; severity          = "warning"
; confidence        = "medium"
; since             = "0.2.0"
; tags              = ["concurrency", "correctness"]
; reports-at        = "the first Add call"
; message           = "{wg} counts goroutines ({wg}.Add here, {wg}.Done in the goroutine at line {done_line}) but nothing calls {wg}.Wait(), so {func} returns without waiting and their work may be cut short when the program exits: call {wg}.Wait() before returning (or drop the WaitGroup if the goroutines are meant to outlive the call)"
; ---
; ## What it does
; Flags a WaitGroup declared in a function (`var wg sync.WaitGroup`, `wg := &sync.WaitGroup{}`) that
; gets `Add` calls and is `Done`'d by goroutines, when the function never calls `Wait` and the
; WaitGroup does not escape (not returned, stored, passed as `&wg` or captured by a closure that
; could wait later).
;
; ## Why is this bad?
; A WaitGroup that nobody waits on synchronises nothing. It usually means a forgotten `wg.Wait()`:
; the function returns while its workers are still running, and a `main` that returns kills them
; mid-work.
;
; ## Example
; ```go
; var wg sync.WaitGroup
; for _, j := range jobs {
; 	wg.Add(1)
; 	go func() {
; 		defer wg.Done()
; 		do(j)
; 	}()
; }
; return nil
; ```
;
; ## Use instead
; ```go
; var wg sync.WaitGroup
; for _, j := range jobs {
; 	wg.Add(1)
; 	go func() {
; 		defer wg.Done()
; 		do(j)
; 	}()
; }
; wg.Wait()
; return nil
; ```
;
; ## Not reported
; A `Wait` anywhere in the function, including in a goroutine or a deferred closure; WaitGroups that
; escape (returned, assigned to a field or variable, `&wg` passed to a call, `wg` passed by pointer);
; parameters and fields (someone else may wait). A `Done` counts only inside a goroutine the function
; starts (`go func(){…}()`, a literal given to `X.Go(…)`); callbacks that their caller runs and waits for
; (`b.RunParallel(func(pb *testing.PB){…})`, `t.Run`) are not goroutines nobody waits for.

; functions (literals are examined as part of the declaration that contains them, so refine skips them;
; the pattern is GXL203's and GXL502's, so the combined query runs it once)
[(function_declaration) (method_declaration) (func_literal)] @func
