package p

type G[T any] struct{ v T }

func (g *G[T]) Set(v T) { g.v = v }

func Change[Main any](m Main) Main { return m }

type Main struct{ ready bool }

type (
	Handle uintptr
	Alias  = Main
)

const limit = 3
