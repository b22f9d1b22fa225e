"""Stage 3b: the files of one Go package, parsed once.

A package is the ``.go`` files of one directory with the same package clause (``x`` and ``x_test``
are two packages; build-tag variants are all included, as ``go vet`` would see them across
configurations; generated files only with ``--include-generated``, as they are not linted).
``FileContext.package`` returns the :class:`PackageFiles` of a file: the file's own context plus a
context for each sibling of the same package.  The CLI parses a directory's packages once per run
(``load_directory``); the lazy path (``load``: stdin, the language server) reads siblings from disk
once per process (keyed by path, mtime and size, so an edited sibling is re-read).  ``load_directory``
parses only the files it lints: a sibling's tree is parsed when first asked (``FileContext.tree``), which
a sibling whose facts all come from the per-file facts store never is.

This module only loads and groups files.  What the package *means* (declarations, receivers,
struct fields, function summaries, field accesses) is computed from these trees by
``goexplint.analysis.package``; no rule reads sibling files itself.
"""

from __future__ import annotations

import gc
import os
from typing import Dict, List, Optional, Tuple

from goexplint.core import goversion
from goexplint.core.discover import is_generated
from goexplint.core.parse import FileContext, PackageFiles, package_clause, parse_bytes

# (path, mtime_ns, size, version override, environ, display path) -> the sibling's FileContext
_PARSED: Dict[tuple, Optional[FileContext]] = {}  # None: not part of any package (binary, generated)
_UNSEEN = object()
_PARSED_LIMIT = 2000


def sibling_paths(real_path: str) -> Tuple[str, List[str]]:
    """(directory, sorted paths of the other regular ``.go`` files of the directory).

    Only regular files: opening a named pipe called ``x.go`` would block the linter."""
    directory = os.path.dirname(os.path.abspath(real_path))
    base = os.path.basename(real_path)
    try:
        names = sorted(e.name for e in os.scandir(directory)
                       if e.name.endswith(".go") and e.name != base and e.is_file())
    except OSError:
        names = []
    return directory, [os.path.join(directory, n) for n in names]


