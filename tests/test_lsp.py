"""The language server driven over stdio by a real LSP client (pytest-lsp's pygls client), with the
client capabilities of Neovim 0.11 (UTF-8 positions first) and VS Code 1.65 (UTF-16), plus
in-process property tests of the position conversion and the incremental re-parse."""

import asyncio
import os
import sys
import textwrap

import pytest
import pytest_lsp
from hypothesis import example, given, settings, strategies as st
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import ROOT

from goexplint.integrations import lsp
from goexplint.core.parse import parse_bytes
from goexplint.core.registry import DOCS_BASE

PUBLISH = T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
HAZARD = textwrap.dedent("""\
    package p

    func use(...any) {}

    func f(xs []int) {
    \tfor _, v := range xs {
    \t\tgo func() { use("é🙂", v) }()
    \t}
    }
    """)
SERVER_ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
SERVER_ENV.pop("GOEXPERIMENT", None)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "goexplint", "lsp"],
                                              server_env=SERVER_ENV),
                    params=["neovim@v0.11.0", "visual_studio_code"])
async def client(request, lsp_client: LanguageClient):
    await lsp_client.initialize_session(T.InitializeParams(
        capabilities=client_capabilities(request.param),
        initialization_options={"debounceMs": 20, "logLevel": "debug"}))
    yield
    await lsp_client.shutdown_session()


def workspace(tmp_path, go="1.21", text=HAZARD, name="m"):
    d = tmp_path / name
    d.mkdir()
    (d / "go.mod").write_text("module example.com/%s\n\ngo %s\n" % (name, go))
    path = d / "a.go"
    path.write_text(text)
    return path.as_uri()


def encoding(client: LanguageClient) -> str:
    pe = client.capabilities.general and client.capabilities.general.position_encodings
    return "utf-8" if pe and pe[0] == T.PositionEncodingKind.Utf8 else "utf-16"


def units(prefix: str, enc: str) -> int:
    return len(prefix.encode("utf-8")) if enc == "utf-8" else len(prefix.encode("utf-16-le")) // 2


async def diagnostics_after(client, action):
    """Run ``action`` and return the diagnostics of the next publishDiagnostics notification."""
    waiter = asyncio.ensure_future(client.wait_for_notification(PUBLISH))
    await asyncio.sleep(0)
    action()
    await asyncio.wait_for(waiter, 60)
    return waiter


def open_doc(client, uri, text=HAZARD, version=1):
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        text_document=T.TextDocumentItem(uri=uri, language_id="go", version=version, text=text)))


def apply_text_edits(text: str, edits, enc: str) -> str:
    """Apply LSP TextEdits the way an editor does (positions in ``enc``), last first."""
    lines = text.split("\n")

    def offset(pos):
        before = sum(len(line) + 1 for line in lines[:pos.line])
        line, n, i = lines[pos.line], 0, 0
        while n < pos.character and i < len(line):
            n += units(line[i], enc)
            i += 1
        return before + i

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(e.range.start)] + e.new_text + text[offset(e.range.end):]
    return text


@pytest.mark.asyncio
async def test_open_publishes_rule_diagnostics_in_the_negotiated_encoding(client, tmp_path):
    uri = workspace(tmp_path)
    await diagnostics_after(client, lambda: open_doc(client, uri))
    [d] = client.diagnostics[uri]
    enc = encoding(client)
    line = HAZARD.splitlines()[6]
    col = units(line[:line.index(", v)") + 2], enc)
    assert (d.range.start.line, d.range.start.character, d.range.end.character) == (6, col, col + 1)
    assert d.code == "GXL101" and d.source == "goexplint" and d.severity == T.DiagnosticSeverity.Error
    assert d.code_description.href == DOCS_BASE + "#gxl101"
    assert "captures loop variable v" in d.message
    # editors show the first line inline: it is the short summary, the whole message follows for hover
    first, _, rest = d.message.partition("\n\n")
    assert "\n" not in first and len(first) <= 100 and rest and first != rest
    assert rest.startswith(first.rstrip(".…")[:20])
    related = {r.message: r.location for r in d.related_information}
    assert related["loop variable v"].range.start == T.Position(line=5, character=8)
    assert related["loop variable v"].uri == uri


@pytest.mark.asyncio
async def test_go_mod_decides_the_version(client, tmp_path):
    uri = workspace(tmp_path, go="1.22")
    await diagnostics_after(client, lambda: open_doc(client, uri))
    assert list(client.diagnostics[uri]) == []


