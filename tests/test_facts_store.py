"""The per-file facts store (core.cache.FactsStore): linting a file of a package whose siblings' facts come
from the store gives exactly the findings of a run without any cache -- over random edit sequences of a
multi-file package -- and the store survives corrupt entries, is keyed by the tool's fingerprint and the
package's declarations, and is not written with --no-cache."""

import os
import pickle
import random
import shutil
import zlib
from pathlib import Path

import pytest

from conftest import run_cli
from goexplint.analysis import fields
from goexplint.analysis.package import file_part, model
from goexplint.core import cache as cache_mod
from goexplint.core import engine
from goexplint.core.cache import FactsStore
from goexplint.core.engine import Options, lint_files
from goexplint.core.package import load_directory
from goexplint.core.registry import select_rules

PKG = Path(__file__).resolve().parent / "packages" / "shop"
LINES = (b"\t// a comment line", b"\tgo s.Inc()", b"\ts.count = 3", b"\t_ = atomic.LoadInt64(&s.hits)",
         b"\tctx := context.Background()\n\t_ = ctx", b"}", b"{", b"\tx := total\n\t_ = x", b"")
DECLS = (b"\nfunc (s *Store) Reset() { s.count = 0 }\n", b"\nvar spare int\n",
         b"\ntype Extra struct{ mu sync.Mutex; n int }\n", b"\nfunc helper() *MyErr { return nil }\n",
         b"\nfunc (s *Store) Total() int { return s.count + total }\n")


def options():
    return Options(rule_ids=tuple(r.id for r in select_rules(None, None)), report_unused=True)


def package_copy(tmp_path):
    d = tmp_path / "shop"
    shutil.copytree(PKG, d)
    return d


def run(d, names, cache_dir):
    # as separate runs: the per-process index memo would let one run reuse the other's index, and the
    # result cache's digests of a directory's files are worked out once per process
    fields._INDEXES.clear()
    engine._CACHES.clear()
    files = [(str(d / n), str(d / n)) for n in names]
    return lint_files(files, options(), jobs=1, cache_dir=cache_dir)


def findings(d, names, cache_dir):
    return list(run(d, names, cache_dir).findings)  # whole findings: spans, messages, related, evidence, fixes


def edit(rng, source):
    """A random edit: a line added, changed or removed inside the file, a declaration added, a field
    added to Store, or a name changed (which changes the package's declarations: the summaries of
    files that did not change, but use the struct declared in types.go, change with them)."""
    lines = source.split(b"\n")
    kind = rng.random()
    row = rng.randrange(len(lines))
    if kind < 0.35:
        lines.insert(row, rng.choice(LINES))
    elif kind < 0.5:
        lines[row] = lines[row] + b" // edited"
    elif kind < 0.6 and len(lines) > 3:
        del lines[row]
    elif kind < 0.75:
        return source + rng.choice(DECLS)
    elif kind < 0.85 and b"hits  int64" in source:
        return source.replace(b"hits  int64", b"hits  int64\n\textra int", 1)
    else:
        old, new = rng.choice(((b"count", b"tally"), (b"tally", b"count"), (b"Hits", b"Reads"),
                               (b"Reads", b"Hits"), (b"find(", b"lookupErr("),
                               # in types.go: a field renamed in its declaration only
                               (b"hits  int64", b"hots  int64"), (b"hots  int64", b"hits  int64"),
                               (b"count int", b"tally int"), (b"tally int", b"count int")))
        return source.replace(old, new)
    return b"\n".join(lines)


@pytest.mark.parametrize("seed", [24, 2024])
def test_cached_facts_give_the_findings_of_an_uncached_run_over_random_edits(tmp_path, capsys, seed):
    d = package_copy(tmp_path)
    cache_dir = str(tmp_path / "cache")
    names = sorted(p.name for p in d.glob("*.go"))
    rng = random.Random(seed)
    compared = with_findings = from_store = n_findings = 0
    hits_before = 0
    assert findings(d, [names[0]], cache_dir) == findings(d, [names[0]], None)  # fills the store
    for step in range(40):
        target = rng.choice(names)
        path = d / target
        path.write_bytes(edit(rng, path.read_bytes()))
        if rng.random() < 0.1:  # a file added to the package or taken away again
            extra = d / "zz_extra.go"
            if extra.exists():
                extra.unlink()
            else:
                extra.write_bytes(b"package shop\n\nfunc (s *Store) extra() { go func() { s.count++ }() }\n")
        others = [n for n in names if n != target]
        lint = [target, rng.choice(others)]
        store = engine._STORES.get(cache_dir)
        hits_before = store.hits if store is not None else 0
        result = run(d, lint, cache_dir)
        cached = list(result.findings)
        if result.cached < len(lint):  # something was linted: its siblings' facts came from the store
            assert engine._STORES[cache_dir].hits > hits_before, "step %d" % step
            from_store += 1
        uncached = findings(d, lint, None)
        assert cached == uncached, "step %d: %s" % (step, target)
        compared += 1
        with_findings += bool(cached)
        n_findings += len(cached)
    with capsys.disabled():
        print("\n[facts store, seed %d] %d edits, %d cached/uncached lints compared (%d read siblings' facts from the "
              "store), %d with findings, %d findings compared; store: %d hits, %d misses, %d writes"
              % (seed, 40, compared, from_store, with_findings, n_findings, engine._STORES[cache_dir].hits,
                 engine._STORES[cache_dir].misses, engine._STORES[cache_dir].writes))
    assert with_findings >= compared // 2  # the package keeps findings through the edits
    assert from_store >= compared // 2


