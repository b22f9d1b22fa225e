package shop

// Hits reads the counter.
func (s *Store) Hits() int64 { return s.hits }

// Run starts workers.
func (s *Store) Run() {
	for i := 0; i < 3; i++ {
		go func() {
			s.count++
			s.items["k"] = i
		}()
	}
}

var total int

// Spawn adds in goroutines.
func Spawn(xs []int) {
	for _, x := range xs {
		x := x
		go func() { total += x }()
	}
}
