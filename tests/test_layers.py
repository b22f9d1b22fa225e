"""The package is laid out in layers that import only downwards, with no import circles.

    core  ->  analysis  ->  rules, report  ->  integrations  ->  cli

A module may import its own layer and the layers below it.  ``core.registry`` loads rule modules
by name (``importlib``), which is plugin loading, not an import, and is not counted here.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Set

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "goexplint"

LAYERS = {"core": 0, "analysis": 1, "rules": 2, "report": 2, "integrations": 3, "cli": 4, "__main__": 4}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) < 2:
        return -1  # goexplint itself (__version__): importable from anywhere
    return LAYERS[parts[1]]


def _imports(path: Path, module: str) -> Set[str]:
    tree = ast.parse(path.read_text(), str(path))
    out: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("goexplint"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("goexplint"):
            for a in node.names:
                sub = node.module + "." + a.name
                out.add(sub if (PKG.parent / (sub.replace(".", "/") + ".py")).exists()
                        or (PKG.parent / sub.replace(".", "/")).is_dir() else node.module)
    return out


def _graph() -> Dict[str, Set[str]]:
    graph = {}
    for path in sorted(PKG.rglob("*.py")):
        module = _module_name(path)
        graph[module] = _imports(path, module)
    return graph


def test_every_module_is_in_a_layer():
    for module in _graph():
        if module != "goexplint":
            assert module.split(".")[1] in LAYERS, "%s is in no layer (add it to one of %s)" % (module, sorted(LAYERS))


def test_imports_only_go_downwards():
    bad = []
    for module, deps in _graph().items():
        if module == "goexplint":
            continue
        for dep in deps:
            if dep != "goexplint" and _layer(dep) > _layer(module):
                bad.append("%s imports %s" % (module, dep))
    assert not bad, "upward imports:\n" + "\n".join(sorted(bad))


def test_no_import_circles():
    graph = _graph()
    # Package __init__ modules are reached by importing their children; an edge to a package counts
    # only for the names it really defines, so only module-to-module edges are followed.
    modules = set(graph)
    state: Dict[str, int] = {}
    stack = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if d not in modules or d == m:
                continue
            if state.get(d) == 1:
                cycle = stack[stack.index(d):] + [d]
                raise AssertionError("import circle: " + " -> ".join(cycle))
            if d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
