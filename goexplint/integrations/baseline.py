"""Adopting goexplint on an existing code base: baselines and diff mode.

* ``--write-baseline FILE`` records the current findings; ``--baseline FILE`` then reports only
  findings that are not in it.  A finding is keyed on its fingerprint (``report.fingerprints``:
  rule, path, whitespace-normalised source line, enclosing function and an occurrence index --
  no line numbers), so edits elsewhere in the file do not resurrect baselined findings, and a
  second copy of a baselined line is new.  Paths in the file are relative to the baseline
  file's directory, so it works from any working directory.
* ``--new-from-rev REV`` reports only findings whose line was added or changed since the git
  revision REV (``git diff -U0 REV``, working tree included; untracked files count as new).

File format (version 1)::

    {"version": 1, "tool": "goexplint",
     "findings": [{"rule": "GXL101", "path": "pkg/a.go", "fingerprint": "...", "line": 12, "message": "..."}]}

``line`` and ``message`` are for people reading the file; matching ignores them.
"""

from __future__ import annotations

import json
import os
import re
from typing import Dict, List, Optional, Sequence, Set

from goexplint.core.data import Finding
from goexplint.core.safe_write import write_atomic
from goexplint.report.common import fingerprints


class BaselineError(Exception):
    pass


def _abs(path: str, cwd: str) -> str:
    return os.path.normpath(os.path.join(cwd, path))


def _keys(findings: Sequence[Finding], cwd: str, base_dir: str) -> List[str]:
    rel = [os.path.relpath(_abs(f.path, cwd), base_dir).replace(os.sep, "/") for f in findings]
    return fingerprints(findings, rel), rel


def write(path: str, findings: Sequence[Finding], cwd: str) -> int:
    base_dir = os.path.dirname(os.path.abspath(path))
    shown = [f for f in findings if f.suppressed is None]
    prints, rel = _keys(shown, cwd, base_dir)
    doc = {"version": 1, "tool": "goexplint",
           "findings": [{"rule": f.rule_id, "path": p, "fingerprint": fp, "line": f.line, "message": f.message}
                        for f, p, fp in zip(shown, rel, prints)]}
    try:
        write_atomic(path, (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    except OSError as exc:
        raise BaselineError("cannot write baseline %s: %s" % (path, exc.strerror or exc))
    return len(shown)


def load(path: str) -> Set[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise BaselineError("cannot read baseline %s: %s" % (path, exc.strerror or exc))
    except ValueError as exc:
        raise BaselineError("baseline %s is not valid JSON: %s" % (path, exc))
    if not isinstance(doc, dict) or doc.get("version") != 1 or not isinstance(doc.get("findings"), list) \
            or not all(isinstance(x, dict) and isinstance(x.get("fingerprint"), str) for x in doc["findings"]):
        raise BaselineError("baseline %s is not a goexplint baseline (version 1, a findings list with "
                            "fingerprints); write one with --write-baseline" % path)
    return {x["fingerprint"] for x in doc["findings"]}


def filter_new(findings: Sequence[Finding], known: Set[str], baseline_path: str, cwd: str) -> List[Finding]:
    """The findings not recorded in the baseline (suppressed findings are kept as they are)."""
    base_dir = os.path.dirname(os.path.abspath(baseline_path))
    shown = [f for f in findings if f.suppressed is None]
    prints, _ = _keys(shown, cwd, base_dir)
    old = {id(f) for f, fp in zip(shown, prints) if fp in known}
    return [f for f in findings if id(f) not in old]


# ---- diff mode -------------------------------------------------------------------------------

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def _git(args: List[str], cwd: str) -> str:
    import subprocess  # (only --new-from-rev runs git: not imported by every run)

    try:
        proc = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd, capture_output=True)
    except OSError as exc:
        raise BaselineError("--new-from-rev needs git: %s" % (exc.strerror or exc))
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BaselineError("git %s failed: %s" % (" ".join(args[:2]), msg[0] if msg else "exit %d" % proc.returncode))
    return proc.stdout.decode("utf-8", "replace")


def _unquote(path: str) -> str:
    if path.startswith('"') and path.endswith('"'):
        return path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape").encode(
            "latin-1").decode("utf-8", "replace")
    return path


def _git_ok(args: List[str], cwd: str) -> Optional[str]:
    """git's output, or None when it fails (git itself missing is an error)."""
    import subprocess  # (only --new-from-rev runs git: not imported by every run)

    try:
        proc = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd, capture_output=True)
    except OSError as exc:
        raise BaselineError("--new-from-rev needs git: %s" % (exc.strerror or exc))
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else None


def _check_rev(rev: str, cwd: str) -> str:
    """The repository's top directory; a plain error when ``cwd`` is not in a git repository or git
    knows no commit ``rev`` there."""
    top = _git_ok(["rev-parse", "--show-toplevel"], cwd)
    if top is None:
        raise BaselineError("--new-from-rev %s: %s is not in a git repository (run goexplint inside the "
                            "checkout)" % (rev, cwd))
    top = top.strip()
    if rev.startswith("-") or not rev.strip():
        raise BaselineError("--new-from-rev %r: not a revision name" % rev)
    if _git_ok(["rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"], cwd) is not None:
        return top
    kind = _git_ok(["cat-file", "-t", "--end-of-options", rev], cwd)
    if kind is not None:
        raise BaselineError("--new-from-rev %s: names a %s, not a commit" % (rev, kind.strip()))
    if _git_ok(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], cwd) is None:
        raise BaselineError("--new-from-rev %s: the git repository at %s has no commits yet" % (rev, top))
    hint = ""
    if _git_ok(["rev-parse", "--is-shallow-repository"], cwd) == "true\n":
        hint = "; this is a shallow clone: fetch the revision first (e.g. git fetch origin main, or " \
               "fetch-depth: 0 in actions/checkout)"
    raise BaselineError("--new-from-rev %s: git knows no branch, tag or commit %r in the repository at %s%s"
                        % (rev, rev, top, hint))


def changed_lines(rev: str, cwd: str) -> Dict[str, Optional[Set[int]]]:
    """Absolute path -> 1-based lines added or changed since ``rev`` (None: the whole file is new)."""
    top = _check_rev(rev, cwd)
    out: Dict[str, Optional[Set[int]]] = {}
    current: Optional[str] = None
    for line in _git(["diff", "-U0", "--no-color", "--no-ext-diff", "-M", rev, "--"], top).splitlines():
        if line.startswith("+++ "):
            target = _unquote(line[4:].strip())
            current = None if target == "/dev/null" else os.path.realpath(os.path.join(top, target[2:]))
            if current is not None:
                out.setdefault(current, set())
        elif current is not None and line.startswith("@@"):
            m = _HUNK.match(line)
            if m:
                start, count = int(m.group(1)), int(m.group(2) if m.group(2) is not None else 1)
                out[current].update(range(start, start + count))
    for rel in _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0"):
        if rel:
            out[os.path.realpath(os.path.join(top, rel))] = None
    return out


def filter_changed(findings: Sequence[Finding], changed: Dict[str, Optional[Set[int]]], cwd: str) -> List[Finding]:
    keep = []
    for f in findings:
        lines = changed.get(os.path.realpath(_abs(f.path, cwd)), set())
        if lines is None or f.line in lines:
            keep.append(f)
    return keep
