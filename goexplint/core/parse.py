"""Stage 3: parse Go source with tree-sitter into a FileContext.

``FileContext`` is what every refine function receives: the path, the bytes,
the tree, the file's Go version and lazily computed facts shared by all rules
(import aliases, comments, line offsets).  It is the analog of go/analysis'
``Pass`` for one file.
"""

from __future__ import annotations

import bisect
import functools
from typing import Callable, Dict, List, Optional

import tree_sitter
import tree_sitter_go
from tree_sitter import Node

from goexplint.core.data import GoVersion, Position, Span

GO_LANGUAGE = tree_sitter.Language(tree_sitter_go.language())
_PARSER = tree_sitter.Parser(GO_LANGUAGE)


def parse_bytes(source: bytes, old_tree: Optional[tree_sitter.Tree] = None) -> tree_sitter.Tree:
    if old_tree is not None:
        return _PARSER.parse(source, old_tree)
    return _PARSER.parse(source)


@functools.lru_cache(maxsize=None)
def compile_query(source: str) -> tree_sitter.Query:
    """Compile a query used by shared machinery once per process."""
    return tree_sitter.Query(GO_LANGUAGE, source)


def captures(query_source: str, node: tree_sitter.Node) -> Dict[str, List[tree_sitter.Node]]:
    return tree_sitter.QueryCursor(compile_query(query_source)).captures(node)


def first_syntax_error(root: tree_sitter.Node) -> Optional[tree_sitter.Node]:
    """The first ERROR or MISSING node in document order, if the tree has any."""
    if not root.has_error:
        return None
    node = root
    while True:
        if node.is_error or node.is_missing:
            return node
        nxt = None
        for child in node.children:
            if child.has_error or child.is_missing:
                nxt = child
                break
        if nxt is None:
            return node
        node = nxt


def package_clause(root: tree_sitter.Node) -> str:
    """The package name of a parsed file ('' when it has no package clause)."""
    for child in root.named_children:
        if child.type == "package_clause":
            for n in child.named_children:
                if n.type == "package_identifier":
                    return n.text.decode("utf-8", "replace")
            return ""
    return ""


class PackageFiles:
    """Every file of one package; ``files`` is sorted by path and holds ``ctx`` itself."""

    def __init__(self, directory: Optional[str], name: str, files):
        self.directory = directory
        self.name = name
        self.files = tuple(files)
        # Memo for package-wide facts (goexplint.analysis.package keys its model here).
        self.cache: Dict[object, object] = {}

    def others(self, ctx):
        return tuple(f for f in self.files if f is not ctx)

    def __repr__(self) -> str:
        return "PackageFiles(%r, %r, %d files)" % (self.directory, self.name, len(self.files))


