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

Beside it, ``<cache dir>/facts-v2/`` holds the per-file facts store (:class:`FactsStore`): the plain
per-file parts of package facts (declarations, field summaries...) that let a one-file lint of a big
package skip parsing and walking its siblings.  ``--no-cache`` disables both.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import os
import pickle
import time
import zlib
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from goexplint import __version__
from goexplint.core.package import directory_go_files, lexical_package_name
from goexplint.core.parse import gc_paused
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


@functools.lru_cache(maxsize=256)
def value_key(value) -> bytes:
    """A frozen dataclass's part of a key, once per value (``astuple`` copies every field): the options,
    and a file's ``GoVersion`` (most files of a module share one)."""
    return repr(dataclasses.astuple(value)).encode("utf-8", "surrogateescape")


class ResultCache:
    def __init__(self, directory: str):
        self.root = os.path.join(directory, LAYOUT)
        self._dirs: Dict[str, Dict[str, Tuple[str, Optional[str]]]] = {}
        self._digests: Dict[str, Dict[Optional[str], str]] = {}
        # directory -> real path -> (bytes, sha256, lexical package name) of the files read for the keys,
        # until ``read_files`` hands them on (so the directory's siblings are not read and hashed again to be linted)
        self._read: Dict[str, Dict[str, Tuple[bytes, str, Optional[str]]]] = {}
        self.hits = 0
        self.misses = 0

    # -- key -------------------------------------------------------------------------------------
    def _directory_files(self, directory: str) -> Dict[str, Tuple[str, Optional[str]]]:
        """name -> (sha256, lexical package name) of every .go file in ``directory`` (memoised for
        the run)."""
        got = self._dirs.get(directory)
        if got is None:
            got = {}
            where = os.path.abspath(directory)  # (the engine's directories are absolute)
            read = self._read[where] = {}
            for path in directory_go_files(directory):  # regular files only: a named pipe would block
                try:
                    with open(path, "rb") as fh:
                        data = fh.read()
                    digest = hashlib.sha256(data).hexdigest()
                    clause = lexical_package_name(data)
                    got[os.path.basename(path)] = (digest, clause)
                    read[os.path.join(where, os.path.basename(path))] = (data, digest, clause)
                except OSError:
                    got[os.path.basename(path)] = ("<unreadable>", None)
            self._dirs[directory] = got
        return got

    def read_files(self, directory: str) -> Dict[str, Tuple[bytes, str, Optional[str]]]:
        """real path -> (bytes, sha256, package clause) of the files of ``directory`` read for the keys (each handed on
        once, then forgotten: a run over many directories does not keep every file's bytes)."""
        return self._read.pop(directory, {})

    def key(self, shown: str, real: Optional[str], source: bytes, options, version) -> str:
        h = hashlib.sha256()
        h.update(code_fingerprint().encode())
        h.update(value_key(options))
        h.update(value_key(version))
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


# ------------------------------------------------------------------------------- per-file facts store
FACTS_LAYOUT = "facts-v2"
FACTS_LIMIT = 512 * 1000 * 1000  # bytes: above this, the least recently used entries are removed
_PRUNE_EVERY = 3600.0  # seconds between two size checks of one store (a stamp file's mtime)
_KEEP_YOUNG = 86400.0  # an entry read that was written longer ago is touched (it is in use)


