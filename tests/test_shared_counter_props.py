"""Property tests for the shared-counter family: a generated goroutine write to shared state is
reported (at the write, by the rule for its kind), and wrapping that same write in a held write lock
removes every finding of the family, whatever else surrounds it."""

from hypothesis import given, settings
from hypothesis import strategies as st

from goexplint.core.engine import Options, lint_source
from goexplint.core.registry import select_rules

FAMILY = Options(rule_ids=tuple(r.id for r in select_rules(["shared-counter"], None)), go_version="1.22")

WRITES = {  # (template, rule); {x} is the variable path
    "inc": ("{x}++", "GXL201"),
    "dec": ("{x}--", "GXL201"),
    "add": ("{x} += 2", "GXL201"),
    "self": ("{x} = {x} * 3", "GXL201"),
    "map_inc": ("{m}[\"k\"]++", "GXL202"),
    "map_set": ("{m}[\"k\"] = 1", "GXL202"),
    "delete": ("delete({m}, \"k\")", "GXL202"),
    "append": ("{s} = append({s}, 1)", "GXL202"),
}
ORIGINS = {  # how the variables are reached from the goroutine
    "captured": ("x", "m", "s"),
    "package": ("gx", "gm", "gs"),
    "receiver": ("c.x", "c.m", "c.s"),
}
FILLERS = ["use(1)", "_ = cond()", "if cond() {\n\t\t\t\tuse(2)\n\t\t\t}",
           "for j := 0; j < 2; j++ {\n\t\t\t\tuse(j)\n\t\t\t}"]
LAUNCHES = ["loop", "two"]
LOCKS = ["none", "pair", "defer"]

HEADER = """package p

import "sync"

var (
\tgx int
\tgm = map[string]int{}
\tgs []int
)

type C struct {
\tmu sync.Mutex
\tx  int
\tm  map[string]int
\ts  []int
}

func use(int)      {}
func cond() bool   { return true }

func (c *C) run(n int) {
\tvar mu sync.Mutex
\tx := 0
\tm := map[string]int{}
\tvar s []int
"""


def render(write, origin, before, after, launch, lock):
    x, m, s = ORIGINS[origin]
    template, rule = WRITES[write]
    stmt = template.format(x=x, m=m, s=s)
    mu = "c.mu" if origin == "receiver" else "mu"
    body = ["\t\t\t" + f for f in before]
    if lock == "pair":
        body += ["\t\t\t%s.Lock()" % mu, "\t\t\t" + stmt + " // WRITE", "\t\t\t%s.Unlock()" % mu]
    elif lock == "defer":
        body = ["\t\t\t%s.Lock()" % mu, "\t\t\tdefer %s.Unlock()" % mu] + body + ["\t\t\t" + stmt + " // WRITE"]
    else:
        body += ["\t\t\t" + stmt + " // WRITE"]
    body += ["\t\t\t" + f for f in after]
    goroutine = "\t\tgo func() {\n" + "\n".join(body) + "\n\t\t}()\n"
    if launch == "loop":
        code = "\tfor i := 0; i < n; i++ {\n" + goroutine + "\t}\n"
    else:
        code = goroutine.replace("\t\t", "\t", 1) + goroutine.replace("\t\t", "\t", 1)
    code = code + "\t_, _, _ = x, m, s\n\tmu.Lock()\n\tmu.Unlock()\n}\n"
    source = HEADER + code
    lines = [i + 1 for i, line in enumerate(source.splitlines()) if line.endswith("// WRITE")]
    return source, rule, lines


cases = st.tuples(st.sampled_from(sorted(WRITES)), st.sampled_from(sorted(ORIGINS)),
                  st.lists(st.sampled_from(FILLERS), max_size=2), st.lists(st.sampled_from(FILLERS), max_size=2),
                  st.sampled_from(LAUNCHES))


def findings(source):
    result = lint_source("p.go", source.encode(), FAMILY)
    return [(f.rule_id, f.line) for f in result.findings]


@settings(max_examples=150, deadline=None)
@given(cases)
def test_unlocked_write_is_reported_at_the_write(case):
    write, origin, before, after, launch = case
    source, rule, lines = render(write, origin, before, after, launch, "none")
    got = findings(source)
    assert sorted(got) == sorted((rule, line) for line in lines), source


@settings(max_examples=150, deadline=None)
@given(cases, st.sampled_from(["pair", "defer"]))
def test_write_lock_removes_the_finding(case, lock):
    write, origin, before, after, launch = case
    source, _, _ = render(write, origin, before, after, launch, lock)
    assert findings(source) == [], source
