"""Re-query only the top-level declarations an edit changed (the language server, one memo per buffer).

After a one-line edit of a 3,000-line file, running the rules' combined query over the whole file is
most of a re-lint.  :class:`QueryMemo` keeps the matches of the last lint of a buffer; the next lint
of the same buffer runs the query only over the top-level declarations the edit touched
(``QueryCursor.set_byte_range``) and takes the matches of every other declaration from the memo, moved
by the edit's length and re-found in the new tree.  Every refine step then runs over all matches as
before, so the findings are those of a full query: only the traversal is saved.

What the memo can vouch for is checked on every lint, and anything else falls back to the full query:

* the edit is worked out from the two sources (longest common prefix and suffix), not trusted from
  the caller;
* the file must have the same top-level nodes, in the same order, of the same types, and every node
  the edit does not touch must sit where the edit moved it, with the same length and error state;
* tree-sitter's ``changed_ranges`` (between the memo's tree, edited the same way, and the new tree)
  must fall inside the touched declarations;
* every match of the memo must lie inside one top-level node (a pattern that captures the whole file
  cannot be split), and every old node must be found again in the new tree (same range and type).

The order of the matches is the cursor's: a match ends inside the top-level node it lies in, so the
matches of a full query come top-level node by top-level node, and within one node in the order the
cursor yields them (``tests/test_requery.py`` compares both, match for match, on random edits).
"""

from __future__ import annotations

import bisect
from typing import Dict, List, Optional, Sequence, Tuple

import tree_sitter
from tree_sitter import Node

Shape = Tuple[int, int, int]  # start and end byte (from the start of the match's top-level node), node kind id
MatchShape = Tuple[int, Tuple[Tuple[str, Tuple[Shape, ...]], ...]]  # pattern, (capture name, nodes)...


class QueryMemo:
    """The last combined-query matches of one buffer (see the module docstring).  ``requeried`` counts
    the lints that re-queried only part of the file (for tests and the bench)."""

    def __init__(self) -> None:
        self.key = None  # (query identity) the matches belong to
        self.source: Optional[bytes] = None
        self.tree: Optional[tree_sitter.Tree] = None
        self.tops: List[Tuple[int, int, str, bool]] = []  # top-level nodes: start, end, type, has_error
        self.by_top: List[List[MatchShape]] = []  # per top-level node, its matches in cursor order
        # the matches that capture the file itself, ``(source_file) @file``: pattern, capture names
        self.on_root: List[Tuple[int, Tuple[str, ...]]] = []
        self.requeried = 0

    def forget(self) -> None:
        self.key = self.source = self.tree = None
        self.tops, self.by_top, self.on_root = [], [], []


def _tops(children: Sequence[Node]) -> List[Tuple[int, int, str, bool]]:
    return [(c.start_byte, c.end_byte, c.type, c.has_error) for c in children]