@pytest.mark.asyncio
async def test_edits_update_diagnostics_and_close_clears_them(client, tmp_path):
    uri = workspace(tmp_path)
    await diagnostics_after(client, lambda: open_doc(client, uri))
    assert len(client.diagnostics[uri]) == 1
    enc = encoding(client)
    line = HAZARD.splitlines()[6]
    at = line.index(", v)") + 2
    # replace the captured v by 1: the capture is gone (an incremental change)
    change = T.TextDocumentContentChangePartial(
        range=T.Range(start=T.Position(line=6, character=units(line[:at], enc)),
                      end=T.Position(line=6, character=units(line[:at + 1], enc))), text="1")
    await diagnostics_after(client, lambda: client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2), content_changes=[change])))
    assert list(client.diagnostics[uri]) == []
    # two quick edits (debounced): capture again, on a new line inserted above
    ins = T.TextDocumentContentChangePartial(range=T.Range(start=T.Position(line=6, character=0),
                                                           end=T.Position(line=6, character=0)),
                                             text="\t\tgo func() { use(v) }()\n")
    await diagnostics_after(client, lambda: (
        client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=3), content_changes=[ins])),
        client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=4), content_changes=[ins]))))
    diags = client.diagnostics[uri]
    assert [(d.code, d.range.start.line) for d in diags] == [("GXL101", 6), ("GXL101", 7)]
    logs = [m.message for m in client.log_messages]
    assert not any("out of sync" in m for m in logs)
    assert any(m.endswith("version 2: incremental parse, 0 findings") for m in logs), logs
    assert any(m.endswith("version 4: incremental parse, 2 findings") for m in logs), logs
    assert not any("version 3:" in m and "parse" in m for m in logs)  # debounced: versions 3 and 4 linted once
    assert any("version 3: superseded by a newer edit" in m for m in logs)
    await diagnostics_after(client, lambda: client.text_document_did_save(
        T.DidSaveTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=uri))))
    assert len(client.diagnostics[uri]) == 2
    await diagnostics_after(client, lambda: client.text_document_did_close(
        T.DidCloseTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=uri))))
    assert list(client.diagnostics[uri]) == []


@pytest.mark.asyncio
async def test_settings_from_configuration_change(client, tmp_path):
    uri = workspace(tmp_path)
    await diagnostics_after(client, lambda: open_doc(client, uri))
    assert len(client.diagnostics[uri]) == 1
    await diagnostics_after(client, lambda: client.workspace_did_change_configuration(
        T.DidChangeConfigurationParams(settings={"goexplint": {"goVersion": "1.22"}})))
    assert list(client.diagnostics[uri]) == []
    await diagnostics_after(client, lambda: client.workspace_did_change_configuration(
        T.DidChangeConfigurationParams(settings={"goexplint": {"goVersion": None, "ignore": ["GXL101"]}})))
    assert list(client.diagnostics[uri]) == []
    await diagnostics_after(client, lambda: client.workspace_did_change_configuration(
        T.DidChangeConfigurationParams(settings={"goexplint": {"ignore": []}})))
    assert [d.code for d in client.diagnostics[uri]] == ["GXL101"]


@pytest.mark.asyncio
async def test_ignore_code_action_applies_and_silences(client, tmp_path):
    uri = workspace(tmp_path)
    await diagnostics_after(client, lambda: open_doc(client, uri))
    [diag] = client.diagnostics[uri]
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=diag.range,
        context=T.CodeActionContext(diagnostics=[diag])))
    by_title = {a.title: a for a in actions}
    ignore = by_title["Ignore GXL101 on this line"]
    assert ignore.kind == T.CodeActionKind.QuickFix and list(ignore.diagnostics) == [diag]
    new_text = apply_text_edits(HAZARD, ignore.edit.changes[uri], encoding(client))
    assert new_text.splitlines()[6] == "\t\t//goexplint:ignore GXL101"
    await diagnostics_after(client, lambda: client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[T.TextDocumentContentChangeWholeDocument(text=new_text)])))
    assert list(client.diagnostics[uri]) == []


# ---- in-process properties --------------------------------------------------------------------

TEXT = st.text(alphabet=st.sampled_from("ab é🙂\t{}()\n"), max_size=60)


