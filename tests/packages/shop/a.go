package shop

import (
	"context"
	"net/http"
	"sync/atomic"
)

// NewStore builds a Store.
func NewStore() *Store { return &Store{items: map[string]int{}} }

// Inc counts under the lock.
func (s *Store) Inc() {
	s.mu.Lock()
	s.count++
	s.mu.Unlock()
}

// Hit counts atomically.
func (s *Store) Hit() { atomic.AddInt64(&s.hits, 1) }

func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := context.Background()
	s.lookup(ctx, r.URL.Path)
	s.count++
}

func (s *Store) lookup(ctx context.Context, key string) int {
	_ = ctx
	return s.items[key]
}
