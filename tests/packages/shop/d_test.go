package shop

import "testing"

func TestStore(t *testing.T) {
	s := NewStore()
	go s.Inc()
	s.count = 2
	_ = s.Hits()
}
