"""The field-access index (goexplint.analysis.fields) on a small package spread over two files."""

from pathlib import Path

from goexplint.analysis.fields import index
from test_package_model import ctx_of

PKG = Path(__file__).resolve().parent / "packages" / "fields"


def sites(ix, key):
    return [(Path(a.file).name, a.line, a.kind, a.atomic, tuple(sorted((lk.guard, lk.mode) for lk in a.locks)), a.func)
            for a in sorted(ix.of(key), key=lambda a: (a.file, a.line))]


def test_field_sites_across_files_with_lock_owners():
    ix = index(ctx_of(PKG / "store.go"))
    assert sites(ix, ("Store", "count")) == [
        ("more.go", 12, "write", False, ((("Store", "*"), "W"),), "resetLocked"),  # name says: caller holds it
        ("more.go", 26, "rmw", False, (), "Watch"),
        ("more.go", 29, "read", False, (), "Watch"),
        ("store.go", 33, "write", False, (), "NewStore"),
        ("store.go", 39, "rmw", False, ((("Store", "mu"), "W"),), "Inc"),
        ("store.go", 46, "read", False, ((("Store", "mu"), "R"),), "Get"),
    ]
    # an embedded mutex: e.Lock() is owned by the receiver's type with an empty path
    assert sites(ix, ("Embedded", "n")) == [("store.go", 53, "rmw", False, ((("Embedded", ""), "W"),), "Bump")]


def test_atomic_and_plain_in_different_files():
    ix = index(ctx_of(PKG / "more.go"))
    assert [(Path(a.file).name, a.kind, a.atomic) for a in sorted(ix.of(("Store", "hits")), key=lambda a: a.file)] == [
        ("more.go", "read", False), ("store.go", "write", True)]


def test_package_vars_and_their_locks():
    ix = index(ctx_of(PKG / "more.go"))
    assert sites(ix, ("", "registry")) == [("more.go", 20, "write", False, ((("", "regMu"), "W"),), "register")]
    assert sites(ix, ("", "total")) == [("more.go", 22, "rmw", False, (), "register")]


def test_context_of_each_site():
    ix = index(ctx_of(PKG / "store.go"))
    by_line = {(Path(a.file).name, a.line): a for a in ix.of(("Store", "count"))}
    assert by_line[("more.go", 26)].roles == frozenset({"stored"})  # Options.OnEvent = func(){...}
    assert by_line[("more.go", 29)].after_wait  # after wg.Wait()
    assert by_line[("store.go", 33)].constructs and by_line[("store.go", 33)].root_kind == "fresh"
    assert by_line[("more.go", 12)].held_on_entry
    loop = ix.of(("Store", "state"))
    assert [a.roles for a in loop if a.func == "loop"] == [frozenset({"goroutine"})]
    assert ix.runs_concurrently([a for a in loop if a.func == "loop"][0])


def test_calls_and_callers_holding_the_lock():
    ix = index(ctx_of(PKG / "store.go"))
    assert ix.callers_hold_lock(("Store", "resetLocked"), ("Store", "mu"))
    assert not ix.callers_hold_lock(("Store", "loop"))


def test_index_is_built_once_per_package():
    ctx = ctx_of(PKG / "store.go")
    assert index(ctx) is index(ctx)


REALCODE = Path(__file__).resolve().parent.parent / "fixtures" / "shared-counter" / "realcode"


def test_locals_typed_from_their_initialiser():
    ix = index(ctx_of(REALCODE / "caller_held.go"))
    got = {(a.func, a.root_kind) for a in ix.of(("seqMsgBlock", "first"))}
    # mb := fs.blks[i], smb := fs.selectBlock(0), lmb := fs.lmb: fetched; mb := fs.initBlock(): built here
    assert {("NumPending", "fetched"), ("compact", "fetched"), ("purge", "fetched"), ("recover", "fresh"),
            ("setFirst", "receiver")} <= got
    pending = [a for a in ix.of(("seqMsgBlock", "first")) if a.func == "NumPending"][0]
    assert sorted((lk.guard, lk.mode) for lk in pending.locks) == [
        (("blockStore", "mu"), "R"), (("seqMsgBlock", "mu"), "W")]  # the local's lock is typed too


