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