@settings(max_examples=200, deadline=None)
@given(TEXT, st.sampled_from(["utf-8", "utf-16", "utf-32"]), st.data())
def test_position_round_trip(text, enc, data):
    src = text.encode("utf-8")
    starts = lsp.line_starts(src)
    boundaries = [i for i in range(len(src) + 1) if i == len(src) or (src[i] & 0xC0) != 0x80]
    off = data.draw(st.sampled_from(boundaries))
    pos = lsp.to_position(src, starts, off, enc)
    assert lsp.to_offset(src, starts, pos, enc) == off


GO = HAZARD + "\nfunc g() {\n\tx := 1\n\t_ = x\n}\n"


def edit_and_reparse(edits, enc, reparse):
    """Apply ``edits`` ((char offset, char length, new text) each, clamped to the text) to GO one by one as
    LSP range changes in position encoding ``enc``; after each, re-parse with ``reparse(source, tree)`` and
    compare with a fresh parse.  Returns the index of the first edit whose tree differs, else None."""
    doc = lsp.Doc("file:///x.go", GO.encode(), 1, tree=parse_bytes(GO.encode()))
    text = GO
    for i, (at, length, new) in enumerate(edits):
        at = min(at, len(text))
        end = min(len(text), at + length)
        src = text.encode()
        starts = lsp.line_starts(src)
        b0, b1 = len(text[:at].encode()), len(text[:end].encode())
        change = T.TextDocumentContentChangePartial(range=T.Range(
            start=lsp.to_position(src, starts, b0, enc), end=lsp.to_position(src, starts, b1, enc)), text=new)
        lsp.apply_change(doc, change, enc)
        text = text[:at] + new + text[end:]
        assert doc.source == text.encode()
        doc.tree = reparse(doc.source, doc.tree)
        if str(doc.tree.root_node) != str(parse_bytes(doc.source).root_node):
            return i
    return None


# Edits after which tree-sitter's own incremental re-parse of the (exactly) edited tree recovers from the
# syntax errors differently than a fresh parse (found with 20,000-example runs; the first, ASCII only, ends by
# appending ")" at the end of the file); the server parses such a buffer again from scratch.
RECOVERS_DIFFERENTLY = [
    ([(93, 0, "a{a{{}{\n{"), (215, 0, ")")], "utf-8"),
    ([(125, 3, "{}(b{("), (333, 0, "🙂")], "utf-16"),
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 40), TEXT), min_size=1, max_size=5),
       st.sampled_from(["utf-8", "utf-16"]))
@example(*RECOVERS_DIFFERENTLY[0])
@example(*RECOVERS_DIFFERENTLY[1])
def test_incremental_reparse_equals_fresh_parse(edits, enc):
    """The server's re-parse after edits (tree.edit for each change, then lsp.reparse) gives a fresh parse's tree."""
    assert edit_and_reparse(edits, enc, lambda source, tree: lsp.reparse(source, tree)[0]) is None


@pytest.mark.parametrize("edits,enc", RECOVERS_DIFFERENTLY)
def test_examples_need_the_fresh_parse(edits, enc):
    """The pinned examples are the case lsp.reparse is for.  The edit the server hands tree-sitter is exact: the
    tree of the previous text edited by lsp.apply_change and the same tree edited with points worked out here
    re-parse to the same tree.  Yet that incremental tree differs from a fresh parse (and has syntax errors)."""
    text = GO
    for at, length, new in edits[:-1]:
        at = min(at, len(text))
        text = text[:at] + new + text[min(len(text), at + length):]
    at, length, new = edits[-1]
    at = min(at, len(text))
    end = min(len(text), at + length)
    old, b0, b1 = text.encode(), len(text[:at].encode()), len(text[:end].encode())
    source = old[:b0] + new.encode() + old[b1:]

    def point(src, off):
        return (src.count(b"\n", 0, off), off - (src.rfind(b"\n", 0, off) + 1))
    ours = lsp.Doc("file:///x.go", old, 1, tree=parse_bytes(old))
    starts = lsp.line_starts(old)
    lsp.apply_change(ours, T.TextDocumentContentChangePartial(range=T.Range(
        start=lsp.to_position(old, starts, b0, enc), end=lsp.to_position(old, starts, b1, enc)), text=new), enc)
    assert ours.source == source
    theirs = parse_bytes(old)
    theirs.edit(start_byte=b0, old_end_byte=b1, new_end_byte=b0 + len(new.encode()), start_point=point(old, b0),
                old_end_point=point(old, b1), new_end_point=point(source, b0 + len(new.encode())))
    incremental, fresh = parse_bytes(source, ours.tree), parse_bytes(source)
    assert str(incremental.root_node) == str(parse_bytes(source, theirs).root_node)
    if str(incremental.root_node) == str(fresh.root_node):
        pytest.skip("this tree-sitter re-parses the example as a fresh parse does; it no longer needs lsp.reparse")
    assert incremental.root_node.has_error
    tree, again = lsp.reparse(source, ours.tree)
    assert again and str(tree.root_node) == str(fresh.root_node)


