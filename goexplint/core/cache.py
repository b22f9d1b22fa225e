"""Result cache: one entry per file, keyed by everything the file's findings depend on.

Layout: ``<cache dir>/v1/<2 hex>/<sha256>.pkl``.  The default cache directory is
``$XDG_CACHE_HOME/goexplint`` (``~/.cache/goexplint`` when XDG_CACHE_HOME is unset), so a run
never writes into the linted tree; ``--cache-dir`` overrides it, ``--no-cache`` disables it.
Deleting the directory at any time is safe.

The key hashes
  * the file's display path, real path and bytes,
  * the package's content: the names and bytes of every other ``.go`` file of the directory with
    the same package clause (read lexically; a file whose clause cannot be read that way counts as
    a member of every package), since rules read package facts from the package model,
  * the effective Go version and its source (go.mod / build tag / flag / GOEXPERIMENT),
  * the options (selected rules, --go-version, test-files, report-unused, include-generated,
    GOEXPERIMENT),
  * the goexplint version and the bytes of every query file and every goexplint Python module
    (refine modules and shared helpers), so editing a rule or a helper invalidates every entry.

Entries are written to a temporary file in the same directory and moved into place with
``os.replace``, so concurrent runs never see half-written entries; an entry that cannot be read
or unpickled (truncated, corrupt, from another Python) is ignored and rewritten.  The cache is
a local, per-user build artefact: do not point ``--cache-dir`` at a directory others can write.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
from pathlib import Path
from typing import Dict, Optional, Tuple

from goexplint import __version__
from goexplint.core.package import directory_go_files, lexical_package_name
from goexplint.core.safe_write import write_atomic
from goexplint.core.registry import queries_dir


def default_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "goexplint")


LAYOUT = "v1"
_TAG = b"Signature: 8a477f597d28d172789f06886806bc55\n# goexplint result cache; safe to delete.\n"


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """goexplint version + every query file + every Python module of the package."""

    h = hashlib.sha256(("goexplint %s\n" % __version__).encode())
    pkg = Path(__file__).resolve().parent.parent
    files = sorted(pkg.rglob("*.py")) + sorted(queries_dir().rglob("*.scm"))
    for f in files:
        try:
            data = f.read_bytes()
        except OSError:
            data = b"<unreadable>"
        h.update(os.path.relpath(f, pkg.parent).encode("utf-8", "surrogateescape"))
        h.update(b"\0%d\0" % len(data))
        h.update(data)
    return h.hexdigest()


@functools.lru_cache(maxsize=16)
def _options_digest(options) -> bytes:
    """The options' part of every key, once per options value (``astuple`` copies every field)."""
    return hashlib.sha256(repr(dataclasses.astuple(options)).encode()).digest()


class ResultCache:
    def __init__(self, directory: str):
        self.root = os.path.join(directory, LAYOUT)
        self._dirs: Dict[str, Dict[str, Tuple[str, Optional[str]]]] = {}
        self._digests: Dict[str, Dict[Optional[str], str]] = {}
        self.hits = 0
        self.misses = 0

    # -- key -------------------------------------------------------------------------------------
    def _directory_files(self, directory: str) -> Dict[str, Tuple[str, Optional[str]]]:
        """name -> (sha256, lexical package name) of every .go file in ``directory`` (memoised for
        the run)."""
        got = self._dirs.get(directory)
        if got is None:
            got = {}
            for path in directory_go_files(directory):  # regular files only: a named pipe would block
                try:
                    with open(path, "rb") as fh:
                        data = fh.read()
                    got[os.path.basename(path)] = (hashlib.sha256(data).hexdigest(), lexical_package_name(data))
                except OSError:
                    got[os.path.basename(path)] = ("<unreadable>", None)
            self._dirs[directory] = got
        return got

    def key(self, shown: str, real: Optional[str], source: bytes, options, version) -> str:
        h = hashlib.sha256()
        h.update(code_fingerprint().encode())
        h.update(_options_digest(options))
        h.update(repr(dataclasses.astuple(version)).encode())
        h.update(("\0%s\0%s\0" % (shown, real)).encode("utf-8", "surrogateescape"))
        h.update(hashlib.sha256(source).digest())
        if real:
            digests = self._package_digests(os.path.dirname(real))
            package = lexical_package_name(source)
            h.update((digests.get(package) or digests[None]).encode())
        return h.hexdigest()

    def _package_digests(self, directory: str) -> Dict[Optional[str], str]:
        """package clause -> one digest of the names and contents of the directory's files that may
        belong to that package (the files with that clause and those whose clause cannot be read);
        None -> of every file.  Worked out once per directory, so a key costs the same in a directory
        of 600 files as in one of 6 (each key used to hash every sibling again)."""
        got = self._digests.get(directory)
        if got is None:
            files = self._directory_files(directory)
            clauses = {clause for _, clause in files.values() if clause is not None}
            got = {}
            for package in sorted(clauses) + [None]:
                h = hashlib.sha256()
                for name in sorted(files):
                    digest, clause = files[name]
                    if package is None or clause is None or clause == package:
                        h.update(("\0%s=%s" % (name, digest)).encode("utf-8", "surrogateescape"))
                got[package] = h.hexdigest()
            self._digests[directory] = got
        return got

    def _path(self, key: str) -> str:
        return os.path.join(self.root, key[:2], key + ".pkl")

    # -- entries ---------------------------------------------------------------------------------
    def get(self, key: str):
        try:
            with open(self._path(key), "rb") as fh:
                stored_key, result = pickle.load(fh)
        except Exception:  # missing, truncated, corrupt, incompatible: a miss
            self.misses += 1
            return None
        if stored_key != key:
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, key: str, result) -> None:
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tag = os.path.join(os.path.dirname(self.root), "CACHEDIR.TAG")
            if not os.path.exists(tag):
                _atomic_write(tag, _TAG)
            _atomic_write(path, pickle.dumps((key, result), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # a read-only or full disk only costs speed


def _atomic_write(path: str, data: bytes) -> None:
    write_atomic(path, data)
