"""Work split below the package (core.schedule): a directory too big for one worker is parsed and modelled
in the main process, the per-file parts of its package facts are made by workers, and its files are
linted by workers forked after that.  Whatever -j and wherever the chunks are cut, the results are
those of one process.  The thresholds are lowered here so that small fixture packages are split."""

import pytest

from conftest import FIXTURES

from goexplint.core import engine, providers, schedule
from goexplint.core.engine import Options, lint_files
from goexplint.core.registry import all_rules

ALL = tuple(r.id for r in all_rules())
DIRS = [FIXTURES / "shared-counter" / "realcode", FIXTURES / "shared-counter" / "goroutines",
        FIXTURES / "shared-counter" / "locks", FIXTURES / "shared-counter" / "racedemo",
        FIXTURES / "context-timeout" / "basic", FIXTURES / "unsafe-pointer" / "core"]

pytestmark = pytest.mark.skipif(not schedule.can_fork(), reason="splitting needs the fork start method")


def _files(dirs=DIRS):
    out = []
    for d in dirs:
        assert d.is_dir(), d
        out.extend((str(p), str(p.relative_to(FIXTURES))) for p in sorted(d.glob("*.go")))
    return out


def _run(files, jobs, **kw):
    return lint_files(files, Options(ALL, go_version="1.21", **kw.pop("options", {})), jobs=jobs, **kw)


def _same(a, b):
    assert a.findings == b.findings
    assert a.notices == b.notices
    assert (a.files, a.skipped, a.skip_reasons) == (b.files, b.skipped, b.skip_reasons)


@pytest.fixture
def split_everything(monkeypatch):
    """Split every directory, however small; record what the main process was handed by the workers."""
    monkeypatch.setattr(schedule, "SPLIT_SHARE", 0.0)
    monkeypatch.setattr(schedule, "SPLIT_MIN_FILES_PER_JOB", 1)
    handed, splits = [], []
    real_remember, real_split = providers.Provider.remember, engine._lint_split

    def remember(self, ctx, value, *args):
        handed.append((self.name, ctx.path))
        real_remember(self, ctx, value, *args)

    def split(task, jobs, take):
        splits.append(task[0])
        real_split(task, jobs, take)
    monkeypatch.setattr(providers.Provider, "remember", remember)
    monkeypatch.setattr(engine, "_lint_split", split)
    return handed, splits


def test_the_fixture_packages_have_findings_to_compare():
    one = _run(_files(), 1)
    assert len(one.findings) > 20 and {f.rule_id[:4] for f in one.findings} >= {"GXL2", "GXL4"}


def test_split_packages_lint_as_one_process(split_everything):
    handed, splits = split_everything
    files = _files()
    one = _run(files, 1)
    assert not splits
    for jobs in (2, 3):
        handed.clear()
        many = _run(files, jobs)
        _same(one, many)
        assert sorted(splits) == sorted({str(d) for d in DIRS})  # every directory was split ...
        splits.clear()
        # ... and the field index's per-file parts (the names its files hold) were made by workers and handed
        # back; the field summaries are made on demand (by the workers that lint)
        assert {p for name, p in handed if name == "analysis.fields.file_names"} >= \
            {shown for _, shown in files if "realcode" in shown}


def test_a_big_directory_among_small_ones(monkeypatch, split_everything):
    """Only the biggest directory is split (the others go to the pool of whole directories)."""
    _, splits = split_everything
    size = {d: sum(p.stat().st_size for p in d.glob("*.go")) for d in DIRS}
    biggest, second = sorted(DIRS, key=lambda d: -size[d])[:2]
    fair = sum(size.values()) / 2
    monkeypatch.setattr(schedule, "SPLIT_SHARE", (size[biggest] + size[second]) / 2 / fair)
    files = _files()
    one = _run(files, 1)
    many = _run(files, 2)
    _same(one, many)
    assert splits == [str(biggest)]


