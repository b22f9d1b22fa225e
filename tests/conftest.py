import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GO = shutil.which("go")
GO_ENV = dict(os.environ, GOWORK="off", GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="", CGO_ENABLED="0")
GO_ENV.pop("GOEXPERIMENT", None)

# Hypothesis keeps no example database: a failure found once is printed (with its @reproduce_failure blob)
# but not replayed by later runs of the clone, so no run fails because of an earlier one (a fixed failure
# becomes an @example).  With CI set the examples are derandomised (the same ones on every run of a
# commit); HYPOTHESIS_PROFILE=dev|ci chooses either explicitly.  deadline=None everywhere: the machines
# are shared, and a slow example is not a failure.
# Its other files (caches of constants and Unicode tables, never examples) go to the user's cache, not the clone.
set_hypothesis_home_dir(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "goexplint-tests"
                        / "hypothesis")
hypothesis_settings.register_profile("dev", database=None, deadline=None, print_blob=True)
hypothesis_settings.register_profile("ci", database=None, deadline=None, print_blob=True, derandomize=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

requires_go = pytest.mark.skipif(GO is None, reason="go is not on PATH (CI has it)")


@functools.lru_cache(maxsize=None)
def goroot() -> Optional[Path]:
    """``$(go env GOROOT)``, or None without go (tests that read the standard library's sources skip it)."""
    if GO is None:
        return None
    try:
        out = subprocess.run([GO, "env", "GOROOT"], env=GO_ENV, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    root = out.stdout.strip()
    return Path(root) if out.returncode == 0 and root else None


def goroot_files(*rels: str) -> List[Path]:
    """The files ``$(go env GOROOT)/src/<rel>`` that exist (none without go)."""
    root = goroot()
    return [root / "src" / r for r in rels if root is not None and (root / "src" / r).is_file()]


def run_cli(*args, cwd=None, stdin=None, env=None):
    """Run the real command line in a subprocess; returns CompletedProcess with text output."""
    e = dict(os.environ)
    e.pop("GOEXPERIMENT", None)
    e.update(env or {})
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "goexplint", *args], cwd=cwd or ROOT, input=stdin,
                          capture_output=True, env=e, timeout=300)


def fixture_units():
    """Directories linted as one unit: each Go module under fixtures/ plus module-less Go directories."""
    units = []
    for d in sorted(FIXTURES.rglob("*")):
        if not d.is_dir() or any(p.name in ("vendor", "testdata") or p.name.startswith((".", "_"))
                                 for p in d.relative_to(FIXTURES).parents if p.name) \
                or d.name in ("vendor", "testdata"):
            continue
        inside = any((p / "go.mod").exists() for p in d.parents if p != FIXTURES.parent and FIXTURES in p.parents)
        if (d / "go.mod").exists() and not inside:
            units.append(d)
        elif not inside and not (d / "go.mod").exists() and any(d.glob("*.go")):
            units.append(d)
    return units
