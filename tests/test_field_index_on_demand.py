"""The field index summarises files on demand (``fields.FieldIndex``): a question about a name reads the
summaries of the files whose bytes hold it (``fields.file_names``).  Its answers must equal those of a
merge of every file's summary in package order (computed here, with the guard inference written out
over every access), on every package of the tests and fixtures; and a file that holds none of the names
asked about must not be summarised."""

from pathlib import Path

from goexplint.analysis import fields, guards
from goexplint.analysis.package import model
from goexplint.core.engine import Options, lint_files
from goexplint.core.registry import select_rules
from test_package_model import ctx_of

ROOT = Path(__file__).resolve().parent.parent
DIRS = sorted({p.parent for base in (ROOT / "tests" / "packages", ROOT / "fixtures") for p in base.rglob("*.go")
               if "testdata" not in p.parts})


def _packages():
    """One context per package (a directory may hold a package and its external test package)."""
    seen = set()
    for d in DIRS:
        for p in sorted(d.glob("*.go")):
            ctx = ctx_of(p)
            paths = tuple(f.path for f in ctx.package.files)
            if paths not in seen:
                seen.add(paths)
                yield ctx


def _every_summary(ctx):
    """path -> summary of every file of the package, in package order (the first context of a path)."""
    m, names = model(ctx), fields.package_names(ctx)
    out = {}
    for f in ctx.package.files:
        if f.path not in out:
            out[f.path] = fields.summarise(f, m, names)
    return out


