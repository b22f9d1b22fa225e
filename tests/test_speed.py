"""The speed machinery changes nothing observable: the combined query equals one query per rule,
and the progress line appears only on a terminal."""

import os
import pty
import subprocess
import sys

from conftest import FIXTURES, ROOT, run_cli


def test_combined_query_equals_separate_queries():
    args = (".", "--format", "json", "--no-cache", "--select", "all", "--report-unused-suppressions", "-j", "2")
    combined = run_cli(*args, cwd=FIXTURES)
    separate = run_cli(*args, cwd=FIXTURES, env={"GOEXPLINT_SEPARATE_QUERIES": "1"})
    assert combined.returncode == separate.returncode == 1
    assert combined.stdout == separate.stdout and combined.stderr == separate.stderr
    assert combined.stdout.count(b'"rule": "GXL') > 100


def test_combined_query_owners_are_the_rules_own_patterns():
    """Each pattern of the combined query lists its owners; together they must be every rule's own
    patterns, with the rule-local numbers each rule's own query has (for any rule order, whole-file
    queries last), and a pattern written in several rules must be in the query once."""
    from goexplint.core import filequeries, query, registry

    rules = registry.all_rules()
    count = filequeries.registered()
    _, file_owner = filequeries.combined_source(count)
    for chosen in (rules, rules[::-1], rules[::3], rules[:2]):
        ids = tuple(r.id for r in chosen)
        combined, owners = query.combined_query(ids, count)
        expected = [(pos, i) for pos, r in enumerate(chosen) for i in range(r.query.pattern_count)]
        expected += [(-1, n) for n in file_owner]
        got = [(pos, local) for mine in owners for pos, local, _ in mine]
        assert sorted(got) == sorted(expected) and len(got) == len(expected)
        assert combined.pattern_count == len(owners) <= len(expected)
    combined, owners = query.combined_query(tuple(r.id for r in rules), count)
    written = sum(r.query.pattern_count for r in rules) + len(file_owner)
    assert combined.pattern_count < written - 5  # the rules share patterns: each is in the query once
    assert any(rename for mine in owners for _, _, rename in mine)  # (some under other capture names)
    assert sum(r.query.pattern_count for r in rules) > len(rules)  # some rules have several patterns


def test_patterns_split_as_tree_sitter_splits_them():
    """``query.split_patterns`` finds the patterns tree-sitter finds, where it finds them, in every
    rule's query and every whole-file query (a top-level capture or quantifier stays with its pattern, a
    top-level predicate counts as a pattern; comments and strings with brackets in them do not split)."""
    import tree_sitter

    from goexplint.core import filequeries, query, registry
    from goexplint.core.parse import GO_LANGUAGE

    sources = [r.query_source for r in registry.all_rules() if r.query_source]
    sources += [q.source for q in filequeries.queries()]
    sources.append('; a comment with ( and [\n((identifier) @a (#eq? @a "(x]")) @b\n'
                   '[(go_statement) (defer_statement)] @s ; trailing\n(_ (identifier)) * @many\n'
                   '"func" @kw (#eq? @kw "func")\n(identifier) @i\n(#eq? @i "x")\n')
    shapes = set()
    for source in sources:
        compiled = tree_sitter.Query(GO_LANGUAGE, source)
        split = query.split_patterns(source)
        assert len(split) == compiled.pattern_count, source
        at = 0
        for i, (written, shape, names) in enumerate(split):
            start = source.index(written, at)
            assert len(source[:start].encode()) == compiled.start_byte_for_pattern(i), (source, i)
            at = start + len(written)
            assert len(names) == shape.count("@") and (not names or names[0] in written)
            shapes.add(shape)
    assert query.split_patterns("(a) @x (b) @y")[0][1] == query.split_patterns("(a)   @other")[0][1]


def test_progress_only_on_a_terminal(tmp_path):
    target = str(FIXTURES / "loopvar")
    plain = run_cli(target, "--no-cache", cwd=tmp_path)
    assert b"files (" not in plain.stderr
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("GOEXPERIMENT", None)
    proc = subprocess.Popen([sys.executable, "-m", "goexplint", target, "--no-cache"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    out = proc.stdout.read()
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=300)
    os.close(master)
    tty_err = b"".join(chunks)
    assert out == plain.stdout  # stdout unchanged
    n = plain.stderr.decode().count("\n")
    assert b"files (" in tty_err and b"files/s)" in tty_err
    assert tty_err.replace(b"\r\n", b"\n").count(b"\n") == n  # the progress line is cleared, not left behind
