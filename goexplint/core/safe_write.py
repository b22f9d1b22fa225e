"""Write files so that a failure never leaves a half-written file behind.

Every file goexplint writes (``--fix``, ``--output``, baselines, cache entries) goes through
:func:`write_atomic`: the bytes go to a temporary file in the same directory, which then replaces the
target with ``os.replace`` (atomic on POSIX and Windows).  When anything fails -- a full disk, a
permission error, an interrupt -- the temporary file is removed and the target keeps its old bytes.
Only a regular file (or a new one) is replaced: a target that is a device, a pipe or a socket
(``-o /dev/null``, ``-o /dev/stdout``, a FIFO) is written to in place, since replacing it would put a
plain file where the device was (as root, ``/dev/null`` itself); a symbolic link is followed, so
the link stays and the file it points to is replaced.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from typing import Optional

TEMP_PREFIX = ".goexplint-tmp-"


def _write_all(fh, data: bytes) -> None:
    """Write and flush (a separate function so tests can inject a failing write)."""
    fh.write(data)
    fh.flush()


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: str, data: bytes, mode: Optional[int] = None) -> None:
    """Replace ``path`` with ``data``.  The file keeps its permission bits (a new file gets the usual
    ``0666 & ~umask``, or ``mode``).  Raises ``OSError`` with the target unchanged on failure."""
    try:
        st: Optional[os.stat_result] = os.stat(path)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(path, "wb") as fh:  # a device, a pipe, a socket: written to, never replaced
            _write_all(fh, data)
        return
    path = os.path.realpath(path)  # a link stays a link: the file it points to is replaced
    directory = os.path.dirname(path)
    if mode is None:
        mode = st.st_mode & 0o7777 if st is not None else _default_mode()
    with _signals_held():
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as fh:
                _write_all(fh, data)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


@contextlib.contextmanager
def _signals_held():
    """Ctrl-C and SIGTERM wait until the write is done or undone (no temporary file is left behind by
    an interrupt, and no target is half replaced); they are delivered right after."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    old = mask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, old)
