package p

import "sync"

type A struct {
	mu   sync.Mutex
	n, m int
	*B
}

func (a *A) Inc() { a.mu.Lock(); a.n++; a.mu.Unlock() }
