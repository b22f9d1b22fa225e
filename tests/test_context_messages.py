"""context-timeout messages name what is missing and show the replacement; GXL408 suggests
context.WithoutCancel only for Go >= 1.21 files; severities follow the rules' lowering conditions."""

from conftest import FIXTURES
from test_fixtures import lint_unit

BASIC = FIXTURES / "context-timeout" / "basic"


def findings(unit, rule):
    _, result = lint_unit(unit)
    return [f for f in result.findings if f.rule_id == rule]


def test_messages_show_the_replacement():
    want = {
        "GXL401": "http.NewRequestWithContext(ctx, http.MethodGet, …)",
        "GXL402": "&http.Client{Timeout: 30 * time.Second}",
        "GXL403": "http.NewRequestWithContext(ctx, http.MethodGet, u, nil)",
        "GXL404": "ReadHeaderTimeout: 5 * time.Second",
        "GXL405": 'srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second} and '
                  "srv.ListenAndServe()",
        "GXL406": "ctx, cancel := context.WithTimeout(…) then defer cancel()",
        "GXL407": "add defer cancel() right after the context.WithCancel call",
        "GXL409": "(&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, addr)",
        "GXL410": "pass context.TODO()",
        "GXL411": "wrap the loop body in func() { … }()",
    }
    for rule, text in want.items():
        messages = [f.message for f in findings(BASIC, rule)]
        assert any(text in m for m in messages), (rule, text, messages)


def test_withoutcancel_only_for_go121_and_later():
    modern = findings(BASIC, "GXL408")
    old = findings(FIXTURES / "context-timeout" / "dotimport", "GXL408")
    assert modern and old
    assert all("context.WithoutCancel(" in f.message for f in modern)
    assert not any("WithoutCancel" in f.message for f in old)


def test_lowered_to_note():
    by_text = {f.line_text.strip().split(" //")[0]: f.severity for f in findings(BASIC, "GXL402")}
    assert by_text["g := &http.Client{Transport: tr}"] == "note"  # the Transport sets timeouts
    assert by_text["watchClient := &http.Client{}"] == "note"  # named like a streaming client
    assert by_text["a := &http.Client{Transport: http.DefaultTransport}"] == "warning"
    shutdown = [f for f in findings(BASIC, "GXL408") if f.context == "Shutdown"]
    assert [f.severity for f in shutdown] == ["note"]


def test_lostcancel_confidence_and_related():
    found = findings(BASIC, "GXL407")
    never = [f for f in found if "is never used" in f.message]
    assert never and all(f.confidence == "high" for f in never)
    some = [f for f in found if "not used on every path" in f.message]
    assert some and all(f.confidence == "medium" for f in some)
    assert all(f.related for f in found)


def test_gxl411_related_is_the_call_that_made_the_deferred_cancel():
    """A cancel variable assigned by two With calls in one iteration, each value deferred: each finding's
    "created here" is the last assignment before its defer (not whichever candidate is found first)."""
    path = BASIC / "gxl411_cancel_deferred_in_loop.go"
    lines = path.read_text().splitlines()
    start = lines.index("func probeTwice(ctx0 context.Context, urls []string) {") + 1
    withs = [i + 1 for i, text in enumerate(lines) if i >= start and "sCancel" in text and "context.With" in text]
    got = sorted((f.line, f.related[0].span.start.row + 1) for f in findings(BASIC, "GXL411")
                 if f.path.endswith(path.name) and f.line > start)
    assert len(withs) == 2 and got == [(withs[0] + 1, withs[0]), (withs[1] + 1, withs[1])]
