package summ

import (
	"context"
	"log"
	"os"
)

var global []*T

type T struct {
	n     int
	next  *T
	hooks []func()
	byKey map[string]*T
}

type W struct{ p *T }

func keepGlobal(t *T)               { global = append(global, t) }
func keepField(dst *T, src *T)      { dst.next = src }
func keepMap(m map[string]*T, t *T) { m["x"] = t }
func reads(t *T) int                { return t.n }
func wraps(t *T) W                  { return W{p: t} }
func returnsAddr(t T) *T            { return &t }
func sends(ch chan *T, t *T)        { ch <- t }
func goes(t *T)                     { go reads(t) }
func captureGo(t *T)                { go func() { _ = t.n }() }
func captureDefer(t *T)             { defer func() { _ = t.n }() }
func localOnly(t *T) int            { u := t; return u.n }
func localStruct(t *T) int          { var w W; w.p = t; return w.p.n }
func variadic(ts ...*T)             { global = append(global, ts...) }

func callsCancel(cancel context.CancelFunc) { cancel() }
func runsAsync(f func())                    { go f() }
func runsInClosure(f func())                { go func() { f() }() }
func runsNow(f func())                      { f() }
func handsOn(f func())                      { go runsNow(f) }

func dies()       { log.Fatal("x") }
func exits(c int) { os.Exit(c) }
func spins() {
	for {
	}
}
func mayReturn(c bool) {
	if c {
		return
	}
	panic("x")
}

func detached() error { return context.Background().Err() }
func todo() error     { return context.TODO().Err() }
func takesCtx(ctx context.Context) error {
	return ctx.Err()
}
