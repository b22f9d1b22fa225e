package facts

import "sync"

type (
	Counts map[string]int
	Store  interface{ Get() int }
)

type E struct{ msg string }

func (e *E) Error() string { return e.msg }

type NotErr struct{}

func (NotErr) Error(code int) string { return "" }

var (
	hits  int
	table = Counts{}
)

const max = 3

type Main struct{ mu sync.Mutex }

func find() *E {
	if hits > max {
		return &E{}
	}
	return nil
}
