"""Deterministic output: the text, JSON and SARIF reports of a multi-package tree are byte-identical
across runs, ``--jobs`` values, PYTHONHASHSEED values and target sets (the tree as ``.`` or as its
packages named one by one, in another order)."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT

PACKAGES = ["context-timeout/basic", "shared-counter/goroutines", "shared-counter/locks", "loopvar/legacy",
            "loopvar/modern", "typed-nil/tn", "waitgroup/wg", "unsafe-pointer/core", "busy-spin/spin", "suppress"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    d = tmp_path_factory.mktemp("tree") / "src"
    for pkg in PACKAGES:
        shutil.copytree(FIXTURES / pkg, d / pkg)
    return d


def _run(tree, fmt, jobs, seed, targets):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED=str(seed))
    env.pop("GOEXPERIMENT", None)
    proc = subprocess.run([sys.executable, "-m", "goexplint", *targets, "--format", fmt, "-j", str(jobs),
                           "--no-cache", "--select", "all"], cwd=tree, env=env, capture_output=True, timeout=900)
    assert proc.returncode == 1, proc.stderr
    return proc.stdout, proc.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_reports_are_byte_identical(tree, fmt):
    first = _run(tree, fmt, 1, 0, ["."])
    assert first[0].count(b"GXL") > 50
    assert _run(tree, fmt, 2, 999, list(reversed(PACKAGES))) == first


def test_threads_linting_at_once_get_their_own_file_memos():
    """The per-file memos are found through ``parse.active``, per thread: two threads linting
    different files at the same time get exactly what each gets alone."""
    import threading

    from goexplint.core.engine import Options, lint_source
    from goexplint.core.registry import select_rules

    opts = Options(rule_ids=tuple(r.id for r in select_rules(["all"], None)))
    files = sorted((FIXTURES / "shared-counter").rglob("*.go"))[:6] + sorted((FIXTURES / "loopvar").rglob("*.go"))[:6]
    alone = {p: lint_source(str(p), p.read_bytes(), opts, real_path=str(p)).findings for p in files}
    together = {}

    def work(paths):
        for _ in range(3):
            for p in paths:
                together.setdefault(p, []).append(lint_source(str(p), p.read_bytes(), opts, real_path=str(p)).findings)
    threads = [threading.Thread(target=work, args=(files[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(got == [alone[p]] * 3 for p, got in together.items()) and len(together) == len(files)