def entries(root):
    return sorted(Path(root).rglob("*.pkl"))


def contexts(d, store):
    """The package of ``d`` loaded as the engine loads it (every file a sibling, none linted)."""
    first = sorted(d.glob("*.go"))[0]
    got = load_directory(str(d), {str(first): (str(first), first.read_bytes())}, store=store)
    return got[str(first)]


def test_a_sibling_whose_facts_come_from_the_store_is_not_parsed(tmp_path):
    d = package_copy(tmp_path)
    store = FactsStore(str(tmp_path / "cache"))
    ctx = contexts(d, store)
    fields.index(ctx).keys()  # (every key: summarises every file) computes and stores every file's part and summary
    assert store.writes and not store.hits
    fields._INDEXES.clear()
    again = FactsStore(str(tmp_path / "cache"))
    ctx2 = contexts(d, again)
    ix = fields.index(ctx2)
    ix.keys()
    assert again.hits >= 2 * (len(ctx2.package.files) - 1) and not again.writes
    assert [f.parsed for f in ctx2.package.files if f is not ctx2] == [False] * (len(ctx2.package.files) - 1)
    assert ix.of(("Store", "count"))  # the merged summaries say what the walk says
    # a node asked for is found in the sibling, which is parsed then
    decl = model(ctx2).methods[("Store", "Hits")]
    assert decl.node.type == "method_declaration" and decl.file.parsed
    assert decl.node.child_by_field_name("name").text == b"Hits"


def _framed(data: bytes) -> bytes:
    """An entry as the store writes it: the CRC-32 of the pickle, then the pickle."""
    return zlib.crc32(data).to_bytes(4, "little") + data


def _all_accesses(ix):
    return {k: [(a.file, a.start, a.kind) for a in ix.of(k)] for k in ix.keys()}


