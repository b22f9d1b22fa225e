"""Stage 1: find the Go files to lint.

Directories are walked in sorted order (deterministic output).  Like the go
tool, directory walks skip ``vendor/``, ``testdata/`` and directories whose
name starts with ``.`` or ``_``; each skip can be switched off.  Files named
explicitly are linted as given unless ``force_exclude`` is set (pre-commit
passes every staged file explicitly); a named file must end in ``.go`` (as
``go vet`` requires).  Arguments containing ``...`` are Go package patterns
(``./...``, ``dir/...``, ``./cmd/...``): ``...`` matches any string, slashes
included, and ``x/...`` also matches ``x`` itself (``go help packages``); the
``.go`` files of every matching directory are linted, with the same skips as a
directory walk.  Unlike ``go vet``, a pattern also enters nested modules (as
``goexplint .`` does).  Generated files are recognised by content, in
:func:`is_generated`, after reading.
"""

from __future__ import annotations

import dataclasses
import errno
import fnmatch
import os
import posixpath
import re
import stat
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

GENERATED_RE = re.compile(rb"^// Code generated .* DO NOT EDIT\.$")


class DiscoveryError(Exception):
    """A path the user named does not exist or cannot be read."""


@dataclasses.dataclass
class DiscoverOptions:
    include_vendor: bool = False
    include_testdata: bool = False
    include_hidden: bool = False
    exclude: Sequence[str] = ()  # globs relative to the current directory (--exclude)
    force_exclude: bool = False
    # (absolute base directory, glob): globs from configuration files, relative to the file's directory
    rooted_exclude: Sequence[Tuple[str, str]] = ()


def _skip_dir(name: str, opts: DiscoverOptions) -> bool:
    if name == "vendor" and not opts.include_vendor:
        return True
    if name == "testdata" and not opts.include_testdata:
        return True
    if name.startswith((".", "_")) and not opts.include_hidden:
        return True
    return False


def _glob_hit(rel: str, pat: str) -> bool:
    pat = pat.rstrip("/")
    return fnmatch.fnmatch(rel, pat) or any(fnmatch.fnmatch(p, pat) for p in rel.split("/"))


def _excluded(rel: str, opts: DiscoverOptions, path: Optional[Path] = None) -> bool:
    if any(_glob_hit(rel, pat) for pat in opts.exclude):
        return True
    if path is not None:
        for base, pat in opts.rooted_exclude:
            under = _under(path, base)
            if under is not None and under != "." and _glob_hit(under, pat):
                return True
    return False


def _under(path: Path, base: str) -> Optional[str]:
    """``path`` relative to the (resolved) directory ``base``, or None when it is not below it."""
    for candidate in (path, Path(os.path.realpath(path))):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return None


def is_pattern(arg: str) -> bool:
    """A Go package pattern (``./...``, ``dir/...``): the argument contains the ``...`` wildcard."""
    return "..." in arg.replace("\\", "/")


def _pattern_regex(pattern: str) -> "re.Pattern[str]":
    """``go help packages``: ``...`` matches any string (slashes included); a trailing ``/...``
    also matches the empty string, so ``x/...`` matches ``x`` and its subdirectories."""
    quoted = re.escape(pattern)
    tail = re.escape("/...")
    if quoted.endswith(tail):
        quoted = quoted[:-len(tail)] + "(" + tail + ")?"
    return re.compile(quoted.replace(re.escape("..."), ".*") + r"\Z")


