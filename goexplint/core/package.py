"""Stage 3b: the files of one Go package, parsed once.

A package is the ``.go`` files of one directory with the same package clause (``x`` and ``x_test``
are two packages; build-tag variants are all included, as ``go vet`` would see them across
configurations).  ``FileContext.package`` returns the :class:`PackageFiles` of a file: the file's own
context plus a context for each sibling of the same package, read from disk and parsed once per
process (keyed by path, mtime and size, so an edited sibling is re-read).

This module only loads and groups files.  What the package *means* (declarations, receivers,
struct fields, function summaries, field accesses) is computed from these trees by
``goexplint.analysis.package``; no rule reads sibling files itself.
"""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Tuple

import tree_sitter

from goexplint.core import goversion
from goexplint.core.data import GoVersion
from goexplint.core.parse import FileContext, PackageFiles, package_clause, parse_bytes

# (path, mtime_ns, size, version override, environ) -> (source, tree, GoVersion)
_PARSED: Dict[tuple, Tuple[bytes, tree_sitter.Tree, GoVersion]] = {}
_PARSED_LIMIT = 20000


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


def _parsed_sibling(path: str, override: Optional[str], environ: Tuple[Tuple[str, str], ...]):
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = (path, st.st_mtime_ns, st.st_size, override, environ)
    got = _PARSED.get(key)
    if got is None:
        try:
            with open(path, "rb") as fh:
                source = fh.read()
        except OSError:
            return None
        if b"\0" in source:
            return None
        tree = parse_bytes(source)
        version = goversion.resolve(path, source, override=override, environ=dict(environ))
        got = (source, tree, version)
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[key] = got
    return got


def load(ctx, override: Optional[str] = None, environ: Tuple[Tuple[str, str], ...] = ()) -> PackageFiles:
    """The package of ``ctx``: ``ctx`` plus its same-package siblings on disk (none for stdin/buffers
    without a real path)."""
    name = package_clause(ctx.root)
    files = [ctx]
    directory = None
    if ctx.real_path:
        directory, paths = sibling_paths(ctx.real_path)
        for path in paths:
            got = _parsed_sibling(path, override, environ)
            if got is None:
                continue
            source, tree, version = got
            if package_clause(tree.root_node) != name:
                continue
            shown = os.path.join(os.path.dirname(ctx.path), os.path.basename(path))
            files.append(FileContext(shown, source, tree, version, real_path=path))
    files.sort(key=lambda f: f.real_path or f.path)
    return PackageFiles(directory, name, files)
