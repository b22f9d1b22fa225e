package summ

import "sync"

// Map has a method named like sync.Map's.
type Map struct{ last any }

func (m *Map) Store(k, v any) { m.last = v }

func useBoth(own *Map, std *sync.Map, t *T) {
	own.Store("k", t)
	std.Store("k", t)
	keepGlobal(t)
	reads(t)
}
