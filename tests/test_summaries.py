"""Function summaries (goexplint.analysis.summaries) on a small package spread over two files, and
the canonical import paths of x/net/context."""

from pathlib import Path

import pytest

from goexplint.analysis.summaries import summaries
from goexplint.core.parse import FileContext, canonical_import, parse_bytes
from test_package_model import ctx_of

PKG = Path(__file__).resolve().parent / "packages" / "summ"


@pytest.fixture(scope="module")
def summ():
    return summaries(ctx_of(PKG / "store.go"))


@pytest.mark.parametrize("func, param, kinds", [
    ("keepGlobal", "t", {"store"}),
    ("keepField", "src", {"store"}),
    ("keepField", "dst", set()),
    ("keepMap", "t", {"store"}),
    ("reads", "t", set()),
    ("wraps", "t", {"return"}),
    ("returnsAddr", "t", {"return"}),
    ("sends", "t", {"send"}),
    ("sends", "ch", set()),
    ("goes", "t", {"goroutine"}),
    ("captureGo", "t", {"goroutine"}),
    ("captureDefer", "t", {"defer"}),
    ("localOnly", "t", set()),
    ("localStruct", "t", set()),
    ("variadic", "ts", {"store"}),
])
def test_parameter_escapes(summ, func, param, kinds):
    assert set(summ.func(func).escape_of(param)) == kinds


def test_called_and_async_parameters(summ):
    assert summ.func("callsCancel").calls == {"cancel"}
    assert summ.func("callsCancel").runs_async == frozenset()
    assert summ.func("runsAsync").runs_async == {"f"}
    assert summ.func("runsInClosure").runs_async == {"f"}
    assert summ.func("runsNow").calls == {"f"} and summ.func("runsNow").runs_async == frozenset()
    assert summ.func("handsOn").runs_async == {"f"}


def test_goroutines_background_and_context(summ):
    assert summ.func("goes").starts_goroutines and not summ.func("reads").starts_goroutines
    assert summ.func("detached").creates_background is not None
    assert summ.func("todo").creates_background is not None
    assert summ.func("takesCtx").creates_background is None and summ.func("takesCtx").takes_context
    assert not summ.func("detached").takes_context


def test_never_returns(summ):
    assert summ.func("dies").never_returns and summ.func("exits").never_returns and summ.func("spins").never_returns
    assert not summ.func("mayReturn").never_returns and not summ.func("reads").never_returns


def test_receivers_across_files(summ):
    assert summ.method("T", "Remember").receiver_escape() == {"store"}
    assert summ.method("T", "Self").receiver_escape() == {"return"}
    assert summ.method("T", "Start").receiver_escape() == {"goroutine"}
    assert summ.method("T", "Touch").receiver_escape() == frozenset()
    assert summ.method("T", "Value").receiver_escape() == frozenset()
    assert summ.method("T", "Link").escape_of("o") == {"store"}
    assert summ.method("T", "Hook").escape_of("f") == {"store"}
    assert summ.method("T", "Put").param_at(1) == "v" and summ.method("T", "Put").escape_of("v") == {"store"}
    assert summ.func("variadic").param_at(3) == "ts"


def test_built_once_per_package():
    a = ctx_of(PKG / "store.go")
    assert summaries(a) is summaries(a)


@pytest.mark.parametrize("path, canonical", [
    ("golang.org/x/net/context", "context"),
    ("github.com/acme/app/vendor/golang.org/x/net/context", "context"),
    ("github.com/acme/app/Godeps/_workspace/src/golang.org/x/net/context", "context"),
    ("code.google.com/p/go.net/context", "context"),
    ("golang.org/x/net/context/ctxhttp", "golang.org/x/net/context/ctxhttp"),
    ("example.com/notgolang.org/x/net/context", "example.com/notgolang.org/x/net/context"),
    ("context", "context"),
])
def test_canonical_import(path, canonical):
    assert canonical_import(path) == canonical


def test_import_table_records_the_canonical_path():
    src = b'package p\n\nimport (\n\tnc "github.com/a/b/Godeps/_workspace/src/golang.org/x/net/context"\n' \
          b'\t"code.google.com/p/go.net/context"\n)\n'
    ctx = FileContext("p.go", src, parse_bytes(src), None)
    assert ctx.imports == {"nc": "context", "context": "context"}
    assert sorted(ctx.aliases_of("context")) == ["context", "nc"]


def test_callee_summary_trusts_written_types_only():
    from goexplint.analysis.summaries import callee_summary
    from goexplint.core.parse import captures as caps
    ctx = ctx_of(PKG / "calls.go")
    calls = {c.text.decode().split("(")[0]: c for c in caps("(call_expression) @c", ctx.root)["c"]}
    assert callee_summary(ctx, calls["own.Store"]).escape_of("v") == {"store"}
    assert callee_summary(ctx, calls["std.Store"]) is None  # sync.Map, not the package's Map
    assert callee_summary(ctx, calls["keepGlobal"]).escape_of("t") == {"store"}
    assert callee_summary(ctx, calls["reads"]).escape_of("t") == frozenset()


@pytest.mark.parametrize("func, param, kinds", [
    ("freshReturned", "t", {"return"}),
    ("freshNew", "t", {"return"}),
    ("freshMap", "t", {"return"}),
    ("freshDropped", "t", set()),
    ("freshKept", "t", {"store"}),
    ("freshHanded", "t", {"store"}),
    ("freshFieldKept", "t", {"store"}),
    ("freshFieldReturned", "t", {"return"}),
    ("freshReassigned", "t", {"store"}),
    ("freshAliased", "t", {"store"}),
    ("freshSent", "t", {"store"}),
    ("freshGoroutine", "t", {"store"}),
])
def test_fresh_local_objects(summ, func, param, kinds):
    """A parameter written into an object the function allocates goes where the object goes."""
    assert set(summ.func(func).escape_of(param)) == kinds


@pytest.mark.parametrize("func, signals", [
    ("signals", {"ready"}),
    ("closes", {"done"}),
    ("signalsLater", {"ready"}),
    ("receives", set()),
    ("sendsOnOther", set()),  # reassigned first: the caller's channel is not the one sent on
    ("sendsValue", {"ch"}),  # ready is the value sent, not the channel
    ("sends", {"ch"}),
    ("reads", set()),
])
def test_signalled_channel_parameters(summ, func, signals):
    assert set(summ.func(func).signals) == signals
