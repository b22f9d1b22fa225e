"""The provider framework (core.providers): memo per scope, declared requirements, and the check that
every rule and every provider calls only what it declares (traced over the whole fixture suite)."""

import itertools

import pytest

from goexplint.core import providers
from goexplint.core.parse import FileContext, PackageFiles, parse_bytes
from goexplint.core.registry import all_rules

from test_fixtures import UNITS, lint_unit

_COUNTER = itertools.count()
SRC = b"package p\n\nfunc f() { g() }\n\nfunc g() {}\n"


def _ctx(source: bytes = SRC) -> FileContext:
    return FileContext("p.go", source, parse_bytes(source), None)


def _name() -> str:
    return "test.p%d" % next(_COUNTER)


def test_file_provider_is_computed_once_per_file_and_forgotten_on_release():
    calls = []

    @providers.provider(name=_name())
    def count(ctx):
        calls.append(ctx.path)
        return len(calls)

    ctx = _ctx()
    assert count(ctx) == 1 and count(ctx) == 1
    ctx.release()
    assert count(ctx) == 2
    assert count(_ctx()) == 3  # another file, another answer


def test_kept_provider_survives_release():
    calls = []

    @providers.provider(scope=providers.KEPT, name=_name())
    def part(ctx):
        calls.append(1)
        return len(calls)

    ctx = _ctx()
    assert part(ctx) == 1
    ctx.release()
    assert part(ctx) == 1


def test_package_provider_is_shared_by_the_files_of_a_package():
    calls = []

    @providers.provider(scope=providers.PACKAGE, name=_name())
    def whole(ctx):
        calls.append(ctx.path)
        return tuple(f.path for f in ctx.package.files)

    a, b = _ctx(), _ctx()
    b.path = "q.go"
    pkg = PackageFiles(None, "p", [a, b])
    a._package = b._package = pkg
    assert whole(a) == ("p.go", "q.go") and whole(b) == ("p.go", "q.go")
    assert calls == ["p.go"]


def test_arguments_are_part_of_the_key_and_nodes_are_keyed_by_id():
    @providers.provider(name=_name())
    def text_of(ctx, node, upper):
        return ctx.source[node.start_byte:node.end_byte].upper() if upper else node.type

    ctx = _ctx()
    funcs = [n for n in ctx.root.children if n.type == "function_declaration"]
    assert text_of(ctx, funcs[0], False) == "function_declaration"
    assert text_of(ctx, funcs[0], True).startswith(b"FUNC F()")
    assert text_of(ctx, funcs[1], True).startswith(b"FUNC G()")


def test_package_provider_refuses_node_arguments():
    @providers.provider(scope=providers.PACKAGE, name=_name())
    def bad(ctx, node):
        return 1

    ctx = _ctx()
    with pytest.raises(providers.ProviderError):
        bad(ctx, ctx.root)


def test_declarations_are_checked():
    with pytest.raises(providers.ProviderError):
        providers.provider(scope="galaxy", name=_name())(lambda ctx: 1)
    with pytest.raises(providers.ProviderError):
        providers.provider(requires=(len,), name=_name())(lambda ctx: 1)
    name = _name()
    providers.provider(name=name)(lambda ctx: 1)
    with pytest.raises(providers.ProviderError):
        providers.provider(name=name)(lambda ctx: 2)


def test_closure_lists_dependencies_first_and_finds_circles():
    a = providers.provider(name=_name())(lambda ctx: 1)
    b = providers.provider(name=_name(), requires=(a,))(lambda ctx: a(ctx) + 1)
    c = providers.provider(name=_name(), requires=(b, a))(lambda ctx: b(ctx) + 1)
    assert [p.name for p in providers.closure([c])] == [a.name, b.name, c.name]
    b.requires = (c,)  # a circle can only be made by hand, after declaration
    with pytest.raises(providers.ProviderError):
        providers.closure([c])
    b.requires = (a,)


