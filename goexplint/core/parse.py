"""Stage 3: parse Go source with tree-sitter into a FileContext.

``FileContext`` is what every refine function receives: the path, the bytes,
the tree, the file's Go version and lazily computed facts shared by all rules
(import aliases, comments, line offsets).  It is the analog of go/analysis'
``Pass`` for one file.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import hashlib
import re
import threading
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple

import tree_sitter
import tree_sitter_go
from tree_sitter import Node

from goexplint.core.data import GoVersion, Position, Span

GO_LANGUAGE = tree_sitter.Language(tree_sitter_go.language())
_PARSER = tree_sitter.Parser(GO_LANGUAGE)


def parse_bytes(source: bytes, old_tree: Optional[tree_sitter.Tree] = None) -> tree_sitter.Tree:
    """Parse Go source.  Go 1.26's ``new(expr)`` (tree-sitter-go 0.25 accepts only ``new(Type)``) is handled
    by :func:`_respell_new`: byte offsets and positions stay those of ``source``."""
    tree = _PARSER.parse(source, old_tree) if old_tree is not None else _PARSER.parse(source)
    if tree.root_node.has_error and b"new" in source:
        tree = _respell_new(source, tree)
    return tree


# Go 1.26 lets the operand of the builtin ``new`` be an expression (``new(int64(300))``, ``new(f())``,
# ``new(T{})``); the grammar's ``new``/``make`` rule wants a type there and the statement fails to parse.
# Where a statement holding ``new(`` does not parse, the callee is respelled with an identifier of the same
# length (:data:`NEW_SPELLING`), so the call parses as an ordinary call with an expression argument, and
# the spelling is kept only if the file then has fewer syntax errors.  Only those three bytes differ: every
# offset, row and column is the source's, ``FileContext.source``/``ctx.text`` still read ``new``
# (``node.text`` of that callee reads the respelling).
NEW_SPELLING = b"_nw"
_NEW_CALL = re.compile(rb"\bnew\s*\(")
_STATEMENT_HOLDERS = ("statement_list", "block", "source_file")


def _error_nodes(root: Node) -> List[Node]:
    """ERROR and MISSING nodes, outermost ones only (iterative: no recursion on deep trees)."""
    out: List[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            out.append(node)
            continue
        stack.extend(c for c in node.children if c.has_error or c.is_missing)
    return out


def _error_regions(root: Node) -> List[tuple]:
    """Byte ranges of the statements (or top-level declarations) that hold a syntax error, plus the statement
    before an ERROR that stands between statements (``p := new(x+1)`` leaves ``+1)`` on its own)."""
    regions = []
    for err in _error_nodes(root):
        node = err
        while node.parent is not None and node.parent.type not in _STATEMENT_HOLDERS:
            node = node.parent
        start = node.start_byte
        if node == err and node.prev_sibling is not None:
            start = node.prev_sibling.start_byte
        regions.append((start, node.end_byte))
    return regions


def _respell_new(source: bytes, tree: tree_sitter.Tree) -> tree_sitter.Tree:
    root = tree.root_node
    regions = _error_regions(root)
    if not regions:
        return tree
    buf = bytearray(source)
    changed = False
    for m in _NEW_CALL.finditer(source):
        at = m.start()
        if not any(a <= at < b for a, b in regions):
            continue
        leaf = root.descendant_for_byte_range(at, at + 3)
        if leaf is None or leaf.start_byte != at or leaf.end_byte != at + 3 or leaf.type not in ("identifier", "new"):
            continue  # inside a comment or string, or part of a longer name
        buf[at:at + 3] = NEW_SPELLING
        changed = True
    if not changed:
        return tree
    respelled = _PARSER.parse(bytes(buf))
    if len(_error_nodes(respelled.root_node)) < len(_error_nodes(root)):
        return respelled
    return tree


@functools.lru_cache(maxsize=None)
def compile_query(source: str) -> tree_sitter.Query:
    """Compile a query used by shared machinery once per process."""
    return tree_sitter.Query(GO_LANGUAGE, source)


def in_document_order(node: tree_sitter.Node) -> tuple:
    """Sort key: by position, an outer node before an inner one that starts with it (then by type, so
    two nodes of one range always come in the same order)."""
    return node.start_byte, -node.end_byte, node.type


def captures(query_source: str, node: tree_sitter.Node) -> Dict[str, List[tree_sitter.Node]]:
    """Per capture name, the nodes the query captures under ``node``, in document order.  (py-tree-sitter
    0.26's ``QueryCursor.captures`` yields them in an order that is not the document's and differs from
    one process to the next, even for ``(for_statement) @loop``: a helper that takes the first of them
    would not give the same answer twice.)"""
    found = tree_sitter.QueryCursor(compile_query(query_source)).captures(node)
    for nodes in found.values():
        if len(nodes) > 1:
            nodes.sort(key=in_document_order)
    return found


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
        # How many of its files this run lints (None: all of them).  A choice of strategy only, never of
        # result: with few, package facts can be asked about what those files need instead of made whole.
        self.linting: Optional[int] = None

    def others(self, ctx):
        return tuple(f for f in self.files if f is not ctx)

    def __repr__(self) -> str:
        return "PackageFiles(%r, %r, %d files)" % (self.directory, self.name, len(self.files))


class FileContext:
    """One parsed file plus lazily computed, rule-independent facts."""

    def __init__(self, path: str, source: bytes, tree: Optional[tree_sitter.Tree], go: GoVersion,
                 real_path: Optional[str] = None):
        self.path = path
        self.real_path = real_path  # where the file lives on disk (None for unsaved buffers / stdin)
        self.source = source
        if tree is not None:  # else parsed when first asked (a sibling whose facts come from the store)
            self.__dict__["tree"] = tree
            self.__dict__["root"] = tree.root_node
        self.go = go
        # The per-file facts store (``core.cache.FactsStore``) persistent kept providers read and fill;
        # None: nothing persists (--no-cache, the language server, stdin).
        self.store = None
        self.is_test = path.endswith("_test.go")
        self.cache: Dict[object, object] = {}  # shared memo for refine helpers, keyed by (helper, node id...)
        # Per-file facts that other files of the package read (this file's part of the package model
        # and of package-wide facts); unlike ``cache`` they are kept while the file is a sibling.
        self.facts: Dict[object, object] = {}
        # The engine sets a loader (core.package.load); without one the package is this file alone.
        self.package_loader: Optional[Callable[[], "PackageFiles"]] = None
        self._package: Optional[PackageFiles] = None
        self._parents: Dict[int, Optional[Node]] = {}  # node id -> parent (tree-sitter's is O(depth))
        self._above: Dict[object, Dict[int, Optional[Tuple[Node, Node]]]] = {}  # memos of ``search_above``
        # The engine's per-file budget while this file is linted (``engine._Budget``), for ``package_work``.
        self.budget = None

    @functools.cached_property
    def tree(self) -> tree_sitter.Tree:
        """The syntax tree (parsed on first use when the context was made without one)."""
        return parse_bytes(self.source)

    @functools.cached_property
    def root(self) -> Node:
        return self.tree.root_node

    @property
    def parsed(self) -> bool:
        """Whether the tree exists already (a sibling whose facts all came from the store has none)."""
        return "tree" in self.__dict__

    @functools.cached_property
    def digest(self) -> str:
        """sha256 of the bytes (keys of the per-file facts store)."""
        return hashlib.sha256(self.source).hexdigest()

    @property
    def package(self) -> "PackageFiles":
        """Every file of this file's package, this one included (see ``core.package``)."""
        if self._package is None:
            loader = self.package_loader
            self._package = loader() if loader is not None else PackageFiles(
                None, package_clause(self.root), [self])
        return self._package

    def release(self) -> None:
        """Drop the memos of linting this file (``cache``, parents, upward searches); ``facts``, which
        its siblings read, stay."""
        self.cache.clear()
        self._parents.clear()
        self._above.clear()

    def close(self) -> None:
        """Drop every memo, the kept facts and the link to the package (and the package's memo): for a file
        whose directory is done.  The package, its model and the file's parts point back at the file, so
        without this the file's tree and facts wait for the cyclic collector; with it they go at once."""
        pkg = self._package
        self.release()
        self.facts.clear()
        self._package = None
        self.package_loader = None
        if pkg is not None:
            pkg.cache.clear()

    def parent(self, node: Node) -> Optional[Node]:
        """``node.parent``, memoised: tree-sitter finds a parent by descending from the root."""
        parents = self._parents
        key = node.id
        try:
            return parents[key]
        except KeyError:
            p = parents[key] = node.parent
            return p

    def nearest_above(self, node: Node, types: "frozenset[str]") -> Optional[Node]:
        """The nearest strict ancestor of ``node`` whose type is in ``types`` (None if none)."""
        found = self.search_above(node, types, lambda p: p.type in types)
        return found[0] if found is not None else None

    def search_above(self, node: Node, key: object, hit: Callable[[Node], bool]) -> Optional[Tuple[Node, Node]]:
        """(nearest strict ancestor ``p`` of ``node`` with ``hit(p)``, its child on the way from ``node``),
        or None at the root.  ``key`` names the search (the same key must mean the same ``hit``).

        Every node passed on the way up is memoised with the answer, so any number of searches
        with the same key costs O(nodes of the file) in total, whatever the nesting depth."""
        memo = self._above.get(key)
        if memo is None:
            memo = self._above[key] = {}
        path = []
        n = node
        while True:
            nid = n.id
            if nid in memo:
                found = memo[nid]
                break
            path.append(nid)
            p = self.parent(n)
            if p is None:
                found = None
                break
            if hit(p):
                found = (p, n)
                break
            n = p
        for nid in path:
            memo[nid] = found
        return found

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
        """Local package name -> import path (``.`` for dot imports is keyed by path)."""
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
    cursor = tree_sitter.QueryCursor(compile_query(_IMPORT_QUERY))
    # Imports are top-level declarations (or, in a file with syntax errors, inside a top-level ERROR
    # node): querying only those is much cheaper than querying the whole tree.
    for _, caps in (m for top in ctx.root.children if top.type in ("import_declaration", "ERROR")
                    for m in cursor.matches(top)):
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


