"""The package model checked against the Go toolchain (go/ast) as an oracle.

``tests/oracle/modeldump`` prints, for every file of a tree, each method's receiver type and
pointer-ness, each struct's fields with their written types, and the package-level var names
(top-level declarations only).  The model must agree on every entry it claims (``all_methods``,
``all_types``, ``all_vars``: build-tag variants included).  Entries it does not claim are counted
by reason (a file go/parser rejects); an unexplained one fails the test.

CI checks a fixed large subset of the standard library; ``python tests/test_model_oracle.py``
runs the whole of ``$(go env GOROOT)/src`` and prints the counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import GO, GO_ENV, ROOT, goroot, requires_go  # noqa: E402
from goexplint.analysis.package import model  # noqa: E402
from goexplint.core.package import directory_go_files, load_directory  # noqa: E402

DUMP = ROOT / "tests" / "oracle" / "modeldump" / "main.go"
# Packages of the standard library the CI test covers: big, varied (generics, build-tag variants,
# cgo, assembly stubs, embedded fields, grouped declarations).
SUBSET = ("net", "runtime", "go", "sync", "reflect", "encoding", "crypto/tls", "internal/runtime",
          "cmd/compile/internal/types2", "slices", "maps", "iter")


def oracle(roots: List[str]) -> Dict[str, dict]:
    proc = subprocess.run([GO, "run", str(DUMP), *roots], env=GO_ENV, cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    methods, structs, variables, skipped = {}, {}, set(), {}
    for line in proc.stdout.splitlines():
        e = json.loads(line)
        if e["k"] == "method":
            methods[(e["file"], e["recv"], e["name"])] = e["ptr"]
        elif e["k"] == "struct":
            structs[(e["file"], e["name"])] = [tuple(f) for f in e["fields"]]
        elif e["k"] == "var":
            variables.add((e["file"], e["name"]))
        else:
            skipped[e["file"]] = e["why"]
    return {"method": methods, "struct": structs, "var": variables, "skip": skipped}


def _directories(root: str):
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("testdata", "vendor") and not x.startswith((".", "_")))
        if any(f.endswith(".go") for f in files):
            yield d


def claims(roots: List[str]) -> Dict[str, dict]:
    """What the model says, per file, for every package under ``roots``."""
    methods, structs, variables, names = {}, {}, set(), set()
    for root in roots:
        for d in _directories(root):
            sources = {}
            for p in directory_go_files(d):
                with open(p, "rb") as fh:
                    sources[p] = (p, fh.read())
            seen = set()
            # Every file, generated ones too (the CLI leaves those out unless --include-generated).
            for ctx in load_directory(d, sources, include_generated=True).values():
                if id(ctx.package) in seen:
                    continue
                seen.add(id(ctx.package))
                m = model(ctx)
                names.update((d, "method", recv, name) for recv, name in m.methods)
                names.update((d, "struct", name) for name in m.types)
                names.update((d, "var", name) for name in m.vars)
                for (recv, name), decls in m.all_methods.items():
                    for decl in decls:
                        methods[(decl.file.real_path, recv, name)] = decl.pointer_receiver
                for decls in m.all_types.values():
                    for t in decls:
                        if t.kind == "struct":
                            structs[(t.file.real_path, t.name)] = [(f.name, f.type_text, f.embedded)
                                                                   for f in t.fields]
                for decls in m.all_vars.values():
                    variables.update((v.file.real_path, v.name) for v in decls if not v.const)
    return {"method": methods, "struct": structs, "var": variables, "names": names}


def compare(roots: List[str]) -> Tuple[Counter, List[str], Counter, List[str]]:
    """(agreeing claims per kind, disagreements, declined oracle entries per kind and reason, unexplained)."""
    want, got = oracle(roots), claims(roots)
    agree: Counter = Counter()
    wrong: List[str] = []
    for kind in ("method", "struct"):
        for key, value in got[kind].items():
            if key not in want[kind]:
                wrong.append("%s %s: the model claims %r, go/ast has no such declaration" % (kind, key, value))
            elif want[kind][key] != value:
                wrong.append("%s %s: model %r, go/ast %r" % (kind, key, value, want[kind][key]))
            else:
                agree[kind] += 1
    for key in got["var"]:
        if key in want["var"]:
            agree["var"] += 1
        else:
            wrong.append("var %s: the model claims it, go/ast has no such var" % (key,))
    # Entries the model does not claim: the same name claimed from another file of the directory is
    # a build-variant duplicate (the model keeps the first by path, which may be of another kind:
    # a struct in one variant, ``type T = U`` or a const in another); anything else is unexplained.
    declined: Counter = Counter()
    unexplained: List[str] = []
    for kind in ("method", "struct", "var"):
        claimed_elsewhere = {(os.path.dirname(k[0]),) + tuple(k[1:]) for k in got[kind]}
        for key in want[kind]:
            if key in got[kind]:
                continue
            where = (os.path.dirname(key[0]),) + tuple(key[1:])
            if key[0] in want["skip"]:
                declined[(kind, "file rejected by go/parser")] += 1
            elif where in claimed_elsewhere:
                declined[(kind, "build-variant duplicate of a claimed declaration")] += 1
            elif (where[0], kind) + where[1:] in got["names"]:
                declined[(kind, "build-variant duplicate; the first declaration is of another kind")] += 1
            else:
                unexplained.append("%s %s" % (kind, key))
    return agree, wrong, declined, unexplained


@requires_go
def test_model_agrees_with_go_ast_on_the_standard_library_subset():
    src = goroot() / "src"
    roots = [str(src / p) for p in SUBSET if (src / p).is_dir()]
    assert len(roots) == len(SUBSET)
    agree, wrong, declined, unexplained = compare(roots)
    assert not wrong, "\n".join(wrong[:50])
    assert not unexplained, "\n".join(unexplained[:50])
    # The subset is large and varied: every kind of entry is exercised, and claims dominate.
    assert agree["method"] > 5000 and agree["struct"] > 1000 and agree["var"] > 1000, agree
    assert sum(declined.values()) < 0.05 * sum(agree.values()), declined


if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else str(goroot() / "src")
    agree, wrong, declined, unexplained = compare([root])
    print("agree:", dict(agree))
    print("disagree:", len(wrong))
    for w in wrong[:30]:
        print("  ", w)
    print("declined:", {"%s: %s" % k: v for k, v in declined.items()})
    print("unexplained:", len(unexplained))
    for u in unexplained[:30]:
        print("  ", u)
