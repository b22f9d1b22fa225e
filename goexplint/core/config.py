"""Configuration: ``.goexplint.toml`` or ``[tool.goexplint]`` in ``pyproject.toml``.

Hierarchical, as in ruff: each file gets the nearest configuration file walking
up from its own directory (``.goexplint.toml`` before ``pyproject.toml`` in the
same directory); a file with none above it gets the one found from the current
directory, else the defaults.  ``extend = "../.goexplint.toml"`` (relative to the
file that says it) inherits another file's settings; the extending file's keys
replace the inherited ones key by key.  ``exclude`` globs are relative to the
directory of the file that defines them.  ``--config FILE`` applies one file to
every linted file; command-line options override any file.  Unknown keys and
values of the wrong type are errors (exit 2): a typo must not silently switch a
check off.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from goexplint.core import goversion
from goexplint.core.registry import select_rules

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
    "fail-on": str,
    "extend": str,
    "file-timeout": float,  # seconds per file (an integer is fine too); 0 = no limit
    "max-file-size": float,  # MB (1,000,000 bytes) per file; a larger file is skipped with a notice; 0 = no limit
}

# Keys whose string value must be one of a few words.
CHOICES = {
    # How _test.go files get the context-timeout family (GXL4xx): reported at note level, not at all, or as-is.
    "test-files": ("note", "off", "normal"),
    # The least severe finding that makes the run exit 1 (notes never do by default).
    "fail-on": ("error", "warning", "note"),
}


class ConfigError(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class Config:
    """One effective configuration: ``data`` with ``extend`` resolved (the key itself removed)."""
    path: Optional[Path]  # the file (None: defaults)
    data: Dict[str, Any]
    rooted_exclude: Tuple[Tuple[str, str], ...] = ()  # (directory of the defining file, glob)


DEFAULT = Config(None, {})


def _in_dir(directory: Path) -> Optional[Config]:
    """The configuration file in ``directory`` itself, if any."""
    dedicated = directory / ".goexplint.toml"
    if dedicated.is_file():
        return load(dedicated)
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file() and _load(pyproject, ("tool", "goexplint")) is not None:
        return load(pyproject)
    return None


def find(start: Path) -> Optional[Config]:
    """The nearest configuration walking up from the directory ``start``."""
    d = start.resolve()
    for directory in [d, *d.parents]:
        found = _in_dir(directory)
        if found is not None:
            return found
    return None


def load(path: Path, _chain: Tuple[Path, ...] = ()) -> Config:
    """Load ``path`` (a ``.goexplint.toml`` or a ``pyproject.toml``) and the files it extends."""
    path = Path(path).resolve()
    if path in _chain:
        raise ConfigError("%s: 'extend' loops back to itself (%s)" % (
            _chain[0], " -> ".join(str(p) for p in _chain + (path,))))
    if not path.is_file():
        where = ("%s: 'extend' names " % _chain[-1]) if _chain else ""
        raise ConfigError("%s%s: no such configuration file" % (where, path))
    if path.name == "pyproject.toml":
        data = _load(path, ("tool", "goexplint")) or {}
    else:
        data = _load(path, None)
    data = dict(data)
    own_exclude = tuple((str(path.parent), g) for g in data.get("exclude", ()))
    parent = data.pop("extend", None)
    if parent is None:
        return Config(path, data, own_exclude)
    base = load(path.parent / parent, _chain + (path,))
    merged = dict(base.data)
    merged.update(data)
    rooted = own_exclude if "exclude" in data else base.rooted_exclude
    return Config(path, merged, rooted)


class Resolver:
    """The configuration for each directory: ``explicit`` (``--config``) for all of them, else the
    nearest file above the directory, else the one found from ``cwd``, else the defaults."""

    def __init__(self, cwd: Path, explicit: Optional[Path] = None):
        self.explicit = load(explicit) if explicit is not None else None
        self.cwd_config = self.explicit or find(cwd) or DEFAULT
        self._memo: Dict[Path, Config] = {}
        self._asked: Dict[str, Config] = {}  # the directory as asked (one resolve() per directory and run)

    def for_dir(self, directory: Path) -> Config:
        if self.explicit is not None:
            return self.explicit
        asked = str(directory)
        got = self._asked.get(asked)
        if got is None:
            got = self._asked[asked] = self._for_resolved(Path(directory).resolve())
        return got

    def _for_resolved(self, directory: Path) -> Config:
        chain: List[Path] = []
        found: Optional[Config] = None
        for d in [directory, *directory.parents]:
            if d in self._memo:
                found = self._memo[d]
                break
            chain.append(d)
            here = _in_dir(d)
            if here is not None:
                found = here
                break
        found = found or self.cwd_config
        for d in chain:
            self._memo[d] = found
        return found

    def configs(self) -> List[Config]:
        """Every distinct configuration handed out so far (and the current directory's)."""
        seen = {id(self.cwd_config): self.cwd_config}
        for c in self._memo.values():
            seen.setdefault(id(c), c)
        return list(seen.values())


def find_config(start: Path) -> Optional[Tuple[Path, Dict[str, Any]]]:
    found = find(start)
    return (found.path, found.data) if found is not None else None


def load_file(path: Path) -> Dict[str, Any]:
    return load(path).data


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
    validate(data, str(path) if not table else "%s [%s]" % (path, ".".join(table)))
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
                     float: "a number of %s (0 or more)" % ("MB" if key == "max-file-size" else "seconds")}
            raise ConfigError("%s: %r must be %s" % (where, key, kinds[want]))
        if key in CHOICES and value not in CHOICES[key]:
            raise ConfigError("%s: %r must be one of %s" % (where, key, ", ".join(repr(c) for c in CHOICES[key])))
        if key == "jobs" and value < 1:
            raise ConfigError("%s: 'jobs' must be at least 1" % where)
        problem = _value_problem(key, value)
        if problem:
            raise ConfigError("%s: %r: %s" % (where, key, problem))


def _value_problem(key: str, value: Any) -> Optional[str]:
    """What is wrong with a rule list or a Go version (checked when the file is read, so the error
    names the file and the key even when no linted file uses this configuration)."""

    try:
        if key == "select":
            select_rules(value, None)
        elif key == "ignore":
            select_rules(None, value)
        elif key == "go-version":
            goversion.parse_lang(value)
    except ValueError as exc:
        return str(exc)
    return None
