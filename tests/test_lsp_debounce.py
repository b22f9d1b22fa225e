"""The language server's debounce and the cancelling of stale runs, driven directly (no client):
the engine is slowed down so that a newer edit arrives while an older version is being linted."""

import asyncio
import time

from goexplint.core import engine
from goexplint.integrations import lsp

CODE = (b"package p\n\nfunc use(int) {}\n\nfunc f(xs []int) {\n\tfor _, v := range xs {\n"
        b"\t\tgo func() { use(v) }()\n\t}\n}\n")


def server_with(monkeypatch, tmp_path, delay):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    uri = (tmp_path / "a.go").as_uri()
    server = lsp.GoexplintServer()
    server.settings.log_level = "debug"
    published, logs, started = [], [], []
    monkeypatch.setattr(server, "publish", lambda doc: published.append((doc.version, len(doc.findings))))
    monkeypatch.setattr(server, "window_log_message", lambda params: logs.append(params.message))
    real = engine.lint_source

    def slow(*args, **kwargs):
        started.append(args[1])
        time.sleep(delay)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "lint_source", slow)
    doc = lsp.Doc(uri, CODE, 1)
    server.docs[uri] = doc
    return server, doc, published, logs, started


def edit(doc, version, source):
    doc.source, doc.version, doc.tree = source, version, None


def test_default_debounce_is_short():
    assert lsp.Settings().debounce_ms <= 30  # the editor path: debounce + one lint (p95 target 30 ms)


def test_a_run_superseded_while_linting_is_dropped(monkeypatch, tmp_path):
    server, doc, published, logs, started = server_with(monkeypatch, tmp_path, delay=0.3)
    server.settings.debounce_ms = 0
    fixed = CODE.replace(b"use(v)", b"use(1)")

    async def scenario():
        edit(doc, 2, CODE)
        server.schedule(doc)
        for _ in range(200):  # until version 2 is being linted in the worker thread
            await asyncio.sleep(0.005)
            if started:
                break
        assert started == [CODE]
        edit(doc, 3, fixed)
        server.schedule(doc)  # cancels the running version-2 run
        for _ in range(400):
            await asyncio.sleep(0.01)
            if published:
                break
        await asyncio.sleep(0.4)  # give a wrongly published version 2 time to show up

    asyncio.run(scenario())
    assert published == [(3, 0)]  # only the newest version, whose capture is gone
    assert any("version 2: superseded by a newer edit" in m for m in logs), logs


def test_debounce_coalesces_quick_edits(monkeypatch, tmp_path):
    server, doc, published, logs, started = server_with(monkeypatch, tmp_path, delay=0)
    server.settings.debounce_ms = 50

    async def scenario():
        for v in (2, 3, 4):
            edit(doc, v, CODE + b"\n" * v)
            server.schedule(doc)
            await asyncio.sleep(0.005)
        for _ in range(200):
            await asyncio.sleep(0.01)
            if published:
                break
        await asyncio.sleep(0.1)

    asyncio.run(scenario())
    assert published == [(4, 1)] and len(started) == 1  # versions 2 and 3 never linted
    assert sum("superseded by a newer edit, run cancelled" in m for m in logs) == 2
