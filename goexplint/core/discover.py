"""Stage 1: find the Go files to lint.

Directories are walked in sorted order (deterministic output).  Like the go
tool, directory walks skip ``vendor/``, ``testdata/`` and directories whose
name starts with ``.`` or ``_``; each skip can be switched off.  Files named
explicitly are linted as given unless ``force_exclude`` is set (pre-commit
passes every staged file explicitly).  Generated files are recognised by
content, in :func:`is_generated`, after reading.
"""

from __future__ import annotations

import dataclasses
import errno
import fnmatch
import os
import re
import stat
from pathlib import Path
from typing import Iterator, List, Sequence, Tuple

GENERATED_RE = re.compile(rb"^// Code generated .* DO NOT EDIT\.$")


class DiscoveryError(Exception):
    """A path the user named does not exist or cannot be read."""


@dataclasses.dataclass
class DiscoverOptions:
    include_vendor: bool = False
    include_testdata: bool = False
    include_hidden: bool = False
    exclude: Sequence[str] = ()
    force_exclude: bool = False


def _skip_dir(name: str, opts: DiscoverOptions) -> bool:
    if name == "vendor" and not opts.include_vendor:
        return True
    if name == "testdata" and not opts.include_testdata:
        return True
    if name.startswith((".", "_")) and not opts.include_hidden:
        return True
    return False


def _excluded(rel: str, opts: DiscoverOptions) -> bool:
    parts = rel.split("/")
    for pat in opts.exclude:
        pat = pat.rstrip("/")
        if fnmatch.fnmatch(rel, pat) or any(fnmatch.fnmatch(p, pat) for p in parts):
            return True
    return False


def display_path(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        rel = os.path.relpath(path, cwd)
        return Path(rel).as_posix() if not rel.startswith("../../../") else path.as_posix()


def discover(paths: Sequence[str], opts: DiscoverOptions, cwd: Path = None) -> List[Tuple[Path, str]]:
    """(absolute path, display path) of every Go file to lint, sorted and de-duplicated."""
    cwd = Path(cwd or os.getcwd()).resolve()
    seen = set()
    out: List[Tuple[Path, str]] = []
    for given in paths:
        p = Path(given)
        ap = (cwd / p) if not p.is_absolute() else p
        try:
            os.stat(ap)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise DiscoveryError("%s: symbolic link loop (too many levels of symbolic links)" % given)
            if exc.errno == errno.ENOENT and os.path.islink(ap):
                raise DiscoveryError("%s: dangling symbolic link (its target does not exist)" % given)
            if exc.errno == errno.ENOENT:
                raise DiscoveryError("%s: no such file or directory" % given)
            raise DiscoveryError("%s: %s" % (given, (exc.strerror or str(exc)).lower()))
        if ap.is_dir():
            files = _walk(ap, opts, cwd)
        elif _special(ap):
            raise DiscoveryError("%s: not a regular file (a pipe or device would block the linter)" % given)
        else:
            files = iter([ap]) if not (opts.force_exclude and _forced_out(ap, opts, cwd)) else iter([])
        for f in files:
            key = os.path.normpath(str(f))
            if key not in seen:
                seen.add(key)
                out.append((Path(key), display_path(Path(key), cwd)))
    out.sort(key=lambda t: t[1])
    return out


def _forced_out(path: Path, opts: DiscoverOptions, cwd: Path) -> bool:
    rel = display_path(path, cwd)
    dirs = rel.split("/")[:-1]
    return any(_skip_dir(d, opts) for d in dirs if d not in (".", "..")) or _excluded(rel, opts)


def _special(path: Path) -> bool:
    """A pipe, socket or device: reading it could block.  (A dangling symlink is not special: it is
    reported as unreadable like any other file that cannot be read.)"""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _walk(root: Path, opts: DiscoverOptions, cwd: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames
                             if not _skip_dir(d, opts) and not _excluded(display_path(Path(dirpath, d), cwd), opts))
        for name in sorted(filenames):
            if name.endswith(".go") and not name.startswith((".", "_")):
                f = Path(dirpath, name)
                if not _excluded(display_path(f, cwd), opts) and not _special(f):
                    yield f


def is_generated(source: bytes) -> bool:
    """Go's convention (go.dev/s/generatedcode): the marker line appears before the package clause."""
    for raw in source.splitlines():
        line = raw.rstrip(b"\r")
        if GENERATED_RE.match(line):
            return True
        if line.startswith(b"package ") or line.strip() == b"package":
            return False
    return False
