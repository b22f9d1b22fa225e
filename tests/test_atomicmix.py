"""Atomic and plain access sites of the same path (goexplint.analysis.atomicmix) on a small package."""

from goexplint.analysis.atomicmix import PathKey, atomic_sites, atomic_update_of, plain_access_sites
from test_package_model import ctx_of

METER = b"""package p

import "sync/atomic"

type Meter struct {
    hits  uint64
    loads uint64
}

func (m *Meter) Hit()          { atomic.AddUint64(&m.hits, 1) }
func (m *Meter) Hits() uint64  { return m.hits }
func (m *Meter) Reset()        { m.hits = 0 }
func (m *Meter) Bump()         { m.hits++ }
func (m *Meter) Peek() uint64  { return atomic.LoadUint64(&m.loads) }
func (m *Meter) Loads() uint64 { return m.loads }
func (m *Meter) Ptr() *uint64  { return &m.hits }
"""


def _ctx(tmp_path, source=METER, name="a.go"):
    path = tmp_path / name
    path.write_bytes(source)
    return ctx_of(path)


def test_atomic_sites_with_their_path_keys(tmp_path):
    ctx = _ctx(tmp_path)
    assert [(s.key, s.where, s.load, ctx.text(s.target)) for s in atomic_sites(ctx)] == [
        (PathKey("field", "Meter", "hits"), "line 10", False, "m.hits"),
        (PathKey("field", "Meter", "loads"), "line 14", True, "m.loads"),
    ]


def test_plain_access_sites_of_atomic_paths(tmp_path):
    ctx = _ctx(tmp_path)
    got = [(ctx.text(p.node), p.node.start_point[0] + 1, p.kind, p.site.where,
            ctx.text(p.func.child_by_field_name("name"))) for p in plain_access_sites(ctx, ctx.root)]
    # the atomic calls' own &m.hits / &m.loads are not plain; &m.hits handed out (Ptr) is no access
    assert got == [
        ("m.hits", 11, "read", "line 10", "Hits"),
        ("m.hits", 12, "written", "line 10", "Reset"),
        ("m.hits", 13, "incremented", "line 10", "Bump"),
        ("m.loads", 15, "read", "line 14", "Loads"),
    ]


def test_where_a_path_is_updated_atomically(tmp_path):
    ctx = _ctx(tmp_path)
    assert atomic_update_of(ctx, PathKey("field", "Meter", "hits")) == "a.go:10"
    assert atomic_update_of(ctx, PathKey("field", "Meter", "loads")) is None  # loaded only
