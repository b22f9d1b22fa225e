"""Language server: ``goexplint lsp`` / ``goexplint-lsp`` (LSP over stdio, built on pygls 2).

* Diagnostics are pushed on didOpen, didChange (debounced, default 25 ms), didSave and cleared
  on didClose.  After an edit the buffer is parsed on the event loop and linted in a worker
  thread, so the next edit is read while the lint runs; a run for a version that a newer edit has
  superseded is cancelled (not started if it was still waiting, its result dropped otherwise) and
  never published.  The buffer contents are linted, not the file on disk; the file's own go.mod
  decides its Go version, exactly as on the command line (``engine.lint_source``).
* Edited buffers are re-parsed incrementally: the server keeps each document's bytes and
  tree-sitter tree, applies ``tree.edit`` for every content change and hands the old tree to
  the parser.  The rules' query runs again only over the top-level declarations the edit changed;
  the matches of the others come from the buffer's last lint (``core.requery``; same matches, so
  the same findings).
* The package of an open file is its siblings on disk (each parsed once and kept while unchanged,
  with its part of the package model) plus the other open buffers of its package, which replace
  their disk files; after an edit only the edited file's part of the model is rebuilt.
* Diagnostic: ``code`` = rule id, ``codeDescription.href`` = the rule's documentation,
  ``source`` = "goexplint", severity from the rule, ``relatedInformation`` from the finding.
  Positions use the negotiated position encoding (utf-8, utf-16 or utf-32).
* Code actions: the rule's safe fix (quick fix), "Ignore GXLnnn on this line" for every
  diagnostic, and ``source.fixAll.goexplint`` (every safe fix of the document).
* Settings (``initializationOptions``, ``workspace/didChangeConfiguration`` -- optionally under a
  ``goexplint`` key -- or, when the notification carries none, pulled with ``workspace/configuration``
  section ``goexplint``, also right after ``initialized``): ``select``, ``ignore`` (lists of rule
  selectors, as on the command line), ``goVersion`` ("1.21"), ``debounceMs``, ``logLevel``.  They
  override the project's ``.goexplint.toml``.

* Malformed messages are answered as JSON-RPC 2.0 says (see "malformed messages" below): a request
  always gets a response -- -32700 parse error, -32600 invalid request, -32601 method not found,
  -32602 invalid params, -32002 before ``initialize`` -- with its id (null when it cannot be read);
  a notification never does (one before ``initialize`` is dropped).  The exit code is 0 when
  ``shutdown`` came first, else 1.

Nothing is ever written to stdout except the protocol; logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import logging
import os
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from goexplint import __version__
from goexplint.core import config as config_mod
from goexplint.core import engine
from goexplint.core import goversion
from goexplint.core import package as package_mod
from goexplint.integrations.fixes import plan
from goexplint.core.data import Edit, Finding
from goexplint.core.parse import FileContext, parse_bytes
from goexplint.core.registry import rules_by_id, select_rules
from goexplint.core.requery import QueryMemo
from goexplint.report.common import first_line_and_body

LOG = logging.getLogger("goexplint.integrations.lsp")
SOURCE = "goexplint"
FIX_ALL = T.CodeActionKind.SourceFixAll.value + ".goexplint"
SEVERITY = {"error": T.DiagnosticSeverity.Error, "warning": T.DiagnosticSeverity.Warning,
            "note": T.DiagnosticSeverity.Information}
_IGNORE_LINE = re.compile(rb"^(\s*//goexplint:ignore\s+)(\S+)(.*)$")


# ---- positions -------------------------------------------------------------------------------

def line_starts(source: bytes) -> List[int]:
    starts = [0]
    i = source.find(b"\n")
    while i >= 0:
        starts.append(i + 1)
        i = source.find(b"\n", i + 1)
    return starts


def _units(prefix: bytes, encoding: str) -> int:
    if encoding == "utf-8":
        return len(prefix)
    text = prefix.decode("utf-8", "replace")
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def to_position(source: bytes, starts: List[int], offset: int, encoding: str) -> T.Position:
    """Byte offset -> LSP position in the negotiated encoding."""
    import bisect

    row = bisect.bisect_right(starts, offset) - 1
    return T.Position(line=row, character=_units(source[starts[row]:offset], encoding))


def to_offset(source: bytes, starts: List[int], pos: T.Position, encoding: str) -> int:
    """LSP position -> byte offset (clamped to the line, as the protocol asks)."""
    if pos.line >= len(starts):
        return len(source)
    start = starts[pos.line]
    end = starts[pos.line + 1] - 1 if pos.line + 1 < len(starts) else len(source)
    line = source[start:end]
    if encoding == "utf-8":
        return start + min(pos.character, len(line))
    units = 0
    text = line.decode("utf-8", "replace")
    nbytes = 0
    for ch in text:
        if units >= pos.character:
            break
        units += 1 if encoding == "utf-32" or ord(ch) < 0x10000 else 2
        nbytes += len(ch.encode("utf-8"))
    return start + min(nbytes, len(line))


def _point(source: bytes, starts: List[int], offset: int):
    import bisect

    row = bisect.bisect_right(starts, offset) - 1
    return (row, offset - starts[row])


# ---- documents -------------------------------------------------------------------------------

@dataclasses.dataclass
class Doc:
    uri: str
    source: bytes
    version: Optional[int]
    tree: object = None  # tree-sitter tree of ``source`` (edited, not yet re-parsed, after changes)
    findings: List[Finding] = dataclasses.field(default_factory=list)
    linted_source: Optional[bytes] = None  # the bytes ``findings`` refer to
    task: Optional[asyncio.Task] = None
    reparses: int = 0  # incremental re-parses done (for tests and logs)
    ctx: object = None  # the FileContext of ``linted_source`` (a sibling of other open files of its package)
    # the last query matches of this buffer: a re-lint queries only the declarations an edit changed
    memo: QueryMemo = dataclasses.field(default_factory=QueryMemo)


def apply_change(doc: Doc, change, encoding: str) -> None:
    """Apply one content change to the document bytes and, when there is a tree, edit the tree."""
    rng = getattr(change, "range", None)
    if rng is None:
        doc.source = change.text.encode("utf-8")
        doc.tree = None
        return
    starts = line_starts(doc.source)
    start = to_offset(doc.source, starts, rng.start, encoding)
    end = max(start, to_offset(doc.source, starts, rng.end, encoding))
    new = change.text.encode("utf-8")
    updated = doc.source[:start] + new + doc.source[end:]
    if doc.tree is not None:
        new_end = start + len(new)
        doc.tree.edit(start_byte=start, old_end_byte=end, new_end_byte=new_end,
                      start_point=_point(doc.source, starts, start), old_end_point=_point(doc.source, starts, end),
                      new_end_point=_point(updated, line_starts(updated), new_end))
    doc.source = updated


def reparse(source: bytes, edited_tree) -> Tuple[object, bool]:
    """(tree of ``source``, parsed again from scratch): the tree the command line gets for ``source``.

    ``edited_tree`` is the buffer's last tree with ``tree.edit`` applied for every change since (or None).
    The re-parse reuses it, but tree-sitter's error recovery does not promise the tree of a fresh parse:
    after some edits into a buffer with syntax errors the incremental tree recovers differently (other
    ERROR nodes, statements kept or dropped), although the edit handed to tree-sitter is exact.  Such a
    re-parse is done again from scratch, so a broken buffer gets the findings of a full lint too; a tree
    without errors is kept (``tests/test_lsp.py`` compares both ways of parsing after random edits)."""
    if edited_tree is None:
        return parse_bytes(source), False
    tree = parse_bytes(source, edited_tree)
    if tree.root_node.has_error:
        return parse_bytes(source), True
    return tree, False


# ---- settings --------------------------------------------------------------------------------

@dataclasses.dataclass
class Settings:
    select: Optional[List[str]] = None
    ignore: Optional[List[str]] = None
    go_version: Optional[str] = None
    debounce_ms: int = 25  # edit-to-diagnostic latency = this + one lint; stale runs are cancelled
    log_level: str = "warning"  # "debug": window/logMessage for every lint (how the buffer was parsed)

    def update(self, raw) -> None:
        if not isinstance(raw, dict):
            return
        if isinstance(raw.get("goexplint"), dict):
            raw = raw["goexplint"]
        new = dataclasses.replace(self)
        for key, attr in (("select", "select"), ("ignore", "ignore"), ("goVersion", "go_version"),
                          ("go-version", "go_version"), ("debounceMs", "debounce_ms"),
                          ("logLevel", "log_level")):
            if key in raw:
                setattr(new, attr, raw[key])
        for attr in ("select", "ignore"):
            value = getattr(new, attr)
            if isinstance(value, str):
                setattr(new, attr, [v.strip() for v in value.split(",") if v.strip()])
        if new.select is not None:
            select_rules(new.select, new.ignore)  # ValueError on an unknown selector
        elif new.ignore:
            select_rules(None, new.ignore)
        if new.go_version:
            goversion.parse_lang(str(new.go_version))
        new.debounce_ms = int(new.debounce_ms)
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(new, f.name))


# ---- malformed messages ----------------------------------------------------------------------
#
# JSON-RPC 2.0 (which LSP's base protocol is): every request gets a response, also a malformed one,
# with the request's id (null when it cannot be read); a notification never does.  pygls drops a
# message it cannot read with a window/showMessage "Invalid Params" and no response, so the editor
# waits for its timeout.  Here: -32700 for a body that is not JSON, -32600 for something that is not
# a request (not an object, no or a wrong "jsonrpc", an id that is not a string or number, a request
# after shutdown), -32602 for a known method whose params do not fit, -32601 (pygls) for an unknown
# method.  A malformed notification (or response) is only logged.

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
SERVER_NOT_INITIALIZED = -32002  # LSP: a request before ``initialize``


@dataclasses.dataclass
class _Malformed:
    """A message object pygls could not read, and what to answer."""

    data: dict
    detail: str


def _valid_id(value) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def _why(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    try:
        import cattrs

        if isinstance(cause, cattrs.BaseValidationError):
            return "; ".join(cattrs.transform_error(cause))[:500]
    except (ImportError, AttributeError):  # pragma: no cover - cattrs is pygls' dependency
        pass
    return str(cause)[:500] or type(cause).__name__


class GoexplintProtocol(LanguageServerProtocol):
    def structure_message(self, data):
        if "jsonrpc" not in data:  # a nested object, or a message without "jsonrpc" (handle_message)
            return data
        method = data.get("method")
        if isinstance(method, str) and "params" not in data and self.get_message_type(method) is None:
            data = dict(data, params=None)  # params may be omitted (JSON-RPC); pygls' generic types want them
        try:
            return super().structure_message(data)
        except Exception as exc:
            return _Malformed(data, _why(exc))

    def send_error(self, msg_id, code: int, message: str) -> None:
        self._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})

    def _log(self, message: str) -> None:
        LOG.warning("%s", message)
        self.notify(T.WINDOW_LOG_MESSAGE, T.LogMessageParams(type=T.MessageType.Warning,
                                                             message="goexplint: " + message))

    def handle_message(self, message):
        if isinstance(message, _Malformed):
            return self._malformed(message.data, message.detail)
        if not hasattr(message, "jsonrpc"):  # not an object (an array, a number...) or no "jsonrpc"
            data = message if isinstance(message, dict) else {}
            what = "not a JSON-RPC 2.0 message (no \"jsonrpc\": \"2.0\")" if isinstance(message, dict) else \
                "not a JSON-RPC message object (LSP has no batches)"
            return self._invalid(data, what)
        if message.jsonrpc != "2.0":
            return self._invalid({"id": getattr(message, "id", None)}, "jsonrpc must be \"2.0\"")
        method = getattr(message, "method", None)
        if method is not None and hasattr(message, "id") and not _valid_id(message.id):
            return self._invalid({}, "id must be a string or a number")
        if method is not None and self._before_initialize(method, getattr(message, "id", None), hasattr(message, "id")):
            return None
        if self._shutdown and method != T.EXIT and hasattr(message, "id") and method is not None:
            return self.send_error(message.id, INVALID_REQUEST, "the server is shut down (only exit is accepted)")
        return super().handle_message(message)

    def _before_initialize(self, method: str, msg_id, has_id: bool) -> bool:
        """LSP: until ``initialize`` arrives, a request is answered with -32002 and a notification is
        dropped (``exit`` excepted).  True when the message was answered or dropped here."""
        if getattr(self, "_initialize_seen", False) or method == T.EXIT:
            return False
        if method == T.INITIALIZE:
            self._initialize_seen = True
            return False
        if has_id:
            self.send_error(msg_id, SERVER_NOT_INITIALIZED, "the server is not initialized: send initialize first")
        return True

    def _invalid(self, data: dict, what: str) -> None:
        msg_id = data.get("id")
        self.send_error(msg_id if _valid_id(msg_id) else None, INVALID_REQUEST, "Invalid Request: " + what)

    def _malformed(self, data: dict, detail: str) -> None:
        method, has_id = data.get("method"), "id" in data
        if "method" in data and not isinstance(method, str):
            return self._invalid(data, "method must be a string")
        if has_id and not _valid_id(data["id"]):
            if "method" in data or not ("result" in data or "error" in data):
                return self._invalid(data, "id must be a string or a number")
        if isinstance(method, str) and method != T.INITIALIZE and \
                self._before_initialize(method, data["id"] if has_id else None, has_id):
            return None
        if isinstance(method, str) and has_id and self._shutdown and method != T.EXIT:
            return self.send_error(data["id"], INVALID_REQUEST, "the server is shut down (only exit is accepted)")
        if isinstance(method, str) and has_id:
            return self.send_error(data["id"], INVALID_PARAMS, "Invalid params for %s: %s" % (method, detail))
        if isinstance(method, str):
            return self._log("ignored a %s notification with invalid params: %s" % (method, detail))
        if "result" in data or "error" in data:
            return self._log("ignored a malformed response (id %r): %s" % (data.get("id"), detail))
        return self._invalid(data, "neither a request, a notification nor a response")


# ---- the server ------------------------------------------------------------------------------

class GoexplintServer(LanguageServer):
    def __init__(self):
        super().__init__("goexplint", __version__, text_document_sync_kind=T.TextDocumentSyncKind.Incremental,
                         protocol_cls=GoexplintProtocol)
        self.docs: Dict[str, Doc] = {}
        self.settings = Settings()
        self.lint_lock = threading.Lock()  # one lint at a time (the analyses memoise per process)
        # contexts of buffers linted again since: closed by the next lint, under ``lint_lock`` (not while a
        # lint that was handed one as a sibling buffer may still be running)
        self.retired: List[FileContext] = []
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="goexplint-lint")

    def report_server_error(self, error: Exception, source) -> None:
        import json

        if isinstance(error, (json.JSONDecodeError, UnicodeDecodeError)):  # a body json.loads cannot read
            self.protocol.send_error(None, PARSE_ERROR, "Parse error: %s" % error)
            return
        super().report_server_error(error, source)

    @property
    def encoding(self) -> str:
        enc = self.workspace.position_encoding
        return getattr(enc, "value", enc) or "utf-16"

    def options_for(self, real: Optional[str]) -> engine.Options:
        cfg = {}
        if real is not None:
            try:
                found = config_mod.find_config(Path(real).parent)
                cfg = found[1] if found else {}
            except (OSError, config_mod.ConfigError) as exc:
                LOG.warning("ignoring the configuration file: %s", exc)
        s = self.settings
        select = s.select if s.select is not None else cfg.get("select")
        ignore = list(cfg.get("ignore") or []) + list(s.ignore or [])
        rules = select_rules(select, ignore)
        return engine.Options(rule_ids=tuple(r.id for r in rules),
                              go_version=s.go_version or cfg.get("go-version"),
                              report_unused=bool(cfg.get("report-unused-suppressions", False)),
                              environ=engine.environ_options(),
                              file_timeout=float(cfg.get("file-timeout", engine.DEFAULT_FILE_TIMEOUT)))

    def _parse(self, doc: Doc):
        """Re-parse the buffer (incrementally when it has an edited tree); returns (tree, how): "incremental",
        "full" or "full after an incremental parse with syntax errors"."""
        incremental = doc.tree is not None
        if incremental:
            doc.reparses += 1
        doc.tree, fresh = reparse(doc.source, doc.tree)
        return doc.tree, "full after an incremental parse with syntax errors" if fresh else (
            "incremental" if incremental else "full")

    def _buffers_of(self, doc: Doc, real: Optional[str]) -> Dict[str, object]:
        """The other open buffers of ``real``'s directory, linted as they are now: they replace their disk
        files in the package (read on the event loop, before a lint is handed to the worker thread)."""
        buffers: Dict[str, object] = {}
        if real is None:
            return buffers
        here = os.path.dirname(real)
        for other in self.docs.values():
            octx = other.ctx
            if other is not doc and octx is not None and other.linted_source == other.source \
                    and octx.real_path and os.path.dirname(octx.real_path) == here:
                buffers[octx.real_path] = octx
        return buffers

    def _lint_locked(self, shown: str, source: bytes, options: engine.Options, real: Optional[str], tree,
                     buffers: Dict[str, object], memo: Optional[QueryMemo] = None):
        """(result, ctx): the file linted with its package (siblings on disk, parsed once and kept while
        unchanged, and the other open buffers of the directory instead of their disk files)."""
        with self.lint_lock:
            while self.retired:
                self.retired.pop().close()  # (its cycles broken now: they would wait for the cyclic collector)
            version = goversion.resolve(shown, source, override=options.go_version, environ=dict(options.environ))
            ctx = FileContext(shown, source, tree, version, real_path=real)
            ctx.package_loader = functools.partial(package_mod.load, ctx, options.go_version, options.environ,
                                                   buffers, options.include_generated)
            return engine.lint_source(shown, source, options, real_path=real, tree=tree, ctx=ctx, memo=memo), ctx

    def _debug(self, message: str) -> None:
        if self.settings.log_level == "debug":
            self.window_log_message(T.LogMessageParams(type=T.MessageType.Log, message="goexplint: " + message))

    def _done(self, doc: Doc, source: bytes, result, how: str, ctx) -> None:
        if doc.ctx is not None and doc.ctx is not ctx:
            self.retired.append(doc.ctx)
        doc.ctx = ctx
        doc.findings = [f for f in result.findings if f.suppressed is None]
        doc.linted_source = source
        for n in result.notices:
            if n.kind == "timeout":  # the file was only partly analysed: say so in the editor's log
                self.window_log_message(T.LogMessageParams(type=T.MessageType.Warning,
                                                           message="goexplint: %s: %s" % (doc.uri, n.message)))
        self._debug("%s version %s: %s parse, %d findings" % (
            doc.uri, doc.version, how, len(doc.findings)))

    def lint(self, doc: Doc) -> None:
        """Lint now, on the event loop (open, save, settings, code actions on a stale buffer)."""
        real = to_fs_path(doc.uri) if doc.uri.startswith("file:") else None
        source = doc.source
        tree, how = self._parse(doc)
        result, ctx = self._lint_locked(real or doc.uri, source, self.options_for(real), real, tree,
                                        self._buffers_of(doc, real), doc.memo)
        self._done(doc, source, result, how, ctx)

    async def lint_in_thread(self, doc: Doc) -> bool:
        """Lint the buffer's current version in the worker thread; publish unless a newer edit
        superseded it meanwhile.  Returns whether it published."""
        real = to_fs_path(doc.uri) if doc.uri.startswith("file:") else None
        version, source = doc.version, doc.source
        tree, how = self._parse(doc)
        options = self.options_for(real)
        loop = asyncio.get_running_loop()
        # the thread gets its own copy of the tree: the next didChange edits doc.tree in place
        result, ctx = await loop.run_in_executor(self.executor, self._lint_locked, real or doc.uri, source, options,
                                                 real, tree.copy(), self._buffers_of(doc, real), doc.memo)
        if self.docs.get(doc.uri) is not doc or doc.version != version or doc.source != source:
            self._debug("%s version %s: superseded by a newer edit, result dropped" % (doc.uri, version))
            return False
        self._done(doc, source, result, how, ctx)
        self.publish(doc)
        return True

    def diagnostics(self, doc: Doc) -> List[T.Diagnostic]:
        src = doc.linted_source or b""
        starts = line_starts(src)
        enc = self.encoding
        by_id = rules_by_id()
        related_ok = True
        caps = self.client_capabilities
        pub = caps and caps.text_document and caps.text_document.publish_diagnostics
        if pub is not None and pub.related_information is False:
            related_ok = False

        def rng(span):
            return T.Range(start=to_position(src, starts, span.start.offset, enc),
                           end=to_position(src, starts, span.end.offset, enc))

        out = []
        for f in doc.findings:
            rule = by_id.get(f.rule_id)
            related = [T.DiagnosticRelatedInformation(location=T.Location(uri=doc.uri, range=rng(r.span)),
                                                      message=r.message) for r in f.related] if related_ok else []
            out.append(T.Diagnostic(
                # a short first line (what editors show inline), then the whole message (hover)
                range=rng(f.span), message=first_line_and_body(f.message),
                severity=SEVERITY.get(f.severity, T.DiagnosticSeverity.Warning),
                code=f.rule_id, code_description=T.CodeDescription(href=rule.help_uri) if rule else None,
                source=SOURCE, related_information=related or None,
                data={"fixable": any(x.safe for x in f.fixes)}))
        return out

    def publish(self, doc: Doc) -> None:
        self.text_document_publish_diagnostics(
            T.PublishDiagnosticsParams(uri=doc.uri, version=doc.version, diagnostics=self.diagnostics(doc)))

    def lint_and_publish(self, doc: Doc) -> None:
        try:
            self.lint(doc)
        except Exception as exc:  # a bug must not kill the editor session
            LOG.exception("linting %s failed", doc.uri)
            self.window_log_message(T.LogMessageParams(type=T.MessageType.Error,
                                                       message="goexplint: linting %s failed: %s" % (doc.uri, exc)))
            return
        self.publish(doc)

    def schedule(self, doc: Doc) -> None:
        """Lint ``doc`` after the debounce; a pending or running lint of an older version is cancelled."""
        if doc.task is not None:
            doc.task.cancel()
        delay = max(0, self.settings.debounce_ms) / 1000.0
        version = doc.version

        async def later():
            try:
                await asyncio.sleep(delay)
                if self.docs.get(doc.uri) is doc:
                    await self.lint_in_thread(doc)
            except asyncio.CancelledError:
                self._debug("%s version %s: superseded by a newer edit, run cancelled" % (doc.uri, version))
                raise
            except Exception as exc:  # a bug must not kill the editor session
                LOG.exception("linting %s failed", doc.uri)
                self.window_log_message(T.LogMessageParams(
                    type=T.MessageType.Error, message="goexplint: linting %s failed: %s" % (doc.uri, exc)))
            finally:
                if doc.task is task:
                    doc.task = None

        task = doc.task = asyncio.get_running_loop().create_task(later())

    def current(self, uri: str) -> Optional[Doc]:
        doc = self.docs.get(uri)
        if doc is not None and doc.linted_source != doc.source:
            self.lint(doc)  # a code action on a buffer whose debounced lint has not run yet
        return doc


def _edits(doc: Doc, edits: Sequence[Edit], enc: str) -> List[T.TextEdit]:
    src = doc.linted_source
    starts = line_starts(src)
    return [T.TextEdit(range=T.Range(start=to_position(src, starts, e.start, enc),
                                     end=to_position(src, starts, e.end, enc)), new_text=e.text)
            for e in sorted(set(edits), key=lambda e: (e.start, e.end))]


def _finding_for(doc: Doc, diag: T.Diagnostic, starts: List[int], enc: str) -> Optional[Finding]:
    """The finding a diagnostic sent back by the client stands for: same rule and start position, else
    the same rule on the same line (Neovim 0.7 sends byte columns back as UTF-16 characters)."""
    start = to_offset(doc.linted_source, starts, diag.range.start, enc)
    same_rule = [f for f in doc.findings if f.rule_id == diag.code]
    exact = [f for f in same_rule if f.span.start.offset == start]
    if exact:
        return exact[0]
    on_line = [f for f in same_rule if f.span.start.row == diag.range.start.line]
    return on_line[0] if on_line else None


def ignore_edit(source: bytes, row: int, rule_id: str) -> Edit:
    """``//goexplint:ignore RULE`` on its own line above ``row`` (same indentation), or the rule
    added to such a directive already there."""
    starts = line_starts(source)
    start = starts[row]
    end = starts[row + 1] - 1 if row + 1 < len(starts) else len(source)
    line = source[start:end]
    if row > 0:
        above_start = starts[row - 1]
        above = source[above_start:start - 1]
        m = _IGNORE_LINE.match(above)
        if m:
            at = above_start + m.end(2)
            return Edit(at, at, "," + rule_id)
    indent = line[:len(line) - len(line.lstrip(b" \t"))].decode("utf-8")
    return Edit(start, start, "%s//goexplint:ignore %s\n" % (indent, rule_id))


def build_server() -> GoexplintServer:
    server = GoexplintServer()

    @server.feature(T.INITIALIZE)
    def initialize(ls: GoexplintServer, params: T.InitializeParams):
        try:
            ls.settings.update(params.initialization_options or {})
        except ValueError as exc:
            ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Error,
                                                       message="goexplint: bad settings: %s" % exc))

    @server.feature(T.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: GoexplintServer, params: T.DidOpenTextDocumentParams):
        td = params.text_document
        doc = Doc(td.uri, td.text.encode("utf-8"), td.version)
        ls.docs[td.uri] = doc
        ls.lint_and_publish(doc)

    @server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: GoexplintServer, params: T.DidChangeTextDocumentParams):
        doc = ls.docs.get(params.text_document.uri)
        if doc is None:
            return
        for change in params.content_changes:
            apply_change(doc, change, ls.encoding)
        doc.version = params.text_document.version
        current = ls.workspace.get_text_document(doc.uri).source.encode("utf-8")
        if current != doc.source:  # never lint something other than what the editor shows
            LOG.warning("%s: buffer out of sync, re-reading it", doc.uri)
            self_log = "goexplint: %s: buffer out of sync, full re-parse" % doc.uri
            ls.window_log_message(T.LogMessageParams(type=T.MessageType.Warning, message=self_log))
            doc.source, doc.tree = current, None
        ls.schedule(doc)

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: GoexplintServer, params: T.DidSaveTextDocumentParams):
        doc = ls.docs.get(params.text_document.uri)
        if doc is None:
            return
        if doc.task is not None:
            doc.task.cancel()
            doc.task = None
        ls.lint_and_publish(doc)

    @server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: GoexplintServer, params: T.DidCloseTextDocumentParams):
        doc = ls.docs.pop(params.text_document.uri, None)
        if doc is not None and doc.task is not None:
            doc.task.cancel()
        if doc is not None and doc.ctx is not None:
            ls.retired.append(doc.ctx)
        ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    async def pull_configuration(ls: GoexplintServer) -> dict:
        """The client's ``goexplint`` section via workspace/configuration ({} when unsupported)."""
        caps = ls.client_capabilities
        if not (caps and caps.workspace and caps.workspace.configuration):
            return {}
        try:
            result = await ls.workspace_configuration_async(
                T.ConfigurationParams(items=[T.ConfigurationItem(section="goexplint")]))
        except Exception as exc:  # a client that advertises the request but fails it
            LOG.warning("workspace/configuration failed: %s", exc)
            return {}
        return result[0] if result and isinstance(result[0], dict) else {}

    @server.feature(T.INITIALIZED)
    async def initialized(ls: GoexplintServer, params: T.InitializedParams):
        pulled = await pull_configuration(ls)
        if pulled:
            await did_change_configuration(ls, T.DidChangeConfigurationParams(settings=pulled))

    @server.feature(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: GoexplintServer, params: T.DidChangeConfigurationParams):
        settings = params.settings
        if not settings:  # VS Code style: "something changed", the server pulls its section
            settings = await pull_configuration(ls)
        try:
            ls.settings.update(settings or {})
        except ValueError as exc:
            ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Error,
                                                       message="goexplint: bad settings: %s" % exc))
            return
        for doc in list(ls.docs.values()):
            ls.lint_and_publish(doc)

    @server.feature(T.TEXT_DOCUMENT_CODE_ACTION, T.CodeActionOptions(
        code_action_kinds=[T.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False))
    def code_action(ls: GoexplintServer, params: T.CodeActionParams):
        uri = params.text_document.uri
        doc = ls.current(uri)
        if doc is None:
            return None
        enc = ls.encoding
        only = params.context.only
        src = doc.linted_source
        starts = line_starts(src)
        actions: List[T.CodeAction] = []

        def wanted(kind: str) -> bool:
            return not only or any(kind == k or kind.startswith(k + ".") for k in only)

        if wanted(T.CodeActionKind.QuickFix):
            for diag in params.context.diagnostics:
                if diag.source != SOURCE or not diag.code:
                    continue
                f = _finding_for(doc, diag, starts, enc)
                if f is None:
                    continue
                for fix in (x for x in f.fixes if x.safe):
                    actions.append(T.CodeAction(
                        title="%s (%s)" % (fix.title, f.rule_id), kind=T.CodeActionKind.QuickFix,
                        diagnostics=[diag], is_preferred=True,
                        edit=T.WorkspaceEdit(changes={uri: _edits(doc, fix.edits, enc)})))
                actions.append(T.CodeAction(
                    title="Ignore %s on this line" % f.rule_id, kind=T.CodeActionKind.QuickFix, diagnostics=[diag],
                    edit=T.WorkspaceEdit(changes={uri: _edits(doc, [ignore_edit(src, f.span.start.row, f.rule_id)],
                                                              enc)})))
        if only and wanted(FIX_ALL):
            chosen, edits = plan(doc.findings)
            if edits:
                actions.append(T.CodeAction(title="Fix all goexplint findings (%d)" % len(chosen), kind=FIX_ALL,
                                            edit=T.WorkspaceEdit(changes={uri: _edits(doc, edits, enc)})))
        return actions

    return server


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="goexplint lsp", description="goexplint language server (LSP over stdio)")
    p.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, args.log_level),
                        format="goexplint-lsp %(levelname)s %(message)s")
    server = build_server()
    server.start_io()
    # LSP: exit code 0 when ``shutdown`` came before the end (``exit``, or the client closing the
    # stream), 1 otherwise.  pygls raises its SystemExit inside an asyncio callback, where it is lost.
    return 0 if getattr(server.protocol, "_shutdown", False) else 1


if __name__ == "__main__":
    sys.exit(main())
