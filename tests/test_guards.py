"""Guarded-by inference (goexplint.analysis.guards) on a small package."""

from goexplint.analysis.fields import index
from goexplint.analysis.guards import counts_for_guard, inferred_guard, package_takes_locks
from test_package_model import ctx_of

STATS = b"""package p

import "sync"

type Stats struct {
    mu    sync.Mutex
    count int
    seen  int
}

func NewStats() *Stats { s := &Stats{}; s.count = 1; return s }

func (s *Stats) Inc()     { s.mu.Lock(); s.count++; s.mu.Unlock() }
func (s *Stats) Reset()   { s.mu.Lock(); s.count = 0; s.seen = 0; s.mu.Unlock() }
func (s *Stats) Get() int { s.mu.Lock(); defer s.mu.Unlock(); return s.count }
func (s *Stats) IncRacy() { s.count++ }
func (s *Stats) Saw()     { s.seen++ }
"""


def _ctx(tmp_path, source, name="a.go"):
    path = tmp_path / name
    path.write_bytes(source)
    return ctx_of(path)


def test_guard_is_the_lock_held_at_most_accesses_with_its_evidence(tmp_path):
    ctx = _ctx(tmp_path, STATS)
    g = inferred_guard(ctx, ("Stats", "count"))
    assert g is not None and g.key == ("Stats", "count") and g.lock == ("Stats", "mu")
    assert g.funcs == ["Inc", "Reset", "Get"]
    assert [a.kind for a in g.sites] == ["rmw", "write", "read"]
    # the constructor's write (through a fresh local) does not count; IncRacy's unguarded write does
    assert g.counted == 4
    assert inferred_guard(ctx, ("Stats", "count")) is g  # a package fact: computed once


def test_no_guard_below_the_thresholds(tmp_path):
    ctx = _ctx(tmp_path, STATS)
    assert inferred_guard(ctx, ("Stats", "seen")) is None  # one guarded access in one function
    assert inferred_guard(ctx, ("Stats", "nosuch")) is None


def test_accesses_that_count(tmp_path):
    ctx = _ctx(tmp_path, STATS)
    by_func = {a.func: a for a in index(ctx).of(("Stats", "count"))}
    assert not counts_for_guard(by_func["NewStats"])  # a constructor building its own value
    assert counts_for_guard(by_func["IncRacy"])


def test_package_takes_locks(tmp_path):
    assert package_takes_locks(_ctx(tmp_path, STATS))
    other = tmp_path / "q"
    other.mkdir()
    assert not package_takes_locks(_ctx(other, b"package q\n\nvar n int\n\nfunc Inc() { n++ }\n"))
