package fields

import (
	"sync"
	"sync/atomic"
)

type Store struct {
	mu    sync.RWMutex
	count int
	state map[string]int
	hits  int64
	opts  Options
}

type Options struct {
	OnEvent func()
}

type Embedded struct {
	sync.Mutex
	n int
}

var (
	regMu    sync.Mutex
	registry = map[string]*Store{}
	total    int
)

func NewStore() *Store {
	s := &Store{state: map[string]int{}}
	s.count = 0
	return s
}

func (s *Store) Inc() {
	s.mu.Lock()
	s.count++
	s.mu.Unlock()
}

func (s *Store) Get() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.count
}

func (s *Store) Hit() { atomic.AddInt64(&s.hits, 1) }

func (e *Embedded) Bump() {
	e.Lock()
	e.n++
	e.Unlock()
}