def _guard(ctx, every, key):
    """The guard of ``key`` as the module docstring of ``analysis.guards`` defines it, over every access."""
    ix = fields.index(ctx)
    counted = [a for s in every.values() for a in s.of_key(key) if guards.counts_for_guard(a)]
    by_lock = {}
    for a in counted:
        for lk in {lk.guard for lk in guards._owned_locks(a)}:
            by_lock.setdefault(lk, []).append(a)
    entry = [a for a in counted if a.key[0] != "" and not any(True for _ in guards._owned_locks(a)) and (
        a.held_on_entry or (a.method is not None and a.root_kind == "receiver" and ix.callers_hold_lock(a.method)))]
    for lock, sites in sorted(by_lock.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        writes = [a for a in sites if a.is_write and any(lk.guard == lock and lk.mode == "W" for lk in a.locks)]
        if len(sites) < guards.MIN_GUARDED or len({a.decl_key for a in sites}) < guards.MIN_FUNCS or not writes:
            continue
        if len(sites) + (len(entry) if lock[0] != "" else 0) < guards.MIN_SHARE * len(counted):
            continue
        return lock, tuple(sites), len(counted)
    return None


def test_answers_equal_a_merge_of_every_summary():
    checked = {"packages": 0, "keys": 0, "methods": 0, "guards": 0, "atomic": 0}
    for ctx in _packages():
        every = _every_summary(ctx)
        summaries = list(every.values())
        fields._INDEXES.clear()
        ix = fields.index(ctx)
        keys = list(dict.fromkeys(k for s in summaries for k in s.keys()))
        for key in keys:
            assert ix.of(key) == [a for s in summaries for a in s.of_key(key)], key
            assert ix.of_locking(key) == [a for a in ix.of(key) if fields.takes_lock(a)], key
            got = guards.inferred_guard(ctx, key)
            assert (None if got is None else (got.lock, got.sites, got.counted)) == _guard(ctx, every, key), key
            checked["guards"] += got is not None
        assert ix.locked_keys() == {a.key for s in summaries for a in s.accesses if fields.takes_lock(a)}
        assert set(ix.keys()) == set(keys)
        atomic = [a for s in summaries if s.atomic_keys for a in s.of_keys(sorted(s.atomic_keys)) if a.atomic]
        assert ix.atomic == atomic
        fields._INDEXES.clear()
        ctx.package.cache.clear()
        for f in ctx.package.files:
            f.facts.clear()
        fresh = fields.index(ctx)
        assert fresh.atomic == atomic  # (from walks of the declarations naming sync/atomic: no file summarised)
        assert fresh.locked_keys() == {a.key for s in summaries for a in s.accesses if fields.takes_lock(a)}
        for key in keys:
            assert fresh.of_locking(key) == [a for s in summaries for a in s.of_key(key) if fields.takes_lock(a)], key
        assert not fresh._summaries  # (from walks of the declarations naming sync/atomic or taking a lock)
        ix = fresh
        checked["atomic"] += len(atomic)
        m = model(ctx)
        for method in sorted(set(m.methods) | {c for s in summaries for c in s.methods()}):
            name = method[1]
            assert ix.calls_of(method) == [c for s in summaries for c in s.calls_of(method)], method
            assert ix.launched(name) == any(name in s.go_launched for s in summaries), method
            sig = None
            for s in summaries:
                sig = s.signatures.get(method, sig)
            assert ix.signature(method) == sig, method
            non_test = [s for path, s in every.items() if not path.endswith("_test.go")]
            assert ix.calls_complete(name) == (sum(s.method_refs.get(name, 0) for s in non_test)
                                               == sum(s.call_counts.get(name, 0) for s in non_test)), method
        for var in sorted(m.vars):
            want = [a for s in summaries for a in s.of_keys([k for k in s.keys() if k[0] == ""
                                                             and k[1].split(".")[0] == var])]
            assert ix.package_var_sites(var) == want, var
        for path, s in every.items():
            assert ix.in_file(path) == s.accesses
        checked["packages"] += 1
        checked["keys"] += len(keys)
        checked["methods"] += len(m.methods)
    print(checked)
    # (the comparisons above compare something)
    assert checked["packages"] >= 40 and checked["keys"] >= 200 and checked["guards"] >= 10 and checked["atomic"] >= 40


def test_a_question_reads_only_the_files_holding_its_name():
    ctx = ctx_of(ROOT / "fixtures" / "shared-counter" / "realcode" / "caller_held.go")
    fields._INDEXES.clear()
    ix = fields.index(ctx)
    assert not ix._summaries  # nothing is summarised before a question
    files = {f.path: f for f in ctx.package.files}
    holding = {p for p, f in files.items() if b"first" in fields.file_names(f)}
    assert 0 < len(holding) < len(files)
    ix.of(("seqMsgBlock", "first"))
    assert set(ix._summaries) == holding


def test_a_lint_summarises_no_file_that_names_nothing_it_asks_about(tmp_path, monkeypatch):
    """One file takes the lock that guards a field and writes it unguarded; another file of the package
    touches none of the package's fields, variables or methods and takes no lock: it is never walked."""
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    (tmp_path / "store.go").write_text("""package m

import "sync"

type Store struct {
    mu    sync.Mutex
    count int
}

func (s *Store) Inc() {
    s.mu.Lock()
    s.count++
    s.mu.Unlock()
}

func (s *Store) Dec() {
    s.mu.Lock()
    defer s.mu.Unlock()
    s.count--
}

func (s *Store) Get() int {
    s.mu.Lock()
    defer s.mu.Unlock()
    return s.count
}

func (s *Store) Reset() {
    s.count = 0
}
""")
    (tmp_path / "util.go").write_text("""package m

import "strings"

func upper(a string) string {
    return strings.ToUpper(a)
}
""")
    walked = []
    real = fields.summarise

    def summarise(ctx, m, names, held=None):
        walked.append(Path(ctx.path).name)
        return real(ctx, m, names, held)

    monkeypatch.setattr(fields, "summarise", summarise)
    fields._INDEXES.clear()
    files = [(str(p), str(p)) for p in sorted(tmp_path.glob("*.go"))]
    result = lint_files(files, Options(rule_ids=tuple(r.id for r in select_rules(None, None))), jobs=1,
                        cache_dir=None)
    assert [f.rule_id for f in result.findings] == ["GXL210"]  # Reset writes count without s.mu
    assert walked == ["store.go"]


def _gxl210(dirs, share, monkeypatch):
    monkeypatch.setattr(guards, "FEW_FILES_SHARE", share)
    fields._INDEXES.clear()
    files = [(str(p), str(p)) for d in dirs for p in sorted(d.glob("*.go"))]
    result = lint_files(files, Options(rule_ids=("GXL210",)), jobs=1, cache_dir=None)
    return [(f.path, f.span, f.message, f.evidence) for f in result.findings]


def test_guards_looked_up_per_write_report_what_the_package_wide_gate_does(monkeypatch):
    """``guards.may_write_guarded`` looks up the guards of a file's writes one by one when few of the
    package's files are linted, and otherwise finds the guarded keys of the whole package first: a choice of
    speed only.  Every test and fixture package, linted whole, reports the same either way."""
    per_write = _gxl210(DIRS, 0, monkeypatch)  # (0: every run counts as linting few files)
    gated = _gxl210(DIRS, 10 ** 9, monkeypatch)
    assert per_write == gated
    assert len(gated) >= 10  # (the comparison compares something)


def test_a_one_file_lint_summarises_only_the_lock_files_holding_its_names(tmp_path, monkeypatch):
    """Linting one file of a package whose other files take locks on fields it does not name: the guards of
    its writes are looked up through the files that hold their names, and the other lock files are never
    walked (linting the whole package walks their declarations that take a lock: its guarded keys are found
    once); only the file that names a guarded key is walked whole."""
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    methods = "".join("""
func (s *Store) Add%d() {
    s.mu.Lock()
    defer s.mu.Unlock()
    s.count++
}
""" % i for i in range(3))
    (tmp_path / "store.go").write_text("""package m

import "sync"

type Store struct {
    mu    sync.Mutex
    count int
}
%s
func (s *Store) Reset() {
    s.count = 0
}
""" % methods)
    for i in range(9):
        (tmp_path / ("other%d.go" % i)).write_text("""package m

import "sync"

type T%d struct {
    lk sync.Mutex
    v%d int
}

func (t *T%d) Set(x int) {
    t.lk.Lock()
    t.v%d = x
    t.lk.Unlock()
}
""" % (i, i, i, i))
    walked = []
    real = fields._Walker.run

    def run(self, only=None):
        walked.append((Path(self.ctx.path).name, "whole" if only is None else "partial"))
        return real(self, only)

    monkeypatch.setattr(fields._Walker, "run", run)
    fields._INDEXES.clear()
    options = Options(rule_ids=("GXL210",))
    one = lint_files([(str(tmp_path / "store.go"),) * 2], options, jobs=1, cache_dir=None)
    assert [f.rule_id for f in one.findings] == ["GXL210"]  # Reset writes count without s.mu
    assert walked == [("store.go", "whole")]
    walked.clear()
    fields._INDEXES.clear()
    whole = lint_files([(str(p), str(p)) for p in sorted(tmp_path.glob("*.go"))], options, jobs=1, cache_dir=None)
    assert [f.message for f in whole.findings] == [f.message for f in one.findings]
    # the whole package: its guarded keys are found first, from the declarations that take a lock
    assert sorted(set(walked)) == sorted({(p.name, "partial") for p in tmp_path.glob("*.go")} | {("store.go", "whole")})