@pytest.mark.asyncio
async def test_safe_fix_and_fix_all_code_actions(client, tmp_path):
    text = HAZARD.replace("\t\tgo func() {", "\t\tdefer func() { use(v) }()\n\t\tgo func() {")
    uri = workspace(tmp_path, text=text)
    await diagnostics_after(client, lambda: open_doc(client, uri, text=text))
    diags = client.diagnostics[uri]
    assert [d.code for d in diags] == ["GXL102", "GXL101"]
    assert all(d.data == {"fixable": True} for d in diags)
    enc = encoding(client)
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=diags[1].range,
        context=T.CodeActionContext(diagnostics=[diags[1]])))
    fix = next(a for a in actions if a.title.startswith("Copy v at the top of the loop body"))
    assert fix.kind == T.CodeActionKind.QuickFix and fix.is_preferred
    assert [a.title for a in actions][-1] == "Ignore GXL101 on this line"
    fixed = apply_text_edits(text, fix.edit.changes[uri], enc)
    assert fixed.splitlines()[5:7] == ["\tfor _, v := range xs {", "\t\tv := v"]
    # source.fixAll: every safe fix of the document in one edit (both findings need the same copy)
    [fix_all] = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=diags[0].range,
        context=T.CodeActionContext(diagnostics=[], only=[T.CodeActionKind.SourceFixAll])))
    assert fix_all.kind == "source.fixAll.goexplint"
    assert apply_text_edits(text, fix_all.edit.changes[uri], enc) == fixed
    await diagnostics_after(client, lambda: client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[T.TextDocumentContentChangeWholeDocument(text=fixed)])))
    assert list(client.diagnostics[uri]) == []


@pytest.mark.asyncio
async def test_settings_pulled_with_workspace_configuration(client, tmp_path):
    uri = workspace(tmp_path)
    await diagnostics_after(client, lambda: open_doc(client, uri))
    assert len(client.diagnostics[uri]) == 1
    client.set_configuration({"select": ["GXL102"]}, section="goexplint")
    await diagnostics_after(client, lambda: client.workspace_did_change_configuration(
        T.DidChangeConfigurationParams(settings=None)))
    assert list(client.diagnostics[uri]) == []
    # a bad setting is reported to the user and the previous settings stay
    waiter = asyncio.ensure_future(client.wait_for_notification(T.WINDOW_SHOW_MESSAGE))
    await asyncio.sleep(0)
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings={"select": ["GXL999"]}))
    await asyncio.wait_for(waiter, 60)
    assert "GXL999" in client.messages[-1].message


def test_console_script_and_subcommand_help():
    import shutil
    import subprocess

    script = shutil.which("goexplint-lsp", path=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    if script is None:
        pytest.skip("goexplint-lsp is not installed (pip install -e .)")
    for cmd in ([script, "--help"], [sys.executable, "-m", "goexplint", "lsp", "--help"]):
        proc = subprocess.run(cmd, capture_output=True, text=True, env=SERVER_ENV, timeout=60)
        assert proc.returncode == 0 and proc.stdout.startswith("usage: goexplint lsp"), proc.stderr


PROFILE_PROBE = ("import conftest, hypothesis, test_lsp; s = test_lsp.test_incremental_reparse_equals_fresh_parse"
                 "._hypothesis_internal_use_settings; print(s.database, s.derandomize, s.deadline,"
                 " hypothesis.configuration.storage_directory('x').path.parent)")


@pytest.mark.parametrize("ci", [None, "true"])
def test_hypothesis_keeps_no_database_in_the_clone(ci):
    """The conftest profile: no example database (a failure is not replayed by the next run), no deadline,
    examples derandomised when CI is set, and Hypothesis' cache files outside the clone."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}
    if ci:
        env["CI"] = ci
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests"), str(ROOT), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, "-c", PROFILE_PROBE], env=env, capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    database, derandomize, deadline, home = out.stdout.split()
    assert (database, derandomize, deadline) == ("None", str(bool(ci)), "None")
    assert not os.path.realpath(home).startswith(os.path.realpath(ROOT) + os.sep), home
