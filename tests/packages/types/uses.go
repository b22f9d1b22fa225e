package types

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func use(...any) {}

func locals(ctx context.Context, p *Store, v Store, opts ...*Item) {
	a := new(Store)
	b := &Store{}
	c := Store{}
	var d Store
	var e *Store
	f := NewStore("f")
	g, err := Open()
	h := p.next
	i := a.Item(0)
	j := *p
	k := &v
	l := Alias{}
	var m sync.WaitGroup
	n := &sync.Mutex{}
	var o strings.Builder
	use(a, b, c, d, e, f, g, err, h, i, j, k, l, m, n, o, opts, ctx)
}

func fields(s *Store) {
	a := s.Inner
	b := s.count
	c := s.name
	d := s.byKey
	e := s.next.next
	f := s.Count()
	it, ok := s.Lookup("k")
	use(a, b, c, d, e, f, it, ok)
}

func containers(s *Store, items Items, opts ...*Item) {
	for i, it := range s.items {
		use(i, it)
	}
	for k, v := range s.byKey {
		use(k, v)
	}
	for _, it := range items {
		use(it)
	}
	for _, o := range opts {
		use(o)
	}
	x := <-s.ch
	y, ok := <-s.ch
	z := s.items[0]
	w := s.items[1:]
	var any1 interface{} = s
	t, ok2 := any1.(*Store)
	use(x, y, ok, z, w, t, ok2)
}

func unknowns(r *strings.Reader, g Getter, f func() *Store) {
	a := r.Len()
	b := strings.NewReader("x")
	c := f()
	d := Map(map[string]int{})
	e, err := g.Get(context.Background(), "k")
	n := 1
	s := "s"
	use(a, b, c, d, e, err, n, s)
}

func shadowed() {
	type Store struct{ local bool }
	a := Store{}
	use(a)
}

func generic[T any](x T, s []T) {
	a := x
	b := s[0]
	use(a, b)
}

func packageVars() {
	a := shared
	b := declared
	use(a, b)
}

func stdlib(ctx context.Context, c *http.Client) error {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://x", nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	a := req.URL
	b := time.Now()
	f, _ := os.Open("x")
	r := bufio.NewReader(f)
	h := resp.Header
	for k, vs := range h {
		use(k, vs)
	}
	d := time.Duration(3)
	e := http.DefaultClient
	g := ctx.Done()
	for range g {
	}
	i := b.Sub(b)
	j := strings.Split("a", ",")
	l := slices.Clone(j) // a type parameter's instance: not in the data
	var m sync.Mutex
	n := strings.NewReader("x").Len()
	use(req, resp, a, b, f, r, h, d, e, g, i, j, j[0], l, &m, n, resp.Body, req.URL.Query(), os.Stdout, resp.Request.Context())
	return nil
}
