//go:build linux

package facts

var hits int // a build-tag variant of x.go's hits

func Use[Main any](m Main) Main {
	type Counts struct{ n int }
	_ = Counts{n: 1}
	return m
}

type Box[T any] struct{ v T }

func (b *Box[Main]) Put(v Main) { b.v = v }
