"""End to end with a real editor: headless Neovim (0.7+, ``vim.lsp.start_client``) starts
``goexplint lsp``, opens a Go file of a go 1.21 module, receives the diagnostic, asks for code
actions, applies "Ignore GXL101 on this line" (Neovim sends the edit back as didChange) and sees
the diagnostic go away.  Skipped when ``nvim`` is not installed."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from test_lsp import HAZARD

NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim is not installed (apt-get install neovim)")

LUA = r"""
local out = {}
local function finish()
  local f = io.open(OUT, "w")
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd("qall!")
end
local id = vim.lsp.start_client({
  cmd = {PYTHON, "-m", "goexplint", "lsp"},
  cmd_env = {PYTHONPATH = PYPATH},
  root_dir = ROOTDIR,
  init_options = {debounceMs = 20},
})
vim.cmd("edit " .. vim.fn.fnameescape(FILE))
local b = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(b, id)
out.got = vim.wait(60000, function() return #vim.diagnostic.get(b) > 0 end, 50)
local diags = vim.diagnostic.get(b)
out.count = #diags
if #diags == 0 then return finish() end
local d = diags[1]
out.lnum, out.col, out.end_col = d.lnum, d.col, d.end_col
out.severity, out.source, out.code = d.severity, d.source, d.user_data.lsp.code
out.href = d.user_data.lsp.codeDescription and d.user_data.lsp.codeDescription.href
out.message = d.message
local client = vim.lsp.get_client_by_id(id)
out.encoding = client.offset_encoding
local lsp_diags = vim.lsp.diagnostic.get_line_diagnostics(b, d.lnum)
local params = {
  textDocument = {uri = vim.uri_from_bufnr(b)},
  range = lsp_diags[1].range,
  context = {diagnostics = lsp_diags},
}
local res = vim.lsp.buf_request_sync(b, "textDocument/codeAction", params, 30000)
out.titles = {}
local chosen
for _, r in pairs(res or {}) do
  for _, action in ipairs(r.result or {}) do
    table.insert(out.titles, action.title)
    if action.title == "Ignore GXL101 on this line" then chosen = action end
  end
end
if chosen then
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  out.line_after = vim.api.nvim_buf_get_lines(b, d.lnum, d.lnum + 1, false)[1]
  out.cleared = vim.wait(60000, function() return #vim.diagnostic.get(b) == 0 end, 50)
end
vim.lsp.stop_client(id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish()
"""


def test_neovim_diagnostics_and_code_action(tmp_path):
    mod = tmp_path / "m"
    mod.mkdir()
    (mod / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    (mod / "a.go").write_text(HAZARD)
    out = tmp_path / "out.json"
    script = tmp_path / "e2e.lua"
    header = "".join("local %s = %s\n" % (k, json.dumps(v)) for k, v in {
        "OUT": str(out), "PYTHON": sys.executable, "FILE": str(mod / "a.go"), "ROOTDIR": str(mod),
        "PYPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}.items())
    script.write_text(header + LUA)
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"))
    env.pop("GOEXPERIMENT", None)
    proc = subprocess.run([NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", "luafile " + str(script)],
                          cwd=mod, env=env, capture_output=True, text=True, timeout=300)
    assert out.exists(), proc.stdout + proc.stderr
    res = json.loads(out.read_text())
    assert res["got"] and res["count"] == 1, res
    line = HAZARD.splitlines()[6]
    byte_col = len(line[:line.index(", v)") + 2].encode())  # Neovim stores byte columns
    assert (res["lnum"], res["col"], res["end_col"]) == (6, byte_col, byte_col + 1)
    assert res["code"] == "GXL101" and res["source"] == "goexplint" and res["severity"] == 1
    assert res["href"].endswith("#gxl101") and "captures loop variable v" in res["message"]
    assert "Ignore GXL101 on this line" in res["titles"], json.dumps(res)
    assert res["line_after"] == "\t\t//goexplint:ignore GXL101"
    assert res["cleared"] is True