def test_tracing_reports_undeclared_calls():
    a = providers.provider(name=_name())(lambda ctx: 1)
    b = providers.provider(name=_name())(lambda ctx: a(ctx) + 1)  # calls a without requiring it
    c = providers.provider(name=_name(), requires=(a,))(lambda ctx: a(ctx) + 1)
    ctx = _ctx()
    with providers.tracing("RULE") as trace:
        b(ctx)
        c(ctx)
    bad = providers.undeclared(trace, {"RULE": [c]})
    assert bad == ["RULE calls %s, which it does not require" % b.name,
                   "provider %s calls %s, which it does not require" % (b.name, a.name)]
    assert providers.undeclared(trace, {"RULE": [b, c]}) == [
        "provider %s calls %s, which it does not require" % (b.name, a.name)]


def test_a_recursive_provider_needs_no_declaration_of_itself():
    @providers.provider(name=_name())
    def depth(ctx, n):
        return 0 if n == 0 else 1 + depth(ctx, n - 1)

    with providers.tracing("RULE") as trace:
        assert depth(_ctx(), 3) == 3
    assert providers.undeclared(trace, {"RULE": [depth]}) == []


def test_every_rule_and_provider_calls_only_what_it_declares():
    """Lint every fixture unit with tracing on: the engine names the running rule, so each call of a
    provider from a rule's ``applies``/``refine`` (directly or through plain helpers) must be covered by
    the rule module's ``REQUIRES``, and each call from inside a provider by that provider's ``requires``."""
    requires_of = {r.id: r.requires for r in all_rules()}
    with providers.tracing("(no rule)") as trace:
        for unit in UNITS:
            lint_unit(unit)
    bad = providers.undeclared(trace, requires_of)
    assert not bad, "\n".join(bad)
    assert trace.edges, "no provider was called while linting the fixtures"


def test_explain_lists_what_a_rule_requires():
    from goexplint.cli import explain
    for rule in all_rules():
        text = explain(rule.id)
        if rule.requires:
            for p in rule.requires:
                assert p.name in text
        else:
            assert "requires: its query only" in text


# ---- one memo framework, and analyses that name no rule ----------------------------------------------
import re  # noqa: E402
from pathlib import Path  # noqa: E402

PKG = Path(__file__).resolve().parent.parent / "goexplint"
# The spellings of a hand-written memo in one of the stores the framework owns.
_MEMO = re.compile(r"\.cache\[|\.cache\.(?:get|setdefault|pop)\(|\.facts\[|\.facts\.(?:get|setdefault|pop)\(|"
                   r"__dict__\.setdefault\(|\bfiles\.cache\b|\bpackage\.cache\b")


def _sources(*dirs):
    for d in dirs:
        for path in sorted((PKG / d).rglob("*.py")):
            yield path, path.read_text().splitlines()


def test_analyses_and_rules_keep_no_memo_of_their_own():
    """Every memo of an analysis or a rule is a provider (core.providers): no module writes the
    file, kept or package stores itself."""
    bad = ["%s:%d: %s" % (p.relative_to(PKG.parent), n, line.strip())
           for p, lines in _sources("analysis", "rules") for n, line in enumerate(lines, 1)
           if _MEMO.search(line) and not line.lstrip().startswith("#")]
    assert not bad, "hand-written memos:\n" + "\n".join(bad)


def test_analysis_names_no_rule_id():
    """analysis/ holds facts; which rule reports what is decided in rules/ (comments and docstrings
    included: a rule id there is a decision, or a claim about one, in the wrong place)."""
    bad = ["%s:%d: %s" % (p.relative_to(PKG.parent), n, line.strip())
           for p, lines in _sources("analysis") for n, line in enumerate(lines, 1)
           if re.search(r"\bGXL\d{3}\b", line)]
    assert not bad, "rule ids in analysis/:\n" + "\n".join(bad)
