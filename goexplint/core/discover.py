"""Stage 1: find the Go files to lint.

Directories are walked in sorted order (deterministic output).  Like the go
tool, directory walks skip ``vendor/``, ``testdata/`` and directories whose
name starts with ``.`` or ``_``; each skip can be switched off.  Files named
explicitly are linted as given (generated ones too: the CLI lints them with
``include_generated``) unless ``force_exclude`` is set (pre-commit passes every
staged file explicitly); a named file must end in ``.go`` (as
``go vet`` requires).  Arguments containing ``...`` are Go package patterns
(``./...``, ``dir/...``, ``./cmd/...``): ``...`` matches any string, slashes
included, and ``x/...`` also matches ``x`` itself (``go help packages``); the
``.go`` files of every matching directory are linted, with the same skips as a
directory walk.  Unlike ``go vet``, a pattern also enters nested modules (as
``goexplint .`` does).  Generated files are recognised by content, in
:func:`is_generated`, after reading.

Nothing is left out silently: a :class:`Skipped` record (``report``) counts the
``.go`` files a walk did not take, by reason (vendored, testdata, hidden,
dot-underscore, excluded, special), and lists the directories it could not read.
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
class Skipped:
    """What discovery left out: reason -> number of ``.go`` files (the files below a directory the walk
    does not enter are counted), and the directories that could not be read as (display path,
    message, named on the command line)."""
    files: Dict[str, int] = dataclasses.field(default_factory=dict)
    unreadable: List[Tuple[str, str, bool]] = dataclasses.field(default_factory=list)

    def add(self, reason: str, n: int = 1) -> None:
        if n:
            self.files[reason] = self.files.get(reason, 0) + n


@dataclasses.dataclass
class DiscoverOptions:
    include_vendor: bool = False
    include_testdata: bool = False
    include_hidden: bool = False
    exclude: Sequence[str] = ()  # globs relative to the current directory (--exclude)
    force_exclude: bool = False
    # (absolute base directory, glob): globs from configuration files, relative to the file's directory
    rooted_exclude: Sequence[Tuple[str, str]] = ()


def _skip_dir(name: str, opts: DiscoverOptions) -> Optional[str]:
    """Why a walk does not enter the directory ``name`` (a :class:`Skipped` reason), or None."""
    if name == "vendor" and not opts.include_vendor:
        return "vendored"
    if name == "testdata" and not opts.include_testdata:
        return "testdata"
    if name.startswith((".", "_")) and not opts.include_hidden:
        return "hidden"
    return None


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
             warnings: Optional[List[str]] = None, report: Optional[Skipped] = None) -> List[Tuple[Path, str]]:
    """(absolute path, display path) of every Go file to lint, sorted and de-duplicated.

    ``options_for(directory)``, when given, supplies the options for the entries of each directory
    (the nearest configuration file decides); ``opts`` is used otherwise.  A directory or pattern
    argument that yields no Go file appends a message to ``warnings`` (unless it could not be read:
    that is in ``report.unreadable``).  ``report`` collects what was left out and why."""
    cwd = Path(cwd or os.getcwd()).resolve()
    get = options_for or (lambda _d: opts)
    report = report if report is not None else Skipped()
    seen = set()
    shown_dirs: Dict[str, str] = {}  # directory -> its display path
    out: List[Tuple[Path, str]] = []
    for given in paths:
        unreadable_before = len(report.unreadable)
        if is_pattern(given):
            files = _match_pattern(given, get, cwd, report)
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
                files = _walk(ap, get, cwd, report)
            elif _special(ap):
                raise DiscoveryError("%s: not a regular file (a pipe or device would block the linter)" % given)
            elif not ap.name.endswith(".go"):
                raise DiscoveryError("%s: not a Go file (files named on the command line must end in .go)" % given)
            else:
                fopts = get(ap.parent)
                why = _forced_out(ap, fopts, cwd) if fopts.force_exclude else None
                report.add(why or "", 1 if why else 0)
                files = iter([ap]) if why is None else iter([])
                given = None  # a file skipped by --force-exclude is counted, not worth a warning
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
        if given is not None and not is_pattern(given) and len(report.unreadable) > unreadable_before:
            top = os.path.normpath(str(ap))
            report.unreadable[:] = [(shown, msg, named or os.path.normpath(str(cwd / shown)) == top)
                                    for shown, msg, named in report.unreadable]
            if not found:
                continue  # the notice says why; "no Go files found" would not
        if not found and given is not None and warnings is not None:
            warnings.append("%s: %s" % (given, "matched no Go files" if is_pattern(given) else "no Go files found"))
    merged: Dict[str, Tuple[str, str, bool]] = {}  # a directory reached by two arguments is reported once
    for shown, msg, named in report.unreadable:
        merged[shown] = (shown, msg, named or merged.get(shown, ("", "", False))[2])
    report.unreadable[:] = merged.values()
    out.sort(key=lambda t: t[1])
    return out


def _match_pattern(pattern: str, get: OptionsFor, cwd: Path, report: Skipped) -> Iterator[Path]:
    """The ``.go`` files of every directory matching the Go package pattern."""
    norm = posixpath.normpath(pattern.replace("\\", "/"))
    prefix = norm[:norm.index("...")]
    root = prefix[:prefix.rfind("/") + 1] or "."
    root = posixpath.normpath(root) if root != "/" else root
    regex = _pattern_regex(norm)
    root_path = Path(root) if Path(root).is_absolute() else cwd / root
    if not root_path.is_dir():
        raise DiscoveryError("%s: no such directory %s" % (pattern, root))

    def wanted(dirpath: str) -> bool:
        rel = Path(dirpath).relative_to(root_path).as_posix()
        return bool(regex.match(posixpath.normpath(posixpath.join(root, rel))))

    for dirpath, names in _walk_dirs(root_path, get, cwd, report, counted=wanted):
        if wanted(dirpath):
            yield from _go_files(Path(dirpath), names, get(Path(dirpath)), cwd, report)


def _forced_out(path: Path, opts: DiscoverOptions, cwd: Path) -> Optional[str]:
    """Why --force-exclude leaves out the named file ``path`` (a :class:`Skipped` reason), or None."""
    rel = display_path(path, cwd)
    dirs = rel.split("/")[:-1]
    for d in dirs:
        why = _skip_dir(d, opts) if d not in (".", "..") else None
        if why:
            return why
    return "excluded" if _excluded(rel, opts, path) else None


def _special(path: Path) -> bool:
    """A pipe, socket or device: reading it could block.  (A dangling symlink is not special: it is
    reported as unreadable like any other file that cannot be read.)"""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _walk_dirs(root: Path, get: OptionsFor, cwd: Path, report: Skipped,
               counted: Optional[Callable[[str], bool]] = None) -> Iterator[Tuple[str, List[str]]]:
    """(directory, names of its non-directory entries) for ``root`` and the directories below it that a
    walk enters, in sorted order.  The ``.go`` files below a directory it does not enter are counted in
    ``report`` (only for directories ``counted`` says would be linted otherwise), and a directory that
    cannot be listed is recorded there."""

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        report.unreadable.append((display_path(where, cwd), "cannot read directory: %s"
                                  % (exc.strerror or exc).lower(), False))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        opts = get(Path(dirpath))
        keep = []
        for d in dirnames:
            sub = Path(dirpath, d)
            why = _skip_dir(d, opts) or ("excluded" if _excluded(display_path(sub, cwd), opts, sub) else None)
            if why is None:
                keep.append(d)
            elif counted is None or counted(str(sub)):
                report.add(why, _count_go_files(str(sub)))
        dirnames[:] = sorted(keep)
        yield dirpath, filenames


def _count_go_files(top: str) -> int:
    """The ``.go`` names below the directory ``top`` (symbolic links to directories are not followed)."""
    n, stack = 0, [top]
    while stack:
        d = stack.pop()
        try:
            with os.scandir(d) as entries:
                for e in entries:
                    try:
                        is_dir = e.is_dir(follow_symlinks=False)
                    except OSError:
                        continue
                    if is_dir:
                        stack.append(e.path)
                    elif e.name.endswith(".go"):
                        n += 1
        except OSError:
            continue
    return n


def _go_files(directory: Path, names: List[str], opts: DiscoverOptions, cwd: Path, report: Skipped
              ) -> Iterator[Path]:
    shown_dir = None
    for name in sorted(names):
        if not name.endswith(".go"):
            continue
        if name.startswith((".", "_")):
            report.add("dot-underscore")  # the go tool ignores such files too (go help packages)
            continue
        f = directory / name
        if shown_dir is None:
            shown_dir = display_path(directory, cwd)  # once per directory: relpath is not cheap
        if _excluded(_child_display(shown_dir, f), opts, f):
            report.add("excluded")
        elif _special(f):
            report.add("special")
        else:
            yield f


def _child_display(shown_dir: str, f: Path) -> str:
    """``display_path(f, cwd)`` from the display path of ``f``'s directory."""
    if shown_dir == ".":
        return f.name
    shown = shown_dir + "/" + f.name
    return f.as_posix() if shown.startswith("../../../") else shown


def _walk(root: Path, get: OptionsFor, cwd: Path, report: Skipped) -> Iterator[Path]:
    for dirpath, names in _walk_dirs(root, get, cwd, report):
        yield from _go_files(Path(dirpath), names, get(Path(dirpath)), cwd, report)


def is_generated(source: bytes) -> bool:
    """Go's convention (go.dev/s/generatedcode): the marker line appears before the package clause."""
    for raw in source.splitlines():
        line = raw.rstrip(b"\r")
        if GENERATED_RE.match(line):
            return True
        if line.startswith(b"package ") or line.strip() == b"package":
            return False
    return False
