"""The language server lints a file with its package: siblings on disk, and other open buffers of
the package instead of their disk files (the edited buffer replaces the disk file)."""

import textwrap

import pytest
from lsprotocol import types as T

from test_lsp import client, diagnostics_after, open_doc  # noqa: F401  (the pytest-lsp client fixture)

COUNTER = textwrap.dedent("""\
    package sib

    import "sync"

    func Count() {
    \tvar wg sync.WaitGroup
    \tfor i := 0; i < 10; i++ {
    \t\twg.Add(1)
    \t\tgo func() {
    \t\t\tdefer wg.Done()
    \t\t\tcounter++
    \t\t}()
    \t}
    \twg.Wait()
    }
    """)
AS_TYPE = "package sib\n\ntype counter int\n"
AS_VAR = "package sib\n\nvar counter int\n"


@pytest.mark.asyncio
async def test_open_buffers_of_the_package_replace_their_disk_files(client, tmp_path):  # noqa: F811
    d = tmp_path / "sib"
    d.mkdir()
    (d / "go.mod").write_text("module example.com/sib\n\ngo 1.22\n")
    (d / "a.go").write_text(COUNTER)
    (d / "b.go").write_text(AS_TYPE)
    a, b = (d / "a.go").as_uri(), (d / "b.go").as_uri()
    await diagnostics_after(client, lambda: open_doc(client, a, COUNTER))
    assert [x.code for x in client.diagnostics[a]] == []  # on disk, counter is a type
    await diagnostics_after(client, lambda: open_doc(client, b, AS_TYPE))
    # b.go becomes a var declaration in the editor only (not saved)
    change = T.TextDocumentContentChangeWholeDocument(text=AS_VAR)
    await diagnostics_after(client, lambda: client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=b, version=2), content_changes=[change])))
    assert (d / "b.go").read_text() == AS_TYPE
    edit = T.TextDocumentContentChangePartial(range=T.Range(start=T.Position(line=15, character=0),
                                                            end=T.Position(line=15, character=0)), text="// x\n")
    await diagnostics_after(client, lambda: client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=a, version=2), content_changes=[edit])))
    assert [x.code for x in client.diagnostics[a]] == ["GXL201"]  # the buffer's var, not the disk's type
