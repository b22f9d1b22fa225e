"""Safe writes: --fix, --output, baselines and cache entries go to a temporary file in the same
directory that replaces the target; an injected write failure (a full disk) leaves the target
byte-for-byte as it was and no temporary file behind.  Fixes keep a CRLF file's line endings."""

import errno
import os
import shutil
import stat
import threading

import pytest

from conftest import FIXTURES

from goexplint import cli
from goexplint.core import safe_write
from goexplint.core.cache import ResultCache
from goexplint.core.engine import FileResult
from goexplint.core.safe_write import TEMP_PREFIX

FIXABLE = "gxl107_redundant_loopvar_copy.go"


@pytest.fixture
def unit(tmp_path):
    d = tmp_path / "unit"
    shutil.copytree(FIXTURES / "loopvar" / "modern", d)
    return d


@pytest.fixture
def full_disk(monkeypatch):
    """Every write through safe_write gets half its bytes out, then ENOSPC."""
    calls = []

    def fail(fh, data):
        calls.append(len(data))
        fh.write(data[:len(data) // 2])
        fh.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(safe_write, "_write_all", fail)
    return calls


def _temps(d):
    return [p for p in d.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def test_fix_on_a_full_disk_keeps_the_source(unit, full_disk, capsys, monkeypatch):
    target = unit / FIXABLE
    before = target.read_bytes()
    monkeypatch.chdir(unit)
    code = cli.main([FIXABLE, "--fix", "--no-cache"])
    err = capsys.readouterr().err
    assert full_disk, "the fix was never written"
    assert code == 2 and "cannot write %s" % FIXABLE in err and "No space left" in err
    assert target.read_bytes() == before
    assert not _temps(unit)


def test_fix_writes_through_a_temporary_file_and_keeps_the_mode(unit, monkeypatch, capsys):
    target = unit / FIXABLE
    os.chmod(target, 0o640)
    before = target.read_bytes()
    inode = os.stat(target).st_ino
    monkeypatch.chdir(unit)
    assert cli.main([FIXABLE, "--fix", "--no-cache"]) in (0, 1)
    assert "applied 4 fixes in 1 file" in capsys.readouterr().err
    after = target.read_bytes()
    assert after != before and len(after) < len(before)
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert os.stat(target).st_ino != inode  # replaced, not rewritten in place
    assert not _temps(unit)


def test_fix_keeps_crlf_line_endings(tmp_path, monkeypatch, capsys):
    unit = tmp_path / "legacy"
    shutil.copytree(FIXTURES / "loopvar" / "legacy", unit)  # GXL101's fix inserts "v := v" lines
    name = "gxl101_loopvar_goroutine_capture.go"
    target = unit / name
    lf = target.read_bytes()
    crlf = lf.replace(b"\n", b"\r\n")
    target.write_bytes(crlf)
    monkeypatch.chdir(unit)
    cli.main([name, "--fix", "--no-cache"])
    assert "applied" in capsys.readouterr().err
    fixed = target.read_bytes()
    assert fixed.count(b"\n") > crlf.count(b"\n")  # lines were inserted
    assert fixed.count(b"\n") == fixed.count(b"\r\n")  # none of them with a bare LF
    # the same fix as in the LF file, line endings aside
    target.write_bytes(lf)
    cli.main([name, "--fix", "--no-cache"])
    assert fixed.replace(b"\r\n", b"\n") == target.read_bytes()


def test_output_on_a_full_disk_keeps_the_old_report(unit, full_disk, capsys, monkeypatch):
    out = unit / "report.json"
    out.write_bytes(b'{"old": true}\n')
    monkeypatch.chdir(unit)
    code = cli.main([FIXABLE, "--no-cache", "--format", "json", "--output", str(out)])
    assert code == 2 and "cannot write" in capsys.readouterr().err
    assert out.read_bytes() == b'{"old": true}\n'
    assert not _temps(unit)


def test_baseline_on_a_full_disk_keeps_the_old_baseline(unit, full_disk, capsys, monkeypatch):
    base = unit / "baseline.json"
    base.write_bytes(b"old baseline\n")
    monkeypatch.chdir(unit)
    code = cli.main([".", "--no-cache", "--write-baseline", str(base)])
    assert code == 2 and "cannot write baseline" in capsys.readouterr().err
    assert base.read_bytes() == b"old baseline\n"
    assert not _temps(unit)


def test_cache_entry_on_a_full_disk_is_not_written(tmp_path, full_disk):
    cache = ResultCache(str(tmp_path / "cache"))
    key = "0" * 64
    cache.put(key, FileResult([], [], True))  # a full disk only costs speed: no exception
    assert full_disk
    assert cache.get(key) is None
    assert not _temps(tmp_path)


def test_write_atomic_replaces_and_cleans_up(tmp_path, full_disk):
    p = tmp_path / "x"
    p.write_bytes(b"keep")
    with pytest.raises(OSError):
        safe_write.write_atomic(str(p), b"new bytes")
    assert p.read_bytes() == b"keep" and os.listdir(tmp_path) == ["x"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_or_device_is_written_to_not_replaced(tmp_path):
    """``-o /dev/null`` must not put a plain file where the device was (as root it could): a target that
    is not a regular file is written in place.  A named pipe stands in for the device here."""
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    got = []

    def read():
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    safe_write.write_atomic(str(fifo), b"report\n")
    reader.join(20)
    assert got == [b"report\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_linked_target_keeps_its_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_bytes(b"old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.json"
    try:
        link.symlink_to(real)
    except OSError:
        pytest.skip("cannot make symbolic links here")
    safe_write.write_atomic(str(link), b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
