"""The unsafe-pointer family's messages: the replacement they name depends on the file's Go version, and
the LazyProc form of GXL303 (Windows-only API, so not in a type-checked fixture)."""

import pytest

from goexplint.core.engine import Options, lint_source
from goexplint.core.registry import select_rules

HEADER_VALUE = b"""package p

import (
    "reflect"
    "unsafe"
)

func fakeString(p *byte, n int) string {
    var h reflect.StringHeader
    h.Data = uintptr(unsafe.Pointer(p))
    h.Len = n
    return *(*string)(unsafe.Pointer(&h))
}

func fakeSlice(p *byte, n int) []byte {
    h := reflect.SliceHeader{Data: uintptr(unsafe.Pointer(p)), Len: n, Cap: n}
    return *(*[]byte)(unsafe.Pointer(&h))
}

func split(buf []byte) byte {
    u := uintptr(unsafe.Pointer(&buf[0]))
    return *(*byte)(unsafe.Pointer(u + 1))
}

func reflected(x *int) *int {
    a := reflect.ValueOf(x).Pointer()
    return (*int)(unsafe.Pointer(a))
}
"""


def lint(source, go_version, rules=("unsafe-pointer",)):
    ids = tuple(r.id for r in select_rules(list(rules), None))
    result = lint_source("p.go", source, Options(rule_ids=ids, go_version=go_version))
    return result.findings


def messages(go_version):
    found = {}
    for f in lint(HEADER_VALUE, go_version):
        found.setdefault(f.rule_id, []).append(f.message)
    return found


@pytest.mark.parametrize("version, string_fix, slice_fix", [
    ("1.16", "(*reflect.StringHeader)(unsafe.Pointer(&s))", "(*reflect.SliceHeader)(unsafe.Pointer(&s))"),
    ("1.17", "string(unsafe.Slice(ptr, len))", "unsafe.Slice(ptr, len)"),
    ("1.20", "unsafe.String(ptr, len) / unsafe.StringData(s)", "unsafe.Slice(ptr, len) / unsafe.SliceData(s)"),
    ("1.22", "unsafe.String(ptr, len) / unsafe.StringData(s)", "unsafe.Slice(ptr, len) / unsafe.SliceData(s)"),
])
def test_header_replacement_follows_the_go_version(version, string_fix, slice_fix):
    string_msg, slice_msg = messages(version)["GXL304"]
    assert "StringHeader" in string_msg and string_fix in string_msg, string_msg
    assert "SliceHeader" in slice_msg and slice_fix in slice_msg, slice_msg
    assert "deprecated since Go 1.21" in string_msg


@pytest.mark.parametrize("version", ["1.16", "1.19"])
def test_old_versions_are_not_offered_new_apis(version):
    text = " ".join(m for ms in messages(version).values() for m in ms)
    assert "unsafe.String(" not in text and "unsafe.StringData" not in text and "unsafe.SliceData" not in text
    if version == "1.16":
        assert "unsafe.Slice(" not in text and "unsafe.Add(" not in text


def test_add_is_offered_from_go_1_17():
    old = [m for m in messages("1.16")["GXL301"] if "pattern (3)" in m]
    new = [m for m in messages("1.17")["GXL301"] if "pattern (3)" in m]
    assert old and "unsafe.Pointer(uintptr(p) + off) in one expression" in old[0]
    assert new and "unsafe.Add(p, off)" in new[0]


def test_unsafe_pointer_method_is_offered_from_go_1_18():
    old = [m for m in messages("1.17")["GXL301"] if "pattern (5)" in m]
    new = [m for m in messages("1.18")["GXL301"] if "pattern (5)" in m]
    assert old and "UnsafePointer" not in old[0] and "unsafe.Pointer(v.Pointer())" in old[0]
    assert new and "v.UnsafePointer()" in new[0]


def test_unknown_version_names_the_minimum_version(tmp_path):
    # A malformed go.mod: the version is unknown (a file with no go.mod at all gets the toolchain's).
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo banana\n")
    source = HEADER_VALUE
    findings = lint_source(str(tmp_path / "p.go"), source, Options(rule_ids=("GXL301", "GXL304"))).findings
    text = " ".join(f.message for f in findings)
    assert "unsafe.String(ptr, len) (Go 1.20+)" in text
    assert "unsafe.Add(p, off) (Go 1.17+)" in text


LAZY_PROC = b"""package p

import (
    "syscall"
    "unsafe"
)

var (
    kernel32       = syscall.NewLazyDLL("kernel32.dll")
    procGetVersion = kernel32.NewProc("GetVersionExW")
)

func stored(info *byte) {
    p := uintptr(unsafe.Pointer(info))
    procGetVersion.Call(p)
}

func inline(info *byte) {
    procGetVersion.Call(uintptr(unsafe.Pointer(info)))
}

func local(info *byte) {
    proc := syscall.NewLazyDLL("x.dll").NewProc("F")
    p := uintptr(unsafe.Pointer(info))
    proc.Call(p, 0)
}

func syscallN(info *byte) {
    p := uintptr(unsafe.Pointer(info))
    syscall.SyscallN(procGetVersion.Addr(), p)
}

type client struct{}

func (client) Call(a ...uintptr) {}

func notAProc(info *byte) {
    var c client
    p := uintptr(unsafe.Pointer(info))
    c.Call(p)
}
"""


def test_lazy_proc_call():
    findings = [f for f in lint(LAZY_PROC, "1.21") if f.rule_id == "GXL303"]
    assert [f.line for f in findings] == [15, 25, 30]
    assert "procGetVersion.Call" in findings[0].message
