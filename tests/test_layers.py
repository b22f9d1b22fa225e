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


# ---- names: private ones stay home, each is imported from where it is defined, no needless local imports

def _module_path(module: str) -> Path:
    base = PKG.parent / module.replace(".", "/")
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _is_module(module: str) -> bool:
    base = PKG.parent / module.replace(".", "/")
    return base.is_dir() or base.with_suffix(".py").exists()


def _package_of(module: str) -> str:
    path = _module_path(module)
    return module if path.name == "__init__.py" else module.rsplit(".", 1)[0]


def _top_level_names(module: str):
    """(names a module defines at its top level, names it only imports there)."""
    tree = ast.parse(_module_path(module).read_text())
    defined, imported = set(), set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        defined.add(n.id)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imported.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.If, ast.Try)):  # conditional definitions (TYPE_CHECKING, fallbacks)
            for n in ast.walk(node):
                if isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                    defined.add(n.name)
                elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    defined.add(n.id)
    return defined, imported - defined


def _from_imports():
    """(importing module, imported-from module, name, line, inside a function) for every
    ``from goexplint... import name`` of the package."""
    out = []
    for path in sorted(PKG.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(), str(path))
        local = set()
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                local.update(id(n) for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom)))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("goexplint"):
                for a in node.names:
                    out.append((module, node.module, a.name, node.lineno, id(node) in local))
    return out


def test_no_private_name_is_imported_from_another_module():
    """A name with a leading underscore is its module's own; a private *module* (``_support``) is its
    package's own, for the modules of that package."""
    bad = []
    for module, source, name, line, _ in _from_imports():
        dunder = name.startswith("__") and name.endswith("__")  # __version__ is public
        if name.startswith("_") and not dunder and not _is_module(source + "." + name) and source != module:
            bad.append("%s:%d imports %s from %s" % (module, line, name, source))
        parts = (source + "." + name if _is_module(source + "." + name) else source).split(".")
        private = [i for i, p in enumerate(parts) if p.startswith("_") and p != "__init__"]
        if private and not module.startswith(".".join(parts[:private[0]]) + "."):
            bad.append("%s:%d imports %s from %s, private to package %s" % (
                module, line, name, source, ".".join(parts[:private[0]])))
    assert not bad, "private names imported from elsewhere:\n" + "\n".join(bad)


def test_names_are_imported_from_the_module_that_defines_them():
    bad = []
    for module, source, name, line, _ in _from_imports():
        if name == "*" or _is_module(source + "." + name) or source == "goexplint":
            continue
        defined, imported = _top_level_names(source)
        if name not in defined and name in imported:
            bad.append("%s:%d imports %s from %s, which only imports it" % (module, line, name, source))
    assert not bad, "re-exported names:\n" + "\n".join(bad)


def _top_level_graph() -> Dict[str, Set[str]]:
    graph = {}
    for path in sorted(PKG.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(), str(path))
        deps = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("goexplint"):
                for a in node.names:
                    deps.add(node.module + "." + a.name if _is_module(node.module + "." + a.name) else node.module)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("goexplint"))
        graph[module] = deps
    return graph


def _reaches(graph: Dict[str, Set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        if m == goal:
            return True
        if m in seen:
            continue
        seen.add(m)
        todo.extend(graph.get(m, ()))
        if m.count(".") > 1:
            todo.append(_package_of(m))  # importing a module runs its package's __init__
    return False


# Function-local imports that are deliberate for another reason than a cycle: (module, imported
# module or None for all of them) -> why.
_LAZY_BY_DESIGN = {
    ("goexplint.__main__", None): "the entry point installs its Ctrl-C handler before the linter is imported, "
                                  "so an interrupt at any moment ends in one line, never a traceback",
    ("goexplint.cli", "goexplint.integrations.lsp"): "pygls is imported only by `goexplint lsp`, not by every "
                                                     "command-line run",
}


def test_function_local_imports_of_the_package_break_a_cycle():
    """An import inside a function is allowed only where the same import at the top of the module
    would close an import circle."""
    graph = _top_level_graph()
    bad = []
    for module, source, name, line, local in _from_imports():
        target = source + "." + name if _is_module(source + "." + name) else source
        if not local or (module, None) in _LAZY_BY_DESIGN or (module, target) in _LAZY_BY_DESIGN:
            continue
        if not _reaches(graph, target, module):
            bad.append("%s:%d imports %s from %s inside a function; no import circle needs that" % (
                module, line, name, source))
    assert not bad, "needless function-local imports:\n" + "\n".join(bad)