_LOCAL = threading.local()  # .stack: the files being linted by this thread, innermost last
NAMED_FUNCS = frozenset(("function_declaration", "method_declaration"))


def active() -> Optional[FileContext]:
    """The file this thread is linting (its memos serve helpers that get only nodes), or None."""
    stack = getattr(_LOCAL, "stack", None)
    return stack[-1] if stack else None


def close_all(contexts: Iterable[FileContext]) -> None:
    """Close (``FileContext.close``) ``contexts`` and every other file of their packages: a directory is done."""
    done = set()
    for ctx in contexts:
        pkg = ctx._package
        for f in pkg.files if pkg is not None else (ctx,):
            if id(f) not in done:
                done.add(id(f))
                f.close()


def package_work():
    """A ``with`` block around work done once for a whole package on behalf of all its files (the package
    model, the field-access index), which the first file that needs it happens to run: the engine keeps
    its time out of the budget of the file being linted (``active``), as it does for parsing the siblings."""
    ctx = active()
    budget = ctx.budget if ctx is not None else None
    return budget.exempt() if budget is not None else contextlib.nullcontext()


# A batch run closes each directory's files when it is done (``close_all``), so it leaves little cyclic
# garbage, while parsing and analysing allocate many objects: Python's default thresholds (700, 10, 10) then
# make collections that mostly walk live objects again (about 3 s of 45 on the standard library).
_BATCH_THRESHOLDS = (50000, 20, 20)