def test_no_fork_no_split(monkeypatch, split_everything):
    _, splits = split_everything
    monkeypatch.setattr(schedule, "can_fork", lambda: False)
    files = _files()
    _same(_run(files, 1), _run(files, 2))
    assert not splits


def test_cached_files_of_a_split_directory(tmp_path, split_everything):
    """A warm run of a split directory takes the cached results; a half-warm one lints the rest."""
    files = _files(DIRS[:1])
    cold = _run(files, 1)
    cache = str(tmp_path / "cache")
    _run(files[::2], 2, cache_dir=cache)  # every other file cached
    half = _run(files, 2, cache_dir=cache)
    assert 0 < half.cached < len(files)
    warm = _run(files, 2, cache_dir=cache)
    assert warm.cached == warm.files
    _same(cold, half)
    _same(cold, warm)


def test_progress_and_profile_of_a_split_directory(split_everything):
    files = _files(DIRS[:2])
    seen = []
    result = _run(files, 2, progress=lambda done, total: seen.append((done, total)), profile=True)
    assert seen[-1] == (len(files), len(files))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert {"(parse)", "(package)", "(query)"} <= set(result.timings)
    assert any(k.startswith("GXL") for k in result.timings)
    _same(_run(files, 1), result)


def test_the_budget_per_file_in_split_directories(tmp_path, monkeypatch, split_everything):
    """The workers keep the budget per file (its clock, replaced here by one that ticks a second per
    reading, is theirs too): files stop with a notice, keep only findings of a full run and are not
    cached.  (Where a split run stops is not compared with one process: package work moves a file's
    deadline by the time it takes, and it is done by other files there.)"""
    from test_budget import FakeClock

    _, splits = split_everything
    files = _files()
    full = _run(files, 1)
    monkeypatch.setattr(engine, "_clock", FakeClock())
    cache = str(tmp_path / "cache")
    cut = _run(files, 2, options={"file_timeout": 5}, cache_dir=cache)
    assert len(splits) == len(DIRS)
    stopped = {n.path for n in cut.notices if n.kind == "timeout"}
    assert 0 < len(stopped) <= len(files)
    assert cut.findings and all(f in full.findings for f in cut.findings)
    again = _run(files, 2, options={"file_timeout": 5}, cache_dir=cache)
    assert again.cached == len(files) - len(stopped)  # results cut short were not kept


def test_chunks_hold_every_item_once_largest_first():
    sizes = [5, 100, 1, 1, 30, 7, 7, 60, 2, 0, 9]
    items = list(range(10, 10 + len(sizes)))
    for jobs in (1, 2, 4, 64):
        got = schedule.chunks(items, sizes, jobs)
        assert sorted(i for c in got for i in c) == items
        assert all(c and c == sorted(c) for c in got)
        weight = [sum(sizes[items.index(i)] for i in c) for c in got]
        assert weight[0] == max(weight) and weight[-1] <= weight[0]
    assert schedule.chunks([], [], 2) == []


def test_what_is_split():
    sizes = {0: 900, 1: 50, 2: 50}
    files = {0: 40, 1: 3, 2: 3}
    assert schedule.to_split(sizes, files, 1) == set()
    assert schedule.to_split(sizes, files, 2) == {0}
    assert schedule.to_split({0: 900}, {0: 3}, 2) == set()  # too few files to be worth a fork
    assert schedule.to_split({0: 400, 1: 400, 2: 200}, {0: 40, 1: 40, 2: 40}, 2) == set()  # balanced as is


def test_package_facts_and_their_per_file_parts():
    from goexplint.analysis import fields

    targets, parts = schedule.package_facts([fields.index])
    assert fields.index in targets and fields.file_names in parts
    assert fields.file_summary not in parts  # made on demand, for the files a question of the index needs
    assert all(p.scope == providers.PACKAGE for p in targets)
    assert all(p.scope == providers.KEPT for p in parts)
    assert targets.index(fields.index) == len(targets) - 1  # dependencies first
