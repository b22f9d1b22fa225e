"""The entry points: ``python -m goexplint``, the ``goexplint`` and ``goexplint-lsp`` commands.

Kept light on purpose: before anything heavy is imported (the command line, tree-sitter, the rules,
pygls) a Ctrl-C handler is installed that leaves at once with status 130 and one line.  Python's own
handler would raise KeyboardInterrupt in the middle of an import and print a traceback; there is
nothing to clean up yet (no file is written before the command line runs, and it installs its own
handler for that).  Only ``os`` and ``sys`` (loaded by the interpreter before any code of ours runs)
and the built-in ``_signal`` are imported here: the ``signal`` module would first import ``enum``,
about 4 ms during which Python's handler is still the one in place.
"""

import os
import sys

try:
    import _signal as signal  # built in: nothing to load (``signal`` is a wrapper around it)
except ImportError:  # pragma: no cover - another implementation
    import signal


def _leave(signum, frame):  # pragma: no cover - runs in the child of the interrupt tests
    try:
        os.write(2, b"goexplint: interrupted\n")
    finally:
        os._exit(130)


def _quiet_sigint() -> None:
    """Ctrl-C leaves quietly until the command line installs its own handling (main thread only)."""
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _leave)
    except (ValueError, OSError):  # not the main thread, or no signals here
        pass


def main(argv=None) -> int:
    """The ``goexplint`` command."""
    _quiet_sigint()
    try:
        from goexplint import cli

        return cli.main(argv)
    except KeyboardInterrupt:  # a handler of ours was not (yet, or any more) in place
        _leave(signal.SIGINT, None)
        return 130


def lsp_main(argv=None) -> int:
    """The ``goexplint-lsp`` command."""
    _quiet_sigint()
    try:
        from goexplint.integrations import lsp

        return lsp.main(argv)
    except KeyboardInterrupt:
        _leave(signal.SIGINT, None)
        return 130


if __name__ == "__main__":
    sys.exit(main())