@contextlib.contextmanager
def gc_for_batch() -> Iterator[None]:
    """Run the cyclic collector less often for the ``with`` body (a batch run of the command line);
    the thresholds before are restored after it."""
    previous = gc.get_threshold()
    gc.set_threshold(*_BATCH_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


_PAUSED = [0]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` body: for work that builds many small, long-lived
    objects at once (reading a package's per-file facts back from the store, merging them), which would
    otherwise set off collections that walk every live object again and again.  The collector runs once,
    on the first allocation after the body; nested pauses end with the outermost."""
    if _PAUSED[0] == 0 and not gc.isenabled():
        yield  # disabled by someone else: leave it so
        return
    _PAUSED[0] += 1
    gc.disable()
    try:
        yield
    finally:
        _PAUSED[0] -= 1
        if _PAUSED[0] == 0:
            gc.enable()


@contextlib.contextmanager
def activate(ctx: FileContext) -> Iterator[FileContext]:
    """Make ``ctx`` the file whose per-file memos node-only helpers use, for the ``with`` body."""
    stack = getattr(_LOCAL, "stack", None)
    if stack is None:
        stack = _LOCAL.stack = []
    stack.append(ctx)
    try:
        yield ctx
    finally:
        stack.pop()


def function_name(node: Node) -> str:
    """Name of the named function or method enclosing ``node`` ('' at package level)."""
    ctx = active()
    if ctx is not None:
        n = node if node.type in NAMED_FUNCS else ctx.nearest_above(node, NAMED_FUNCS)
        if n is None:
            return ""
        name = n.child_by_field_name("name")
        return node_text(name) if name is not None else ""
    n = node
    while n is not None:
        if n.type in ("function_declaration", "method_declaration"):
            name = n.child_by_field_name("name")
            return node_text(name) if name is not None else ""
        n = n.parent
    return ""