def test_unpublished_writers_and_complete_callers():
    ix = index(ctx_of(REALCODE / "caller_held.go"))
    last = {a.func: a for a in ix.of(("idxBlock", "last")) if a.atomic}
    assert ix.unpublished(last["readIndex"])  # only called on fs.initBlock()'s fresh result
    assert not ix.unpublished(last["setLast"])  # no caller: anyone may call it on a shared block
    first = [a for a in ix.of(("idxBlock", "first")) if a.atomic][0]
    assert not ix.calls_complete("readFirst")  # fs.blks[0].readFirst(2): a call the index cannot type
    assert not ix.unpublished(first)
    assert ix.callers_hold(("ocspCache", "adjustStats"), ("ocspCache", "mu"), True)
    assert not ix.callers_hold(("ocspCache", "revoke"), ("ocspCache", "mu"), True)  # Expire holds nothing


def test_sole_goroutine_of_a_run_loop():
    ix = index(ctx_of(REALCODE / "sole_writer.go"))
    launch = ix.sole_goroutine(("agentDB", "truncate"))
    assert launch is not None and launch.go and launch.func == "openAgentDB"
    assert ix.sole_goroutine(("agentDB", "gc")) == launch
    assert ix.before_launch(("agentDB", "replay"), launch)
    assert ix.sole_goroutine(("agentDB3", "sweep")) is None  # started by an exported method on its receiver
    write = [a for a in ix.of(("agentDB", "deleted")) if a.func == "truncate" and a.kind == "write"][0]
    assert ix.only_one_goroutine(write)
    write2 = [a for a in ix.of(("agentDB2", "deleted")) if a.func == "truncate" and a.kind == "write"][0]
    assert not ix.only_one_goroutine(write2)  # Pending reads it from any goroutine


def test_goroutine_origin_follows_the_value_up_the_calls():
    realcode = Path(__file__).resolve().parent.parent / "fixtures" / "shared-counter" / "realcode"
    ix = index(ctx_of(realcode / "writer_reads.go"))
    assert ix.signature(("wireProto", "exec")) == ("p", ("client",))
    launch = [c for c in ix.calls_of(("wireProto", "ioLoop"))]
    assert [(c.go, c.in_loop, c.args) for c in launch] == [(True, True, (("client", "fresh", True),))]

    def origin(key, kind):
        got = {ix.goroutine_origin(a) for a in ix.of(key) if a.kind == kind and not a.atomic}
        assert len(got) == 1
        return got.pop()

    # the read in handshake(client) and the store in SetSampleRate (receiver c, reached through
    # client.identify) come from the same go p.ioLoop(client) of serveConns
    read = origin(("peerConn", "sampleRate"), "read")
    assert read is not None and [t[0] for t in read] == ["go"]
    stores = {ix.goroutine_origin(a) for a in ix.of(("peerConn", "sampleRate")) if a.is_write}
    assert stores == {read}
    assert all(ix.read_by_sole_writer(a) for a in ix.of(("peerConn", "sampleRate")) if a.kind == "read"
               and not a.atomic)
    # two launches on one value: the store is reached from both, the read from one
    assert {len(ix.goroutine_origin(a)) for a in ix.of(("peerConn2", "sampleRate")) if a.is_write} == {2}
    assert len(origin(("peerConn2", "sampleRate"), "read")) == 1
    assert not any(ix.read_by_sole_writer(a) for a in ix.of(("peerConn2", "sampleRate")))
    # one value launched in a loop: not followed; the receiver of an exported method: not followed
    assert all(ix.goroutine_origin(a) is None for a in ix.of(("peerConn3", "sampleRate")))
    assert all(ix.goroutine_origin(a) is None for a in ix.of(("rateHandler", "rate")))
