"""Configuration: ``.goexplint.toml`` or ``[tool.goexplint]`` in ``pyproject.toml``.

The nearest file walking up from the current directory wins (``.goexplint.toml``
before ``pyproject.toml`` in the same directory); command-line options override
it.  Unknown keys and values of the wrong type are errors (exit 2): a typo must
not silently switch a check off.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

KEYS = {
    "select": list,
    "ignore": list,
    "go-version": str,
    "exclude": list,
    "include-vendor": bool,
    "include-testdata": bool,
    "include-hidden": bool,
    "include-generated": bool,
    "force-exclude": bool,
    "report-unused-suppressions": bool,
    "jobs": int,
    "test-files": str,
    "file-timeout": float,  # seconds per file (an integer is fine too); 0 = no limit
}

# Keys whose string value must be one of a few words.
CHOICES = {
    # How _test.go files get the context-timeout family (GXL4xx): reported at note level, not at all, or as-is.
    "test-files": ("note", "off", "normal"),
}


class ConfigError(Exception):
    pass


def find_config(start: Path) -> Optional[Tuple[Path, Dict[str, Any]]]:
    d = start.resolve()
    for directory in [d, *d.parents]:
        dedicated = directory / ".goexplint.toml"
        if dedicated.is_file():
            return dedicated, _load(dedicated, None)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            data = _load(pyproject, ("tool", "goexplint"))
            if data is not None:
                return pyproject, data
    return None


def load_file(path: Path) -> Dict[str, Any]:
    if path.name == "pyproject.toml":
        return _load(path, ("tool", "goexplint")) or {}
    return _load(path, None)


def _load(path: Path, table: Optional[Tuple[str, ...]]):
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("%s: cannot read: %s" % (path, exc)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("%s: invalid TOML: %s" % (path, exc)) from exc
    if table:
        for key in table:
            data = data.get(key) if isinstance(data, dict) else None
            if data is None:
                return None
        if not isinstance(data, dict):
            raise ConfigError("%s: [%s] must be a table" % (path, ".".join(table)))
    validate(data, str(path))
    return data


def validate(data: Dict[str, Any], where: str) -> None:
    for key, value in data.items():
        if key not in KEYS:
            raise ConfigError("%s: unknown key %r (known keys: %s)" % (where, key, ", ".join(sorted(KEYS))))
        want = KEYS[key]
        if want is list:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif want is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif want is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
        else:
            ok = isinstance(value, want)
        if not ok:
            kinds = {list: "a list of strings", str: "a string", bool: "true or false", int: "an integer",
                     float: "a number of seconds (0 or more)"}
            raise ConfigError("%s: %r must be %s" % (where, key, kinds[want]))
        if key in CHOICES and value not in CHOICES[key]:
            raise ConfigError("%s: %r must be one of %s" % (where, key, ", ".join(repr(c) for c in CHOICES[key])))
