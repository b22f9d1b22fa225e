"""The language server answers malformed messages as JSON-RPC 2.0 (LSP's base protocol) says: every
request gets a response -- with its id, or null when the id cannot be read -- and no notification
does.  Driven over stdio with raw frames (a real client cannot send broken ones)."""

import json
import os
import queue
import subprocess
import sys
import threading

import pytest

from conftest import ROOT

ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
ENV.pop("GOEXPERIMENT", None)


class Raw:
    """A client that writes any bytes as a frame and reads the server's frames in a thread."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "goexplint", "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
        self.inbox = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                elif line in (b"\r\n", b"\n"):
                    break
            self.inbox.put(json.loads(out.read(length)))

    def send(self, message):
        body = message if isinstance(message, bytes) else json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def response(self, timeout=30):
        """The next response (a message without a method); server notifications are skipped."""
        while True:
            msg = self.inbox.get(timeout=timeout)
            if "method" not in msg:
                return msg

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def server():
    raw = Raw()
    raw.send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": {}}})
    assert raw.response()["id"] == 0
    raw.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    yield raw
    raw.close()


def error_of(response, msg_id):
    assert response["jsonrpc"] == "2.0" and response["id"] == msg_id and "result" not in response, response
    return response["error"]["code"]


@pytest.mark.parametrize("body, msg_id, code", [
    (b'{"jsonrpc": "2.0", "id": 1, "method": "shutdown"', None, -32700),  # not JSON
    (b'\xff\xfe{}', None, -32700),  # not UTF-8
    (b'[1, 2]', None, -32600),  # not an object (LSP has no batches)
    (b'"hello"', None, -32600),
    (b'{"id": 2, "method": "textDocument/hover", "params": {}}', 2, -32600),  # no "jsonrpc"
    (b'{"jsonrpc": "1.0", "id": 3, "method": "shutdown"}', 3, -32600),
    (b'{"jsonrpc": "2.0", "id": {"x": 1}, "method": "shutdown"}', None, -32600),  # an id that is not one
    (b'{"jsonrpc": "2.0", "id": 4, "method": 7}', 4, -32600),  # method not a string
    (b'{"jsonrpc": "2.0", "id": 5}', 5, -32600),  # neither request nor response
    (b'{"jsonrpc": "2.0", "id": 6, "method": "no/such/method", "params": {}}', 6, -32601),
    (b'{"jsonrpc": "2.0", "id": 7, "method": "textDocument/codeAction", "params": {"bogus": 1}}', 7, -32602),
    (b'{"jsonrpc": "2.0", "id": "eight", "method": "textDocument/codeAction", "params": []}', "eight", -32602),
])
def test_malformed_requests_get_an_error_response(server, body, msg_id, code):
    server.send(body)
    assert error_of(server.response(), msg_id) == code
    # and the server still works: a good request is answered
    server.send({"jsonrpc": "2.0", "id": 99, "method": "shutdown"})
    assert server.response() == {"jsonrpc": "2.0", "id": 99, "result": None}


def test_notifications_never_get_a_response(server):
    for bad in ({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"bogus": 1}},
                {"jsonrpc": "2.0", "method": "no/such/notification", "params": {}},
                {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 12345}}):
        server.send(bad)
    server.send({"jsonrpc": "2.0", "id": 10, "method": "no/such/method"})
    first = server.response()  # the first response is the request's: nothing answered the notifications
    assert error_of(first, 10) == -32601


def test_requests_after_shutdown_are_invalid(server):
    server.send({"jsonrpc": "2.0", "id": 1, "method": "shutdown"})
    assert server.response()["id"] == 1
    server.send({"jsonrpc": "2.0", "id": 2, "method": "textDocument/codeAction", "params": {}})
    assert error_of(server.response(), 2) == -32600
    server.send({"jsonrpc": "2.0", "method": "exit"})
    assert server.proc.wait(timeout=30) == 0


def test_before_initialize_requests_get_server_not_initialized_and_notifications_are_dropped():
    raw = Raw()
    try:
        raw.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": "file:///x.go", "languageId": "go", "version": 1, "text": "package p\n"}}})
        raw.send({"jsonrpc": "2.0", "id": 1, "method": "textDocument/codeAction", "params": {}})
        assert error_of(raw.response(), 1) == -32002  # the notification before it got no answer
        raw.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        assert error_of(raw.response(), 2) == -32002
        raw.send({"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": {"bogus": []}})
        assert error_of(raw.response(), 3) == -32602  # a broken initialize does not count
        raw.send({"jsonrpc": "2.0", "id": 4, "method": "shutdown"})
        assert error_of(raw.response(), 4) == -32002
        raw.send({"jsonrpc": "2.0", "id": 5, "method": "initialize", "params": {"capabilities": {}}})
        assert "capabilities" in raw.response()["result"]
        raw.send({"jsonrpc": "2.0", "id": 6, "method": "shutdown"})
        assert raw.response() == {"jsonrpc": "2.0", "id": 6, "result": None}
        raw.send({"jsonrpc": "2.0", "method": "exit"})
        assert raw.proc.wait(timeout=30) == 0
    finally:
        raw.close()


def test_exit_before_initialize_ends_the_server():
    raw = Raw()
    try:
        raw.send({"jsonrpc": "2.0", "method": "exit"})
        assert raw.proc.wait(timeout=30) == 1  # LSP: exit code 1 when no shutdown came first
    finally:
        raw.close()
