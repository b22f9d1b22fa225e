"""A big package is linted with its trees freed as it goes (``providers.Resident``): its per-file parts are made
file by file first, and after each file's lint only the trees of the files parsed last are kept.  Findings
must be exactly those of a lint that holds every tree, and the trees must really go.  Here every directory
of test packages and fixtures is linted both ways, with the thresholds set so that nothing stays resident
(every tree is freed after each file, so each tree a rule asks for again is parsed again)."""

import sys
from pathlib import Path

import pytest

from goexplint.analysis import fields
from goexplint.core import engine, providers, schedule
from goexplint.core.engine import Options, lint_files
from goexplint.core.registry import select_rules

ROOT = Path(__file__).resolve().parent.parent
DIRS = sorted({p.parent for base in (ROOT / "tests" / "packages", ROOT / "fixtures") for p in base.rglob("*.go")
               if "testdata" not in p.parts})


def lint(directory: Path, jobs: int = 1):
    fields._INDEXES.clear()
    files = [(str(p), str(p)) for p in sorted(directory.glob("*.go"))]
    opts = Options(rule_ids=tuple(r.id for r in select_rules(None, None)), report_unused=True)
    return lint_files(files, opts, jobs=jobs, cache_dir=None)


def test_a_big_package_keeps_the_findings_and_frees_its_trees(monkeypatch):
    held = {d: lint(d) for d in DIRS}
    assert sum(len(r.findings) for r in held.values()) > 100  # (the comparison below compares something)

    unloads = []
    settled = []
    alive = []  # per directory: of the trees freed, how many something still holds (through a node)
    trees = []
    real_unload, real_settle, real_close = providers.unload, providers.Resident.settle, engine.close_all

    def unload(ctx):
        unloads.append(ctx.path)
        trees.append(ctx.tree)
        real_unload(ctx)

    def close_all(contexts):
        contexts = list(contexts)
        alive.append(sum(sys.getrefcount(t) > 3 for t in trees))  # (the list, the loop, the argument)
        del trees[:]
        real_close(contexts)

    def settle(self, last=None):
        real_settle(self, last)
        settled.append(sum(len(f.source) for f in self.files if f.parsed))

    monkeypatch.setattr(providers, "unload", unload)
    monkeypatch.setattr(providers.Resident, "settle", settle)
    monkeypatch.setattr(engine, "close_all", close_all)
    monkeypatch.setattr(engine, "BIG_PACKAGE_BYTES", 0)
    monkeypatch.setattr(engine, "RESIDENT_BYTES", 0)
    freed = {d: lint(d) for d in DIRS}
    for d in DIRS:
        assert freed[d].findings == held[d].findings, d
        assert [(n.path, n.kind, n.message) for n in freed[d].notices] == \
            [(n.path, n.kind, n.message) for n in held[d].notices], d
    n_files = sum(len(list(d.glob("*.go"))) for d in DIRS)
    assert len(unloads) >= n_files  # every file's tree was freed at least once
    assert settled and max(settled) == 0  # and no tree was left after any step
    # and the trees really go: no memo kept for the package holds a node of them (a table of methods
    # holding each method's node kept every file with a method alive)
    assert sum(alive) <= len(unloads) // 20, (sum(alive), len(unloads))


def test_trees_within_the_resident_bytes_are_kept(monkeypatch):
    """With room for every tree, none is freed (and so none parsed twice); with none, each is; findings
    are the same either way."""
    d = ROOT / "tests" / "packages" / "shop"
    held = lint(d)
    unloads = []
    real_unload = providers.unload
    monkeypatch.setattr(providers, "unload", lambda ctx: (unloads.append(ctx.path), real_unload(ctx)))
    monkeypatch.setattr(engine, "BIG_PACKAGE_BYTES", 0)
    counts = []
    for resident in (10 ** 9, 0):
        monkeypatch.setattr(engine, "RESIDENT_BYTES", resident)
        del unloads[:]
        assert lint(d).findings == held.findings
        counts.append(len(unloads))
    assert counts[0] == 0 and counts[1] >= len(list(d.glob("*.go")))


@pytest.mark.skipif(not schedule.can_fork(), reason="splitting needs the fork start method")
def test_a_big_package_split_between_workers_keeps_the_findings(monkeypatch):
    """The same with the package split between two workers (``engine._lint_split``): the parts the
    package facts are built from are made in the main process file by file, the others by the workers,
    which free their trees as they go, as the linting workers do."""
    dirs = [d for d in DIRS if len(list(d.glob("*.go"))) >= 4]
    held = {d: lint(d) for d in dirs}
    splits = []
    real_split = engine._lint_split
    monkeypatch.setattr(engine, "_lint_split", lambda task, jobs, take: (splits.append(task[0]),
                                                                         real_split(task, jobs, take)))
    monkeypatch.setattr(schedule, "SPLIT_SHARE", 0.0)
    monkeypatch.setattr(schedule, "SPLIT_MIN_FILES_PER_JOB", 1)
    monkeypatch.setattr(engine, "BIG_PACKAGE_BYTES", 0)
    monkeypatch.setattr(engine, "RESIDENT_BYTES", 0)
    for d in dirs:
        assert lint(d, jobs=2).findings == held[d].findings, d
    assert len(splits) == len(dirs)


def test_one_file_of_a_big_package_without_the_store(monkeypatch):
    """Linting one file of a big package without the facts store makes every sibling's parts from its
    tree: they are made file by file, freeing the trees, and the findings are those of a normal lint."""
    d = ROOT / "tests" / "packages" / "shop"
    opts = Options(rule_ids=tuple(r.id for r in select_rules(None, None)), report_unused=True)
    names = sorted(p.name for p in d.glob("*.go"))

    def one(name):
        fields._INDEXES.clear()
        return lint_files([(str(d / name), str(d / name))], opts, jobs=1, cache_dir=None).findings

    held = {n: one(n) for n in names}
    unloads = []
    real_unload = providers.unload
    monkeypatch.setattr(providers, "unload", lambda ctx: (unloads.append(ctx.path), real_unload(ctx)))
    monkeypatch.setattr(engine, "BIG_PACKAGE_BYTES", 0)
    monkeypatch.setattr(engine, "RESIDENT_BYTES", 0)
    for n in names:
        del unloads[:]
        assert one(n) == held[n], n
        assert len(unloads) >= len(names)  # every file of the package was parsed for its parts, then freed
    assert any(held.values())
