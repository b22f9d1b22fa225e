package p

type B struct{ x int }

func (b B) Get() int { return b.x }

var counter int