def display_path(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        rel = os.path.relpath(path, cwd)
        return Path(rel).as_posix() if not rel.startswith("../../../") else path.as_posix()


OptionsFor = Callable[[Path], DiscoverOptions]  # the options that apply in a directory (hierarchical config)


def discover(paths: Sequence[str], opts: DiscoverOptions, cwd: Path = None, options_for: Optional[OptionsFor] = None,
             warnings: Optional[List[str]] = None) -> List[Tuple[Path, str]]:
    """(absolute path, display path) of every Go file to lint, sorted and de-duplicated.

    ``options_for(directory)``, when given, supplies the options for the entries of each directory
    (the nearest configuration file decides); ``opts`` is used otherwise.  A directory or pattern
    argument that yields no Go file appends a message to ``warnings``."""
    cwd = Path(cwd or os.getcwd()).resolve()
    get = options_for or (lambda _d: opts)
    seen = set()
    shown_dirs: Dict[str, str] = {}  # directory -> its display path
    out: List[Tuple[Path, str]] = []
    for given in paths:
        if is_pattern(given):
            files = _match_pattern(given, get, cwd)
        else:
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
                files = _walk(ap, get, cwd)
            elif _special(ap):
                raise DiscoveryError("%s: not a regular file (a pipe or device would block the linter)" % given)
            elif not ap.name.endswith(".go"):
                raise DiscoveryError("%s: not a Go file (files named on the command line must end in .go)" % given)
            else:
                fopts = get(ap.parent)
                files = iter([ap]) if not (fopts.force_exclude and _forced_out(ap, fopts, cwd)) else iter([])
                given = None  # a file skipped by --force-exclude is not worth a warning
        found = 0
        for f in files:
            found += 1
            key = os.path.normpath(str(f))
            if key not in seen:
                seen.add(key)
                path = Path(key)
                parent = os.path.dirname(key)
                shown_dir = shown_dirs.get(parent)
                if shown_dir is None:
                    shown_dir = shown_dirs[parent] = display_path(path.parent, cwd)
                out.append((path, _child_display(shown_dir, path)))
        if not found and given is not None and warnings is not None:
            warnings.append("%s: %s" % (given, "matched no Go files" if is_pattern(given) else "no Go files found"))
    out.sort(key=lambda t: t[1])
    return out


def _match_pattern(pattern: str, get: OptionsFor, cwd: Path) -> Iterator[Path]:
    """The ``.go`` files of every directory matching the Go package pattern."""
    norm = posixpath.normpath(pattern.replace("\\", "/"))
    prefix = norm[:norm.index("...")]
    root = prefix[:prefix.rfind("/") + 1] or "."
    root = posixpath.normpath(root) if root != "/" else root
    regex = _pattern_regex(norm)
    root_path = Path(root) if Path(root).is_absolute() else cwd / root
    if not root_path.is_dir():
        raise DiscoveryError("%s: no such directory %s" % (pattern, root))
    for dirpath in _walk_dirs(root_path, get, cwd):
        rel = Path(dirpath).relative_to(root_path).as_posix()
        name = posixpath.normpath(posixpath.join(root, rel))
        if regex.match(name):
            yield from _go_files(Path(dirpath), get(Path(dirpath)), cwd)


def _forced_out(path: Path, opts: DiscoverOptions, cwd: Path) -> bool:
    rel = display_path(path, cwd)
    dirs = rel.split("/")[:-1]
    return any(_skip_dir(d, opts) for d in dirs if d not in (".", "..")) or _excluded(rel, opts, path)


def _special(path: Path) -> bool:
    """A pipe, socket or device: reading it could block.  (A dangling symlink is not special: it is
    reported as unreadable like any other file that cannot be read.)"""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _walk_dirs(root: Path, get: OptionsFor, cwd: Path) -> Iterator[str]:
    """``root`` and the directories below it that a walk enters, in sorted order."""
    for dirpath, dirnames, _ in os.walk(root):
        opts = get(Path(dirpath))
        dirnames[:] = sorted(d for d in dirnames if not _skip_dir(d, opts)
                             and not _excluded(display_path(Path(dirpath, d), cwd), opts, Path(dirpath, d)))
        yield dirpath


def _go_files(directory: Path, opts: DiscoverOptions, cwd: Path) -> Iterator[Path]:
    try:
        names = sorted(e.name for e in os.scandir(directory) if not e.is_dir())
    except OSError:
        return
    shown_dir = None
    for name in names:
        if name.endswith(".go") and not name.startswith((".", "_")):
            f = directory / name
            if shown_dir is None:
                shown_dir = display_path(directory, cwd)  # once per directory: relpath is not cheap
            if not _excluded(_child_display(shown_dir, f), opts, f) and not _special(f):
                yield f


def _child_display(shown_dir: str, f: Path) -> str:
    """``display_path(f, cwd)`` from the display path of ``f``'s directory."""
    if shown_dir == ".":
        return f.name
    shown = shown_dir + "/" + f.name
    return f.as_posix() if shown.startswith("../../../") else shown


def _walk(root: Path, get: OptionsFor, cwd: Path) -> Iterator[Path]:
    for dirpath in _walk_dirs(root, get, cwd):
        yield from _go_files(Path(dirpath), get(Path(dirpath)), cwd)


def is_generated(source: bytes) -> bool:
    """Go's convention (go.dev/s/generatedcode): the marker line appears before the package clause."""
    for raw in source.splitlines():
        line = raw.rstrip(b"\r")
        if GENERATED_RE.match(line):
            return True
        if line.startswith(b"package ") or line.strip() == b"package":
            return False
    return False
