package fields

import "sync"

func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

func (s *Store) resetLocked() {
	s.count = 0
	s.state = map[string]int{}
}

func (s *Store) Hits() int64 { return s.hits }

func register(name string, s *Store) {
	regMu.Lock()
	registry[name] = s
	regMu.Unlock()
	total++
}

func (s *Store) Watch(wg *sync.WaitGroup) {
	s.opts.OnEvent = func() { s.count++ }
	go s.loop()
	wg.Wait()
	_ = s.count
}

func (s *Store) loop() { s.state["x"] = 1 }
