"""The type provider checked against go/types as an oracle.

``tests/oracle/typesdump`` type-checks packages from source and prints the type of every variable
identifier, field selector and single-valued call.  Every type the provider claims
(``analysis.types.type_of``: a non-None answer) for those expressions in the files go/types checked is
compared with it: agreements and disagreements are counted, and so are the expressions the provider
declines (None).  Disagreements must stay a tiny share of the claims; ``python tests/test_types_oracle.py
DIR...`` prints the counts and the first disagreements.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import GO, GO_ENV, ROOT, goroot, requires_go  # noqa: E402
from goexplint.analysis import types  # noqa: E402
from goexplint.analysis.syntax import is_reference, resolve  # noqa: E402
from goexplint.core.package import directory_go_files, load_directory  # noqa: E402
from goexplint.core.parse import activate, captures, node_text  # noqa: E402

DUMP = ROOT / "tests" / "oracle" / "typesdump" / "main.go"
SUBSET = ("strings", "bufio", "net/http", "go/types", "encoding/json", "sync", "os/exec")
_KINDS = {"identifier": "ident", "selector_expression": "sel", "call_expression": "call"}
_EXPRS = "[(identifier) (selector_expression) (call_expression)] @e"


def oracle(dirs: List[str]) -> Tuple[Dict[tuple, Tuple[str, str]], Dict[str, str]]:
    proc = subprocess.run([GO, "run", str(DUMP), *dirs], env=GO_ENV, cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr
    want, skipped = {}, {}
    for line in proc.stdout.splitlines():
        e = json.loads(line)
        if e["k"] == "skip":
            skipped[e["f"]] = e["why"]
        else:
            want[(e["f"], e["s"], e["e"], e["k"])] = (e["t"], e["a"])
    return want, skipped


def shown(t: types.Type) -> str:
    star = "*" if t.pointer else ""
    if t.origin == "import":
        return star + t.package + "." + t.name
    if t.origin == "local":
        return star + "local:" + t.name
    if t.origin == "unnamed":
        return star + "unnamed"
    if t.origin == "builtin":  # go/types prints byte and rune as the types they alias
        return star + {"byte": "uint8", "rune": "int32"}.get(t.name, t.name)
    return star + t.name


def claims(dirs: List[str], files: set) -> Dict[tuple, str]:
    out = {}
    for d in dirs:
        sources = {}
        for p in directory_go_files(d):
            if p in files:
                with open(p, "rb") as fh:
                    sources[p] = (p, fh.read())
        for path, ctx in load_directory(d, sources, include_generated=True).items():
            with activate(ctx):
                for node in captures(_EXPRS, ctx.root).get("e", []):
                    if node.type == "identifier" and not is_reference(node) and not _declares(node):
                        continue
                    t = types.type_of(ctx, node)
                    if t is None:
                        continue
                    where, kind = node, _KINDS[node.type]
                    if kind == "sel" and _qualified(ctx, node):
                        # pkg.Var: go/types records the variable on the identifier after the dot
                        where, kind = node.child_by_field_name("field"), "ident"
                    out[(path, where.start_byte, where.end_byte, kind)] = shown(t)
    return out


def _qualified(ctx, sel) -> bool:
    operand = sel.child_by_field_name("operand")
    return operand is not None and operand.type == "identifier" and node_text(operand) in ctx.imports \
        and resolve(operand) is None


def _declares(ident) -> bool:
    from goexplint.analysis.syntax import is_declaration_site
    return is_declaration_site(ident)


def compare(dirs: List[str]):
    want, skipped = oracle(dirs)
    files = {k[0] for k in want}
    got = claims(dirs, files)
    agree: Counter = Counter()
    wrong: List[str] = []
    uncovered: Counter = Counter()
    for key, value in sorted(got.items()):
        w = want.get(key)
        if w is None:
            uncovered[key[3]] += 1  # a constant, a function value... go/types lists no variable there
        elif value in w:
            agree[key[3]] += 1
        else:
            wrong.append("%s:%d-%d %s: provider %s, go/types %s" % (key[0], key[1], key[2], key[3], value, w[0]))
    declined = Counter(k[3] for k in want if k not in got)
    return agree, wrong, declined, uncovered, skipped


@requires_go
def test_types_agree_with_go_types_on_stdlib_packages():
    src = goroot() / "src"
    dirs = [str(src / p) for p in SUBSET]
    agree, wrong, declined, uncovered, skipped = compare(dirs)
    assert not skipped, skipped
    # a disagreement is a wrong answer where "unknown" was available: none on the subset
    assert not wrong, "\n".join(wrong[:40])
    assert not uncovered, uncovered  # every claim is one go/types can check
    # every kind of expression is exercised, and the provider answers for most of what go/types knows
    assert agree["ident"] > 20000 and agree["sel"] > 4000 and agree["call"] > 3000, agree
    assert sum(agree.values()) > 0.75 * (sum(agree.values()) + sum(declined.values())), (agree, declined)
    # with the standard library's signatures (data/stdlib_types.json), calls into other packages are
    # known too: go1.26 gives 7,892 call agreements of 8,515 (5,854 of 8,515 without the data)
    assert agree["call"] > 0.85 * (agree["call"] + declined["call"]), (agree, declined)


if __name__ == "__main__":
    dirs = sys.argv[1:] or [str(goroot() / "src" / p) for p in SUBSET]
    agree, wrong, declined, uncovered, skipped = compare(dirs)
    print("agree:", dict(agree), "total", sum(agree.values()))
    print("disagree:", len(wrong))
    for w in wrong[:40]:
        print("  ", w)
    print("declined:", dict(declined), "total", sum(declined.values()))
    print("claims go/types lists no variable for:", dict(uncovered))
    print("skipped:", skipped)
