"""flake8 on the project's own Python is part of the test suite."""

import subprocess
import sys

from conftest import ROOT


def test_flake8_clean():
    proc = subprocess.run([sys.executable, "-m", "flake8", "goexplint", "tests", "benchmarks"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
