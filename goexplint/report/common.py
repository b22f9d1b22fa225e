"""What every reporter shares: options and stable fingerprints."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Dict, List, Optional, Sequence

from goexplint.core.data import Finding


@dataclasses.dataclass
class ReportOptions:
    show_source: bool = False
    srcroot: str = ""  # absolute directory that SARIF URIs are relative to ("" = cwd)
    cwd: str = ""
    sarif_category: str = ""
    exit_code: int = 0
    execution_successful: bool = True
    sarif_max_results: int = 25000  # GitHub rejects runs with more results


def fingerprints(findings: Sequence[Finding], paths: Optional[Sequence[str]] = None) -> List[str]:
    """Stable per-finding keys: hash of rule, path, the whitespace-normalised source line, the
    enclosing function and an occurrence index.  Line numbers are left out on purpose, so an
    edit above a finding does not change its key (SARIF ``partialFingerprints``, baselines).
    ``paths`` (one per finding) replaces ``finding.path`` in the key: SARIF and baselines pass
    repository-relative paths so the key does not depend on the directory goexplint ran from."""
    seen: Dict[str, int] = {}
    out = []
    for i, f in enumerate(findings):
        path = f.path if paths is None else paths[i]
        base = "\0".join((f.rule_id, path, " ".join(f.line_text.split()), f.context))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(hashlib.sha256(("%s\0%d" % (base, n)).encode("utf-8")).hexdigest()[:32])
    return out
