"""Per-file memo for the package-level scans that read a file's sibling ``.go`` files.

Each scan used to re-read and re-scan every sibling for every file of the directory (the memo was
keyed by the sibling list, which excludes the file itself, so it never hit): quadratic in the
package size.  ``scan`` runs ``extract(bytes)`` once per (file, mtime, size) and per extractor and
returns the per-file results in the order of ``names``; callers merge them exactly as before.
"""

from __future__ import annotations

import os
from typing import Callable, Dict, List, Sequence, Tuple

_MEMO: Dict[Tuple[Callable, str, int, int], object] = {}
_LIMIT = 20000


def scan(directory: str, names: Sequence[str], extract: Callable[[bytes], object]) -> List[object]:
    """``extract(data)`` for each readable file ``directory/name`` (unreadable files are skipped)."""
    out = []
    for name in names:
        path = os.path.join(directory, name)
        try:
            st = os.stat(path)
        except OSError:
            continue
        key = (extract, path, st.st_mtime_ns, st.st_size)
        got = _MEMO.get(key, _MEMO)
        if got is _MEMO:
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            got = extract(data)
            if len(_MEMO) >= _LIMIT:
                _MEMO.clear()
            _MEMO[key] = got
        out.append(got)
    return out