class FileContext:
    """One parsed file plus lazily computed, rule-independent facts."""

    def __init__(self, path: str, source: bytes, tree: tree_sitter.Tree, go: GoVersion,
                 real_path: Optional[str] = None):
        self.path = path
        self.real_path = real_path  # where the file lives on disk (None for unsaved buffers / stdin)
        self.source = source
        self.tree = tree
        self.root = tree.root_node
        self.go = go
        self.is_test = path.endswith("_test.go")
        self.cache: Dict[object, object] = {}  # shared memo for refine helpers, keyed by (helper, node id...)
        # The engine sets a loader (core.package.load); without one the package is this file alone.
        self.package_loader: Optional[Callable[[], "PackageFiles"]] = None
        self._package: Optional[PackageFiles] = None

    @property
    def package(self) -> "PackageFiles":
        """Every file of this file's package, this one included (see ``core.package``)."""
        if self._package is None:
            loader = self.package_loader
            self._package = loader() if loader is not None else PackageFiles(
                None, package_clause(self.root), [self])
        return self._package

    @functools.cached_property
    def line_starts(self) -> List[int]:
        starts = [0]
        find = self.source.find
        i = find(b"\n")
        while i >= 0:
            starts.append(i + 1)
            i = find(b"\n", i + 1)
        return starts

    def line_bytes(self, row: int) -> bytes:
        starts = self.line_starts
        if row >= len(starts):
            return b""
        end = starts[row + 1] - 1 if row + 1 < len(starts) else len(self.source)
        line = self.source[starts[row]:end]
        return line[:-1] if line.endswith(b"\r") else line

    def line_text(self, row: int) -> str:
        return self.line_bytes(row).decode("utf-8", "replace")

    def position(self, offset: int) -> Position:
        row = bisect.bisect_right(self.line_starts, offset) - 1
        col = offset - self.line_starts[row]
        prefix = self.source[self.line_starts[row]:offset]
        col16 = col if prefix.isascii() else len(prefix.decode("utf-8", "replace").encode("utf-16-le")) // 2
        return Position(row=row, col=col, offset=offset, col16=col16)

    def span(self, node: tree_sitter.Node) -> Span:
        return Span(self.position(node.start_byte), self.position(node.end_byte))

    def text(self, node: tree_sitter.Node) -> str:
        return self.source[node.start_byte:node.end_byte].decode("utf-8", "replace")

    @functools.cached_property
    def imports(self) -> Dict[str, str]:
        """S1: local package name -> import path (``.`` for dot imports is keyed by path)."""
        return import_table(self)

    def aliases_of(self, import_path: str) -> List[str]:
        """Every name under which ``import_path`` is visible in this file."""
        return [name for name, p in self.imports.items() if p == import_path]


# --------------------------------------------------------------------------- S1 (imports)

_IMPORT_QUERY = """
(import_spec name: (_)? @name path: (_) @path) @spec
"""


def node_text(node: Node) -> str:
    return node.text.decode("utf-8", "replace")


def default_package_name(path: str) -> str:
    """The package name an import path gets without an explicit name (heuristic, as cmd/go does not know either)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return path
    last = parts[-1]
    if len(parts) > 1 and last.startswith("v") and last[1:].isdigit():
        last = parts[-2]
    if last.startswith("gopkg.in") or "." in last:
        last = last.split(".")[0]
    return last.replace("-", "_")


# Import paths that name the same package as another: ``golang.org/x/net/context`` has aliased the
# standard ``context`` types since Go 1.7, and older trees import it vendored (Godeps workspaces,
# ``…/vendor/…``) or under its pre-2014 name.  S1 records them as the canonical path, so every rule
# that asks for ``context`` sees them too.
_SAME_PACKAGE_SUFFIXES = (("golang.org/x/net/context", "context"), ("code.google.com/p/go.net/context", "context"))


def canonical_import(path: str) -> str:
    """The canonical import path of ``path`` (itself unless it is a known alias package)."""
    for suffix, canonical in _SAME_PACKAGE_SUFFIXES:
        if path == suffix or path.endswith("/" + suffix):
            return canonical
    return path


def import_table(ctx: FileContext) -> Dict[str, str]:
    """S1: map local package name -> import path.  Dot imports are keyed ``.<path>``.

    Paths are canonical (:func:`canonical_import`): ``golang.org/x/net/context`` is ``context``."""
    table: Dict[str, str] = {}
    for _, caps in tree_sitter.QueryCursor(compile_query(_IMPORT_QUERY)).matches(ctx.root):
        path_node = caps["path"][0]
        path = canonical_import(node_text(path_node).strip('"`'))
        name_nodes = caps.get("name")
        if name_nodes:
            name = node_text(name_nodes[0])
            if name == "_":
                continue
            if name == ".":
                table["." + path] = path
                continue
        else:
            name = default_package_name(path)
        table[name] = path
    return table


def function_name(node: Node) -> str:
    """Name of the named function or method enclosing ``node`` ('' at package level)."""
    n = node
    while n is not None:
        if n.type in ("function_declaration", "method_declaration"):
            name = n.child_by_field_name("name")
            return node_text(name) if name is not None else ""
        n = n.parent
    return ""