def test_a_corrupt_or_foreign_entry_is_a_miss_and_is_rewritten(tmp_path):
    d = package_copy(tmp_path)
    root = tmp_path / "cache"
    ctx = contexts(d, FactsStore(str(root)))
    expected = _all_accesses(fields.index(ctx))
    stored = entries(root)
    assert len(stored) >= 5
    for i, p in enumerate(stored):
        # truncated, garbage, another key's entry, an unpicklable object, one byte changed in a whole entry
        if i % 5 == 0:
            p.write_bytes(p.read_bytes()[:10])
        elif i % 5 == 1:
            p.write_bytes(b"not a pickle")
        elif i % 5 == 2:
            p.write_bytes(_framed(pickle.dumps(("another key", {"x": 1}))))
        elif i % 5 == 3:
            p.write_bytes(_framed(pickle.dumps(("k", None))[:-1] + b"\x00"))
        else:
            data = bytearray(p.read_bytes())
            data[len(data) // 2] ^= 0x40
            p.write_bytes(bytes(data))
    fields._INDEXES.clear()
    store = FactsStore(str(root))
    ctx2 = contexts(d, store)
    assert _all_accesses(fields.index(ctx2)) == expected
    assert store.hits == 0 and store.misses >= len(stored) and store.writes >= len(stored)


def test_keys_follow_the_code_fingerprint_and_the_package_declarations(tmp_path, monkeypatch):
    d = package_copy(tmp_path)
    store = FactsStore(str(tmp_path / "cache"))
    ctx = contexts(d, store)
    sib = ctx.package.files[1]
    token = model(ctx).fingerprint
    part_key, summary_key = store.key(file_part.name, sib), store.key(fields.file_summary.name, sib, token)
    assert part_key != summary_key
    # the summary depends on the package's declarations, not on where they are
    b = d / "b.go"
    b.write_bytes(b"// moved down\n\n" + b.read_bytes())
    moved = contexts(d, None)
    assert model(moved).fingerprint == token
    b.write_bytes(b.read_bytes() + b"\nfunc (s *Store) Reset() { s.count = 0 }\n")
    changed = contexts(d, None)
    assert model(changed).fingerprint != token
    # another tool version (or any edit of goexplint's code) means other keys
    monkeypatch.setattr(cache_mod, "code_fingerprint", lambda: "another goexplint")
    sib.__dict__.pop("_facts_key", None)
    assert store.key(file_part.name, sib) != part_key
    # and an entry stored under one key is not read under another
    store.put(part_key, "value")
    assert store.get(part_key) == "value" and store.get(summary_key, "missing") == "missing"


def test_a_package_dependent_fact_is_recomputed_when_the_declarations_change(tmp_path):
    d = package_copy(tmp_path)
    cache_dir = str(tmp_path / "cache")
    a = d / "a.go"
    before = findings(d, ["b.go"], cache_dir)
    assert any(f.rule_id == "GXL204" for f in before)  # s.hits: atomic in a.go, plain in b.go
    a.write_bytes(a.read_bytes().replace(b"atomic.AddInt64(&s.hits, 1)", b"s.mu.Lock(); s.hits++; s.mu.Unlock()"))
    after = findings(d, ["b.go"], cache_dir)
    assert after == findings(d, ["b.go"], None)
    assert not any(f.rule_id == "GXL204" for f in after)


def test_an_unchanged_files_summary_follows_the_declarations_of_its_siblings(tmp_path):
    """b.go reads ``s.hits`` and a.go updates it atomically; the field is declared in types.go.  Renaming
    the field there changes what a.go's and b.go's summaries hold, though neither file changed."""
    d = package_copy(tmp_path)
    root = str(tmp_path / "cache")
    ctx = contexts(d, FactsStore(root))
    fields.index(ctx).keys()  # fills the store (every key: every summary)
    keys = lambda s: sorted({a.key for a in s.accesses})  # noqa: E731
    b = next(f for f in ctx.package.files if f.path.endswith("b.go"))
    assert ("Store", "hits") in keys(fields.file_summary(b))
    t = d / "types.go"
    t.write_bytes(t.read_bytes().replace(b"hits  int64", b"hots  int64"))
    fields._INDEXES.clear()
    store = FactsStore(root)
    ctx2 = contexts(d, store)
    for name in ("a.go", "b.go"):
        f = next(f for f in ctx2.package.files if f.path.endswith(name))
        fresh = fields.summarise(f, model(ctx2), fields.package_names(ctx2))
        assert keys(fields.file_summary(f)) == keys(fresh), name
        assert ("Store", "hits") not in keys(fresh)
    assert findings(d, ["b.go"], root) == findings(d, ["b.go"], None)


def test_no_cache_writes_nothing(tmp_path):
    d = package_copy(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ, XDG_CACHE_HOME=str(home))
    r = run_cli("--no-cache", "-j1", str(d), env=env)
    assert r.returncode in (0, 1)
    assert not any(home.rglob("*")), "--no-cache wrote %s" % list(home.rglob("*"))
    cached = tmp_path / "c"
    run_cli("--cache-dir", str(cached), "-j1", str(d / "a.go"), env=env)
    assert entries(cached / cache_mod.FACTS_LAYOUT)  # the same lint with a cache does fill the store


def test_prune_removes_the_least_recently_used_entries(tmp_path):
    store = FactsStore(str(tmp_path / "cache"), limit=4000)
    keys = ["%064x" % i for i in range(10)]
    for i, k in enumerate(keys):
        store.put(k, b"x" * 1000)
        os.utime(store._path(k), (1000 + i, 1000 + i))
    assert store.prune() > 0
    left = [k for k in keys if os.path.exists(store._path(k))]
    assert left == keys[len(keys) - len(left):]  # the newest stay
    assert sum(os.path.getsize(store._path(k)) for k in left) <= 3000


@pytest.mark.parametrize("scope", ["file", "package"])
def test_only_kept_providers_persist(scope):
    from goexplint.core.providers import Provider, ProviderError
    with pytest.raises(ProviderError):
        Provider(lambda ctx: None, "t.persist_" + scope, scope, (), "", persistent=True)


def test_a_summary_read_back_rebuilds_only_the_keys_asked(tmp_path):
    """A field summary from the store (or a worker) keeps each key's accesses packed until asked; what is
    rebuilt is what was walked (same accesses, walk order, calls), and one access is one object however
    it is reached."""
    d = package_copy(tmp_path)
    ctx = contexts(d, None)
    for f in ctx.package.files:
        fresh = fields.file_summary(f)
        if len(list(fresh.keys())) < 2:
            continue
        back = pickle.loads(pickle.dumps(fresh))
        first = next(iter(fresh.keys()))
        assert all(type(v) is bytes for v in back._by_key.values())
        assert back.of_key(first) == fresh.of_key(first)
        assert sum(type(v) is bytes for v in back._by_key.values()) == len(back._by_key) - 1  # the rest: packed
        assert back.accesses == fresh.accesses  # walk order, every field
        assert back.accesses[[a.key for a in back.accesses].index(first)] is back.of_key(first)[0]
        assert back.at(back.of_key(first)[0].start) is back.of_key(first)[0]
        for method in fresh.methods():
            assert back.calls_of(method) == fresh.calls_of(method)
        assert (back.call_counts, back.atomic_keys, back.go_launched, back.method_refs, back.signatures) == \
            (fresh.call_counts, fresh.atomic_keys, fresh.go_launched, fresh.method_refs, fresh.signatures)
        break
    else:
        pytest.fail("no file of the fixture package accesses two keys")