def _parsed_sibling(path: str, shown: str, override: Optional[str], environ: Tuple[Tuple[str, str], ...],
                    include_generated: bool, max_size: int = 0) -> Optional[FileContext]:
    """The context of a sibling file on disk, parsed once per process and reused while the file is
    unchanged (path, mtime and size), so what rules cache on it (its part of the package model,
    its imports...) survives a re-lint of another file of the package."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if st.st_size > max_size > 0:
        return None  # too large to lint, so not parsed for the package model either
    key = (path, st.st_mtime_ns, st.st_size, override, environ, shown, include_generated)
    got = _PARSED.get(key, _UNSEEN)
    if got is _UNSEEN:
        try:
            with open(path, "rb") as fh:
                source = fh.read()
        except OSError:
            return None
        if b"\0" in source or (not include_generated and is_generated(source)):
            got = None  # remembered too: a generated sibling is not read again until it changes
        else:
            tree = parse_bytes(source)
            version = goversion.resolve(path, source, override=override, environ=dict(environ))
            got = FileContext(shown, source, tree, version, real_path=path)
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[key] = got
        global _FRESH_BYTES
        _FRESH_BYTES += st.st_size
    return got


# Bytes of siblings parsed since the last ``_settle``.  The parsed siblings (trees, contexts, their facts)
# live as long as the process (the language server) and are most of its objects: every full collection
# of Python's cyclic GC walks them again, which showed as 30-60 ms pauses at random points of an editor
# re-lint.  After a load that parsed a lot, what is alive is moved out of the collector's way
# (``gc.freeze``); the previous frozen set is collected first, so siblings replaced since then (a saved
# file re-parsed) are still freed.
_FRESH_BYTES = 0
_SETTLE_BYTES = 1 << 20


def _settle() -> None:
    global _FRESH_BYTES
    if _FRESH_BYTES < _SETTLE_BYTES:
        return
    _FRESH_BYTES = 0
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def lexical_package_name(source: bytes) -> Optional[str]:
    """The package clause's name read lexically (skipping a BOM, spaces and comments), or None when the
    file does not start like Go source.  Cheap: used for cache keys, where a file whose clause cannot
    be read this way counts as a member of every package of its directory."""
    i, n = 0, len(source)
    if source.startswith(b"\xef\xbb\xbf"):
        i = 3
    words: List[bytes] = []
    while i < n and len(words) < 2:
        c = source[i:i + 1]
        if c in (b" ", b"\t", b"\r", b"\n"):
            i += 1
        elif source.startswith(b"//", i):
            j = source.find(b"\n", i)
            i = n if j < 0 else j + 1
        elif source.startswith(b"/*", i):
            j = source.find(b"*/", i + 2)
            if j < 0:
                return None
            i = j + 2
        else:
            j = i
            while j < n and (source[j:j + 1].isalnum() or source[j:j + 1] == b"_" or source[j] >= 0x80):
                j += 1
            if j == i:
                return None
            words.append(source[i:j])
            i = j
    if len(words) == 2 and words[0] == b"package":
        try:
            return words[1].decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def directory_go_files(directory: str) -> List[str]:
    """Sorted paths of the regular ``.go`` files of ``directory`` (no named pipes: they would block)."""
    try:
        names = sorted(e.name for e in os.scandir(directory) if e.name.endswith(".go") and e.is_file())
    except OSError:
        names = []
    return [os.path.join(directory, n) for n in names]


def load_directory(directory: str, sources: Dict[str, Tuple[str, bytes]], override: Optional[str] = None,
                   environ: Tuple[Tuple[str, str], ...] = (), include_generated: bool = False, max_size: int = 0,
                   store=None,
                   read: Optional[Dict[str, Tuple[bytes, str, Optional[str]]]] = None,
                   lazy: bool = False) -> Dict[str, FileContext]:
    """Read every ``.go`` file of ``directory`` once and group them into packages by package clause.

    ``sources`` maps the real paths of the files to lint to (display path, bytes already read); the
    other files of the directory are read from disk.  Returns real path -> FileContext for the files
    of ``sources`` (files with NUL bytes are in no package and absent); each context's ``package``
    is the :class:`PackageFiles` shared by every file of its package.  The files of ``sources`` are
    parsed; the others (siblings) are parsed when something first asks for their tree, which a sibling
    whose facts all come from ``store`` (the per-file facts store, set on every context) never does.
    A sibling's package clause is read lexically when it can be (``lexical_package_name``).  ``read``:
    real path -> (bytes, sha256, lexical package name) of files read already (for the result cache's keys),
    not read again.  ``lazy``: the files of ``sources`` are not parsed either (until something asks for their
    tree) when their package clause can be read lexically."""
    paths = directory_go_files(directory)
    known = set(paths)
    paths.extend(p for p in sorted(sources) if p not in known)
    shown_dir = None
    for real, (shown, _) in sources.items():
        shown_dir = os.path.dirname(shown)
        break
    groups: Dict[str, List[FileContext]] = {}
    out: Dict[str, FileContext] = {}
    env = dict(environ)
    for path in paths:
        had = read.get(path) if read else None
        if path in sources:
            shown, source = sources[path]
        elif had is not None:
            source = had[0]
        else:
            try:
                with open(path, "rb") as fh:
                    source = fh.read()
            except OSError:
                continue
        if path not in sources:
            shown = os.path.join(shown_dir, os.path.basename(path)) if shown_dir is not None else path
        if b"\0" in source or (not include_generated and is_generated(source)) or len(source) > max_size > 0:
            continue  # generated (and too large) files are in a package only when they are linted
        version = goversion.resolve(path, source, override=override, environ=env)
        if path in sources:  # (parsed now, unless ``lazy``: a big package's files are parsed when linted)
            clause = lexical_package_name(source) if lazy else None
        elif had is not None and had[0] is source:
            clause = had[2]  # (read for the result cache's keys already)
        else:
            clause = lexical_package_name(source)
        if clause is None:
            ctx = FileContext(shown, source, parse_bytes(source), version, real_path=path)
            clause = package_clause(ctx.root)
        else:
            ctx = FileContext(shown, source, None, version, real_path=path)
        ctx.store = store
        if had is not None and (had[0] is source or had[0] == source):
            ctx.__dict__["digest"] = had[1]  # (FileContext.digest, worked out already)
        groups.setdefault(clause, []).append(ctx)
        if path in sources:
            out[path] = ctx
    for name, files in groups.items():
        files.sort(key=lambda f: f.real_path or f.path)
        pkg = PackageFiles(directory, name, files)
        pkg.linting = sum(1 for f in files if f.real_path in sources)
        for f in files:
            set_package(f, pkg)
    return out


def load(ctx, override: Optional[str] = None, environ: Tuple[Tuple[str, str], ...] = (),
         buffers: Optional[Dict[str, FileContext]] = None, include_generated: bool = False,
         max_size: int = 0) -> PackageFiles:
    """The package of ``ctx``: ``ctx`` plus its same-package siblings on disk (none for stdin/buffers
    without a real path).  ``buffers`` (real path -> context) are open editor buffers that replace
    the disk files of the same path.  Generated siblings are left out unless ``include_generated``
    (as they are not linted): the standard library's generated code is 38 of its 64 MB, and holding
    its trees for the model cost more memory than everything else."""
    name = package_clause(ctx.root)
    files = [ctx]
    directory = None
    if ctx.real_path:
        directory, paths = sibling_paths(ctx.real_path)
        for path in paths:
            sib = (buffers or {}).get(path)
            if sib is None:
                shown = os.path.join(os.path.dirname(ctx.path), os.path.basename(path))
                sib = _parsed_sibling(path, shown, override, environ, include_generated, max_size)
            if sib is None or package_clause(sib.root) != name:
                continue
            files.append(sib)
    _settle()
    files.sort(key=lambda f: f.real_path or f.path)
    pkg = PackageFiles(directory, name, files)
    pkg.linting = 1
    for f in files:
        if f is not ctx:
            set_package(f, pkg)  # a sibling's package-dependent facts (``file_summary``) are of this package
    return pkg


def set_package(ctx: FileContext, files: PackageFiles) -> None:
    """Make ``files`` the package of ``ctx`` (the engine and the language server share one
    PackageFiles between the files of a package)."""
    ctx._package = files
