package shop

// MyErr is an error.
type MyErr struct{ msg string }

func (e *MyErr) Error() string { return e.msg }

func find(ok bool) *MyErr {
	if ok {
		return nil
	}
	return &MyErr{"x"}
}

// Check may return a typed nil.
func Check(ok bool) error { return find(ok) }

func copyStore(s Store) int { return s.count }

// Snapshot copies the store.
func (s *Store) Snapshot() Store { return *s }

func use() int { return copyStore(*NewStore()) }
