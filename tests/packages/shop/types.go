package shop

import "sync"

// Store counts things.
type Store struct {
	mu    sync.Mutex
	count int
	hits  int64
	items map[string]int
}
