package types

import (
	"context"
	gosync "sync"
)

type Inner struct {
	mu    *gosync.Mutex
	count int
}

func (in *Inner) Count() int { return in.count }

type Store struct {
	Inner
	name  string
	items []*Item
	byKey map[string]Item
	ch    chan *Item
	next  *Store
}

type Item struct{ ID int }

type Items []Item

type Alias = Store

type Getter interface {
	Get(ctx context.Context, key string) (*Item, error)
}

type Named interface {
	Getter
	Name() string
}

// NewStore is a constructor: every return gives a new object.
func NewStore(name string) *Store {
	if name == "" {
		return nil
	}
	s := &Store{name: name}
	return s
}

// Open returns a value of the package, not a new one.
func Open() (*Store, error) { return shared, nil }

var shared = NewStore("shared")

var declared Store

func (s *Store) Item(i int) *Item { return s.items[i] }

func (s *Store) Lookup(key string) (Item, bool) {
	it, ok := s.byKey[key]
	return it, ok
}

func (s Store) Name() string { return s.name }

func (s *Store) Get(ctx context.Context, key string) (*Item, error) { return nil, ctx.Err() }

type Other struct{}

func (Other) Get(key string) string { return key }

func Map[K comparable, V any](m map[K]V) V {
	var zero V
	return zero
}
