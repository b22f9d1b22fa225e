"""The committed standard-library signatures (goexplint/analysis/data/stdlib_types.json): they parse,
cover the packages the rules meet most, every type in them means something to the type provider, and
(when the Go on PATH is the release they were generated with) regenerating them gives the same file."""

import subprocess

import pytest

from conftest import GO, GO_ENV, ROOT
from goexplint.analysis import types

DATA = ROOT / "goexplint" / "analysis" / "data" / "stdlib_types.json"
GENERATOR = ROOT / "tools" / "stdlibtypes" / "main.go"


@pytest.fixture(scope="module")
def data():
    return types.stdlib()


def test_file_is_the_one_the_provider_reads_and_stays_small():
    assert types.stdlib()["packages"]
    assert DATA.stat().st_size < 1_000_000


def test_header(data):
    assert data["go"].startswith("go1.")
    assert set(data["platforms"]) >= {"linux/amd64", "darwin/arm64", "windows/amd64"}


def test_covers_the_packages_rules_meet(data):
    pkgs = data["packages"]
    http = pkgs["net/http"]
    assert http["f"]["NewRequest"] == ["*net/http.Request", "error"]
    assert http["t"]["Client"]["pm"]["Do"] == ["*net/http.Response", "error"]
    assert http["t"]["Request"]["f"]["URL"] == "*net/url.URL"
    assert http["t"]["Header"]["u"] == "~map[string][]string"
    assert http["v"]["DefaultClient"] == "*net/http.Client"
    ctx = pkgs["context"]["t"]["Context"]["m"]
    assert ctx["Done"] == ["~<-chan struct{}"] and ctx["Err"] == ["error"]
    assert pkgs["context"]["f"]["WithCancel"] == ["context.Context", "context.CancelFunc"]
    assert pkgs["time"]["f"]["Now"] == ["time.Time"] and pkgs["time"]["t"]["Time"]["m"]["Sub"] == ["time.Duration"]
    assert pkgs["os"]["f"]["Open"] == ["*os.File", "error"] and pkgs["os"]["v"]["Stdout"] == "*os.File"
    assert pkgs["sync"]["t"]["Mutex"]["pm"]["TryLock"] == ["bool"]
    assert pkgs["sync"]["t"]["WaitGroup"]["pm"]["Wait"] == []
    # a result that mentions a type parameter is not given
    assert pkgs["slices"]["f"]["Clone"] == [""] and pkgs["slices"]["f"]["Index"] == ["int"]
    assert not any(p.startswith(("cmd/", "vendor/")) or "/testdata" in p for p in pkgs)


def _spellings(data):
    for path, pkg in data["packages"].items():
        for name, results in pkg.get("f", {}).items():
            yield from ((path + "." + name, r) for r in results)
        for name, t in pkg.get("v", {}).items():
            yield path + "." + name, t
        for tname, members in pkg.get("t", {}).items():
            for kind in ("m", "pm"):
                for name, results in members.get(kind, {}).items():
                    yield from (("%s.%s.%s" % (path, tname, name), r) for r in results)
            for name, t in members.get("f", {}).items():
                yield "%s.%s.%s" % (path, tname, name), t
            if "u" in members:
                yield "%s.%s" % (path, tname), members["u"]


def test_every_type_means_something_to_the_provider(data):
    bad = []
    named = 0
    for where, spelling in _spellings(data):
        if spelling == "":
            continue
        t = types.std_type(spelling)
        if t is None:
            bad.append((where, spelling))
        elif t.origin == "import":
            named += 1
            # a named type of the data is a type the data lists (or one of a package it leaves out)
            pkg = data["packages"].get(t.package)
            if pkg is not None and t.name[:1].isupper():
                assert t.name in pkg.get("t", {}), (where, spelling)
    assert not bad, bad[:20]
    assert named > 3000


def test_element_types_of_data_types():
    header = types.Type("Header", "net/http", origin="import")
    assert types.element(header, "key").text == "string" and types.element(header).text == "[]string"
    assert types.element(types.element(header)).text == "string"
    assert types.element(types.std_type("~<-chan time.Time")).text == "time.Time"
    assert types.element(types.std_type("*~[4]byte")).text == "byte"
    assert types.element(types.std_type("*~[]byte")) is None  # a pointer to a slice is not indexed
    assert types.std_type("**os.File") is None


def _go_version():
    out = subprocess.run([GO, "env", "GOVERSION"], env=GO_ENV, capture_output=True, text=True, timeout=60)
    return out.stdout.strip()


def test_regenerating_gives_the_committed_file(data):
    if GO is None:
        pytest.skip("go is not on PATH: the file cannot be regenerated here")
    version = _go_version()
    if version != data["go"]:
        pytest.skip("the file was generated with %s, the go on PATH is %s" % (data["go"], version))
    proc = subprocess.run([GO, "run", str(GENERATOR)], env=GO_ENV, cwd=ROOT, capture_output=True, timeout=900)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == DATA.read_bytes(), "regenerate: go run tools/stdlibtypes/main.go > %s" % DATA