def _edit_span(old: bytes, new: bytes) -> Tuple[int, int, int]:
    """(start, old end, new end) of the one edit that turns ``old`` into ``new``."""
    n = min(len(old), len(new))
    lo, hi = 0, n  # longest common prefix, by halving (each comparison runs in C)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[:mid] == new[:mid]:
            lo = mid
        else:
            hi = mid - 1
    start = lo
    lo, hi = 0, n - start  # longest common suffix that does not overlap the prefix
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[len(old) - mid:] == new[len(new) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return start, len(old) - lo, len(new) - lo


def _point(source: bytes, offset: int) -> Tuple[int, int]:
    row = source.count(b"\n", 0, offset)
    return row, offset - (source.rfind(b"\n", 0, offset) + 1)


def _top_of(tops: Sequence[Tuple[int, int, str, bool]], starts: Sequence[int], shape_start: int,
            shape_end: int) -> int:
    """Index of the top-level node that holds [shape_start, shape_end), or -1."""
    i = bisect.bisect_right(starts, shape_start) - 1
    if i >= 0 and tops[i][0] <= shape_start and shape_end <= tops[i][1]:
        return i
    return -1


def _relative(pattern: int, caps: Dict[str, List[Node]], base: int) -> MatchShape:
    """A match as plain data, its nodes' bytes counted from ``base`` (the start of its top-level node),
    so it stays valid while an edit elsewhere moves the node."""
    return pattern, tuple((name, tuple((n.start_byte - base, n.end_byte - base, n.kind_id) for n in nodes))
                          for name, nodes in caps.items())


def _span(caps: Dict[str, List[Node]]) -> Tuple[int, int]:
    lo = hi = -1
    for nodes in caps.values():
        for n in nodes:
            a, b = n.start_byte, n.end_byte
            if lo < 0 or a < lo:
                lo = a
            if b > hi:
                hi = b
    return lo, hi


def remember(memo: QueryMemo, key, source: bytes, tree: tree_sitter.Tree,
             matches: Sequence[Tuple[int, Dict[str, List[Node]]]]) -> None:
    """Keep ``matches`` (the full query's, in cursor order) of ``source`` for the next lint."""
    tops = _tops(tree.root_node.children)
    starts = [t[0] for t in tops]
    by_top: List[List[MatchShape]] = [[] for _ in tops]
    on_root: List[Tuple[int, Tuple[str, ...]]] = []
    for pattern, caps in matches:
        if _on_root(caps):
            if any(by_top):
                memo.forget()  # (the cursor yields them first; were it otherwise, the order would not be known)
                return
            on_root.append((pattern, tuple(caps)))
            continue
        lo, hi = _span(caps)
        i = _top_of(tops, starts, lo, hi) if lo >= 0 else -1
        if i < 0:
            memo.forget()  # a match across top-level nodes (or with no node): this buffer is always re-queried
            return
        by_top[i].append(_relative(pattern, caps, tops[i][0]))
    # a copy: the caller may edit its tree in place for the next parse (the language server does)
    memo.key, memo.source, memo.tree, memo.tops, memo.by_top = key, source, tree.copy(), tops, by_top
    memo.on_root = on_root


def _on_root(caps: Dict[str, List[Node]]) -> bool:
    """The match captures the file's root only (``(source_file) @file``: only the root has that type)."""
    return bool(caps) and all(n.type == "source_file" for nodes in caps.values() for n in nodes)


def requery(memo: QueryMemo, key, query: tree_sitter.Query, source: bytes, tree: tree_sitter.Tree
            ) -> Optional[List[Tuple[int, Dict[str, List[Node]]]]]:
    """The matches a full run of ``query`` over ``tree`` would give, from the memo and a query of the
    changed top-level nodes only; None when the memo cannot vouch for them (run the full query)."""
    if memo.key != key or memo.source is None or memo.tree is None:
        return None
    old = memo.source
    start, old_end, new_end = _edit_span(old, source)
    delta = new_end - old_end
    root = tree.root_node
    top_nodes = root.children
    tops = _tops(top_nodes)
    if len(tops) != len(memo.tops):
        return None
    changed = []
    for i, (o, n) in enumerate(zip(memo.tops, tops)):
        touched = o[0] <= old_end and start <= o[1]  # the edit is inside, or touches an end
        if touched:
            if o[2] != n[2]:
                return None
            changed.append(i)
            continue
        moved = delta if o[0] >= old_end else 0
        if (o[0] + moved, o[1] + moved, o[2], o[3]) != n:
            return None
    if not changed and source != old:
        return None  # an edit between top-level nodes that moved none of them: nothing to vouch with
    # tree-sitter's own account of what changed must stay inside the touched nodes
    edited = memo.tree.copy()
    edited.edit(start_byte=start, old_end_byte=old_end, new_end_byte=new_end, start_point=_point(old, start),
                old_end_point=_point(old, old_end), new_end_point=_point(source, new_end))
    spans = [(tops[i][0], tops[i][1]) for i in changed]
    for r in edited.changed_ranges(tree):
        if r.start_byte == r.end_byte:
            continue
        if not any(a <= r.start_byte and r.end_byte <= b for a, b in spans):
            return None
    out: List[Tuple[int, Dict[str, List[Node]]]] = []
    for pattern, names in memo.on_root:
        out.append((pattern, {name: [root] for name in names}))
    by_top: List[List[MatchShape]] = []
    changed_set = set(changed)
    for i, (s, e, _, _) in enumerate(tops):
        if i in changed_set:
            cursor = tree_sitter.QueryCursor(query)
            cursor.set_byte_range(s, e)
            fresh = []
            for pattern, caps in cursor.matches(root):
                if _on_root(caps):
                    continue  # the file's own matches come from the memo, first
                inside = [s <= n.start_byte and n.end_byte <= e for nodes in caps.values() for n in nodes]
                if not any(inside):
                    continue  # the cursor also yields matches of the next nodes: theirs come from the memo
                if not all(inside):
                    return None  # a match across top-level nodes: the memo cannot split this file
                fresh.append(_relative(pattern, caps, s))
                out.append((pattern, caps))
            by_top.append(fresh)
            continue
        kept = memo.by_top[i]
        # (found from the top-level node: from the root, every search would first scan the root's children)
        find = top_nodes[i].descendant_for_byte_range
        again: Dict[Shape, Node] = {}  # (several matches capture the same node)
        for pattern, shapes in kept:
            caps: Dict[str, List[Node]] = {}
            for name, nodes in shapes:
                found = []
                for shape in nodes:
                    node = again.get(shape)
                    if node is None:
                        a, b, kind = shape
                        node = find(s + a, s + b)
                        while node is not None and node.kind_id != kind:  # same range, an outer node
                            node = node.parent
                            if node is not None and (node.start_byte, node.end_byte) != (s + a, s + b):
                                node = None
                        if node is None:
                            return None
                        again[shape] = node
                    found.append(node)
                caps[name] = found
            out.append((pattern, caps))
        by_top.append(kept)
    memo.key, memo.source, memo.tree = key, source, tree.copy()
    memo.tops, memo.by_top = tops, by_top
    memo.requeried += 1
    return out
