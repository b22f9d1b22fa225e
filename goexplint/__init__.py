"""goexplint: a tree-sitter based linter for Go concurrency, unsafe and timeout hazards."""

import os
import re
from typing import Optional

# The release: pyproject.toml's version, the tag v<__version__>, the README's pins and CHANGELOG.md's newest
# entry name the same one (tests/test_readme.py).  SARIF semanticVersion, JSON tool.version, the language
# server's serverInfo and the cache fingerprint use it.
__version__ = "0.2.0"

_SHA = re.compile(r"[0-9a-f]{40}")


def _git_dir(start: str) -> Optional[str]:
    """The git directory of the checkout holding ``start`` (a ``.git`` directory, or the file a worktree or
    submodule has instead), looked for in ``start``'s parent only: an installed package has none."""
    dot = os.path.join(os.path.dirname(start), ".git")
    if os.path.isdir(dot):
        return dot
    if os.path.isfile(dot):
        with open(dot, encoding="utf-8") as f:
            line = f.readline().strip()
        if line.startswith("gitdir:"):
            path = line[len("gitdir:"):].strip()
            return os.path.normpath(os.path.join(os.path.dirname(dot), path))
    return None


def _ref_sha(git_dir: str, ref: str) -> Optional[str]:
    """The commit of ``ref`` (refs/heads/x): a loose ref file, else a line of packed-refs (of the common
    directory, for a worktree)."""
    dirs = [git_dir]
    common = os.path.join(git_dir, "commondir")
    if os.path.isfile(common):
        with open(common, encoding="utf-8") as f:
            dirs.append(os.path.normpath(os.path.join(git_dir, f.read().strip())))
    for d in dirs:
        loose = os.path.join(d, *ref.split("/"))
        if os.path.isfile(loose):
            with open(loose, encoding="utf-8") as f:
                sha = f.read().strip()
            return sha if _SHA.fullmatch(sha) else None
    for d in dirs:
        packed = os.path.join(d, "packed-refs")
        if os.path.isfile(packed):
            with open(packed, encoding="utf-8") as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 2 and parts[1] == ref and _SHA.fullmatch(parts[0]):
                        return parts[0]
    return None


def checkout_commit() -> Optional[str]:
    """The commit checked out when goexplint runs from a git checkout (a clone, ``pip install -e``), read
    from the git files next to the package (no git command, a few small reads); None for an installed
    package, without git, or when the files cannot be read."""
    try:
        git_dir = _git_dir(os.path.dirname(os.path.abspath(__file__)))
        if git_dir is None:
            return None
        with open(os.path.join(git_dir, "HEAD"), encoding="utf-8") as f:
            head = f.read().strip()
        if head.startswith("ref:"):
            return _ref_sha(git_dir, head[len("ref:"):].strip())
        return head if _SHA.fullmatch(head) else None
    except (OSError, ValueError):
        return None


def version_text() -> str:
    """What ``--version`` prints: ``goexplint 0.2.0``, plus ``(git <commit>)`` when run from a checkout, so
    two commits of main tell themselves apart."""
    commit = checkout_commit()
    return "goexplint %s" % __version__ + (" (git %s)" % commit[:12] if commit else "")