class FactsStore:
    """The per-file facts store: the values of persistent kept providers (``core.providers``) on disk,
    so that linting one edited file of a big package reads its siblings' parts (their declarations,
    their field summaries) instead of parsing and walking every sibling again.

    Layout: ``<cache dir>/facts-v2/<2 hex>/<sha256>.pkl``, beside the result cache (``--no-cache``
    disables both; deleting the directory is safe).  The key hashes the tool's code fingerprint, the
    provider's name, the file's display and real paths, the sha256 of its bytes, its Go version and,
    for a provider that depends on the package, the ``depends_on`` answer (the package model's
    fingerprint).  An entry is a CRC-32 of its pickle, then the pickle of ``(key, value)``.  Writes are atomic
    (``core.safe_write``); an entry that cannot be read, fails its checksum or cannot be unpickled, or
    whose stored key differs, is a miss (and is rewritten).  (The checksum matters because a value may
    hold nested pickles that are unpickled only later, e.g. ``fields.FileSummary``: damage to them must
    be found when the entry is read.)  The store is kept under ``FACTS_LIMIT``
    bytes: at most once an hour a run that writes checks its size and removes the entries least
    recently used (an entry read is touched once a day)."""

    def __init__(self, directory: str, limit: int = FACTS_LIMIT):
        self.root = os.path.join(directory, FACTS_LAYOUT)
        self.limit = limit
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._mode: Optional[int] = None
        self._checked = False

    def key(self, name: str, ctx, token: object = None) -> str:
        base = ctx.__dict__.get("_facts_key")  # what every key of the file shares, worked out once
        if base is None:
            h = hashlib.sha256(code_fingerprint().encode())
            h.update(("\0%s\0%s\0%s\0" % (ctx.path, ctx.real_path, ctx.digest)).encode("utf-8", "surrogateescape"))
            h.update(value_key(ctx.go))
            base = ctx.__dict__["_facts_key"] = h.digest()
        h = hashlib.sha256(base)
        h.update(("\0%s\0%r" % (name, token)).encode("utf-8", "surrogateescape"))
        return h.hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.root, key[:2], key + ".pkl")

    def get(self, key: str, default=None):
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
                mtime = os.fstat(fh.fileno()).st_mtime
            body = memoryview(data)[4:]
            if len(data) < 4 or int.from_bytes(data[:4], "little") != zlib.crc32(body):
                raise ValueError("checksum")
            stored_key, value = _loads(body)
        except Exception:  # missing, truncated, corrupt, from another Python: a miss
            self.misses += 1
            return default
        if stored_key != key:
            self.misses += 1
            return default
        self.hits += 1
        if time.time() - mtime > _KEEP_YOUNG:
            try:
                os.utime(path)
            except OSError:
                pass
        return value

    def put(self, key: str, value) -> None:
        try:
            data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # not plain data after all: it only costs speed
            return
        data = zlib.crc32(data).to_bytes(4, "little") + data
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if self._mode is None:
                self._mode = _default_mode()
                tag = os.path.join(os.path.dirname(self.root), "CACHEDIR.TAG")
                if not os.path.exists(tag):
                    _atomic_write(tag, _TAG)
            write_atomic(path, data, self._mode)
        except OSError:
            return  # a read-only or full disk only costs speed
        self.writes += 1
        if not self._checked:
            self._checked = True
            self._maybe_prune()

    def _maybe_prune(self) -> None:
        stamp = os.path.join(self.root, "last-size-check")
        try:
            if time.time() - os.stat(stamp).st_mtime < _PRUNE_EVERY:
                return
        except OSError:
            pass
        try:
            write_atomic(stamp, b"", self._mode)
        except OSError:
            return
        self.prune()

    def prune(self) -> int:
        """Remove the least recently used entries while the store is above its limit (down to three
        quarters of it); returns how many were removed."""
        entries: List[Tuple[float, int, str]] = []
        total = 0
        try:
            subdirs = [e.path for e in os.scandir(self.root) if e.is_dir()]
        except OSError:
            return 0
        for sub in subdirs:
            try:
                for e in os.scandir(sub):
                    if e.name.endswith(".pkl"):
                        st = e.stat()
                        entries.append((st.st_mtime, st.st_size, e.path))
                        total += st.st_size
            except OSError:
                continue
        if total <= self.limit:
            return 0
        removed = 0
        entries.sort()
        for _, size, path in entries:
            if total <= self.limit * 3 // 4:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
            removed += 1
        return removed


def _loads(data: bytes):
    """``pickle.loads`` with the cyclic collector paused (``parse.gc_paused``): the thousands of small
    objects of a sibling's facts would otherwise set off collections that walk every live object.  (Most
    reads are made inside a pause already: merging a package's parts; then nothing more is needed.)"""
    if not gc.isenabled():
        return pickle.loads(data)
    with gc_paused():
        return pickle.loads(data)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
