"""Stage 2: the effective Go language version of each file.

This mirrors what the Go toolchain does (spec section C, "Version gating"):

1. ``--go-version`` (``override``) wins over everything.
2. The module (package) version ``Vpkg`` comes from the ``go`` directive of the
   nearest ``go.mod`` above the file (1.16 when the go.mod has no ``go`` line),
   or, for files under ``<modroot>/vendor/<pkg>/``, from the owning module's
   ``## explicit; go 1.N`` line in ``vendor/modules.txt``.  No go.mod at or above
   the file (``go run x.go``, ``go vet x.go`` outside a module, GOPATH mode): the
   go command compiles the file at the language version of the toolchain itself
   (cmd/go/internal/work/gc.go passes ``-lang=go<gover.Local()>`` when a package
   has no module), so such files get :data:`TOOLCHAIN_LANG`, the newest Go
   release goexplint knows (every toolchain since Go 1.22 has per-iteration
   loop variables there).  An unreadable or malformed go.mod: unknown.
3. The file version ``Vfile`` is ``constraint.GoVersion`` of a ``//go:build``
   line in the header comments (before ``package``), clamped to at least 1.21
   (go/types since Go 1.23).  A file version always upgrades; it downgrades only
   when ``Vpkg >= 1.21``; with ``Vpkg`` unknown it is used as is.
4. ``GOEXPERIMENT=loopvar`` marks every file as having per-iteration loops.

Nothing here runs the go command: go.mod, vendor/modules.txt and build
constraints are parsed directly.  Directory lookups are cached because this runs
for every file; call :func:`clear_cache` when go.mod files may have changed.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from typing import Dict, List, Mapping, NamedTuple, Optional, Tuple

from goexplint.core.data import GoVersion

Lang = Tuple[int, int]

GO1_21: Lang = (1, 21)
# golang/go src/cmd/go/internal/gover/version.go DefaultGoModVersion.
DEFAULT_GOMOD_VERSION: Lang = (1, 16)
# The language version of a file outside any module: the go command compiles it at its own version
# (checked with go1.26.8: `go run x.go` in a directory with no go.mod above it gives per-iteration loop
# variables, `go build -x x.go` shows -lang=go1.26, and `go vet x.go` reports no loopclosure capture).
# goexplint does not run the go command, so it assumes the newest release it knows; --go-version pins it.
TOOLCHAIN_LANG: Lang = (1, 26)

# ---------------------------------------------------------------------------
# Version strings
# ---------------------------------------------------------------------------

# What a user may write for --go-version / the config file: 1.N, 1.N.P, 1.NrcK, 1.NbetaK, with an optional "go".
_USER_VERSION_RE = re.compile(r"(?:go)?1\.(0|[1-9][0-9]{0,8})(?:\.(?:0|[1-9][0-9]*)|(?:rc|beta)(?:0|[1-9][0-9]*))?",
                              re.ASCII)
# golang.org/x/mod/modfile GoVersionRE (strict) and laxGoVersionRE (used for dependencies' go.mod files).
_GOMOD_VERSION_RE = re.compile(r"([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?", re.ASCII)
_LAX_GOMOD_VERSION_RE = re.compile(r"v?([1-9][0-9]*)\.(0|[1-9][0-9]*)[^0-9].*", re.ASCII | re.DOTALL)
# golang.org/x/mod/semver IsValid (close enough for vendor/modules.txt module lines).
_SEMVER_RE = re.compile(r"v(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)"
                        r"(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?)?)?", re.ASCII)


def parse_lang(text: str) -> Lang:
    """Parse a user-supplied Go version ("1.22", "1.22.3", "1.22rc1", "go1.22") into ``(1, N)``.

    Raises ``ValueError`` with a message fit for the user otherwise.
    """
    m = _USER_VERSION_RE.fullmatch(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise ValueError("invalid Go version %r: expected e.g. 1.22 (or 1.22.3, 1.22rc1, go1.22)" % (text,))
    return (1, int(m.group(1)))


def _module_lang(raw: str) -> Optional[Lang]:
    """The language (1, N) of a go.mod / modules.txt go version, or None when it is not valid."""
    m = _GOMOD_VERSION_RE.fullmatch(raw) or _LAX_GOMOD_VERSION_RE.fullmatch(raw)
    if m is None or m.group(1) != "1" or len(m.group(2)) > 9:
        return None
    return (1, int(m.group(2)))


def _fmt(lang: Lang) -> str:
    return "%d.%d" % lang


# ---------------------------------------------------------------------------
# go.mod
# ---------------------------------------------------------------------------

_GOMOD_PUNCT = "()[]{},"


def _gomod_tokens(line: str) -> List[str]:
    """Tokens of one go.mod line, as golang.org/x/mod/modfile's lexer splits them (comments dropped).

    Tolerant: characters the real lexer rejects are skipped instead of failing.
    """
    tokens = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in " \t\r":
            i += 1
        elif line.startswith("//", i):
            break
        elif c in _GOMOD_PUNCT:
            tokens.append(c)
            i += 1
        elif c in "\"`":
            j = i + 1
            while j < n and line[j] != c:
                j += 2 if line[j] == "\\" and c == '"' else 1
            j = min(j + 1, n)
            tokens.append(line[i:j])
            i = j
        elif c.isspace() or not c.isprintable():
            i += 1
        else:
            j = i
            while j < n and line[j] not in _GOMOD_PUNCT and not line[j].isspace() and line[j].isprintable() \
                    and not line.startswith("//", j):
                j += 1
            tokens.append(line[i:j])
            i = j
    return tokens


class _GoDirective(NamedTuple):
    line: int  # 1-based
    raw: str  # the version as written ("" when the directive has no single argument)
    lang: Optional[Lang]  # None: invalid


def _find_go_directive(text: str) -> Optional[_GoDirective]:
    """The first top-level ``go`` statement of a go.mod (block contents are skipped)."""
    in_block = False
    for lineno, line in enumerate(text.split("\n"), 1):
        tokens = _gomod_tokens(line)
        if not tokens:
            continue
        if in_block:
            if tokens[0] == ")":
                in_block = False
            continue
        if tokens[-1] == "(" and len(tokens) > 1:
            in_block = True  # "require (" ... ")"; a "go (" block is not a go directive
            continue
        if tokens[0] == "go":
            if len(tokens) != 2:
                return _GoDirective(lineno, " ".join(tokens[1:]), None)
            return _GoDirective(lineno, tokens[1], _module_lang(tokens[1]))
    return None


def gomod_go_line(text: str) -> Optional[Lang]:
    """The language version ``(1, N)`` of a go.mod's ``go`` directive; None without a (valid) one. Never raises."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    if not isinstance(text, str):
        return None
    directive = _find_go_directive(text)
    return directive.lang if directive else None


# ---------------------------------------------------------------------------
# //go:build
# ---------------------------------------------------------------------------

_MAX_CONSTRAINT_OPERANDS = 1000  # go/build/constraint maxSize
_INT64_MAX = (1 << 63) - 1
_NONE = -1  # "no version implied" sorts below every version, as in go/build/constraint
_HEADER_SPACE_RE = re.compile(rb"[ \t\r\n]*")
# strings.TrimSpace: unicode.IsSpace, which (unlike str.isspace) excludes U+001C..U+001F.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
            "\u2028\u2029\u202f\u205f\u3000"


class _BadConstraint(Exception):
    pass


def _tag_version(tag: str) -> int:
    """go/build/constraint minVersion of a positive tag: N for go1.N, 0 for go1, else none."""
    if tag == "go1":
        return 0
    _, sep, digits = tag.partition("go1.")  # strings.Cut: the first "go1." anywhere, as Go does
    if not sep or not digits or len(digits) > 19 or not all("0" <= ch <= "9" for ch in digits):
        return _NONE
    n = int(digits)
    return n if n <= _INT64_MAX else _NONE  # strconv.Atoi overflow


class _ConstraintParser:
    """Recursive-descent parser of a //go:build expression (go/build/constraint exprParser).

    Instead of building a tree it computes, for each sub-expression x, the pair
    ``(minVersion(x, +1), minVersion(x, -1))`` so negation is a swap.  One Python
    frame per parenthesis level.
    """

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.tok = ""
        self.is_tag = False
        self.operands = 0

    def lex(self) -> None:
        s, i, n = self.s, self.i, len(self.s)
        while i < n and s[i] in " \t":
            i += 1
        self.is_tag = False
        if i >= n:
            self.tok, self.i = "", i
            return
        c = s[i]
        if c in "()!":
            self.tok, self.i = c, i + 1
            return
        if c in "&|":
            if i + 1 >= n or s[i + 1] != c:
                raise _BadConstraint("invalid syntax at " + c)
            self.tok, self.i = c + c, i + 2
            return
        j = i
        while j < n and (s[j].isalpha() or s[j].isdecimal() or s[j] in "_."):
            j += 1
        if j == i:
            raise _BadConstraint("invalid syntax at " + c)
        self.tok, self.i, self.is_tag = s[i:j], j, True

    def parse(self) -> int:
        self.lex()
        pos, _ = self.or_expr()
        if self.tok != "":
            raise _BadConstraint("unexpected token " + self.tok)
        if self.operands > _MAX_CONSTRAINT_OPERANDS:
            raise _BadConstraint("build expression too large")
        return pos

    def or_expr(self) -> Tuple[int, int]:
        """or := and {"||" and}; and := unary {"&&" unary}; unary := ["!"] ( "(" or ")" | tag )."""
        result = None
        while True:
            conj = None
            while True:
                self.operands += 1
                negate = self.tok == "!"
                if negate:
                    self.lex()
                    if self.tok == "!":
                        raise _BadConstraint("double negation not allowed")
                if self.tok == "(":
                    self.lex()
                    value = self.or_expr()
                    if self.tok != ")":
                        raise _BadConstraint("missing close paren")
                elif self.is_tag:
                    value = (_tag_version(self.tok), _NONE)
                else:
                    raise _BadConstraint("unexpected token " + (self.tok or "end of expression"))
                self.lex()
                if negate:
                    value = (value[1], value[0])
                # x && y: max when positive, min under negation.
                conj = value if conj is None else (max(conj[0], value[0]), min(conj[1], value[1]))
                if self.tok != "&&":
                    break
                self.lex()
            # x || y: min when positive, max under negation.
            result = conj if result is None else (min(result[0], conj[0]), max(result[1], conj[1]))
            if self.tok != "||":
                return result
            self.lex()


def _go_build_version(comment: str) -> Tuple[bool, Optional[Lang]]:
    """(is a valid //go:build line, its GoVersion) for one ``//`` comment text (go/build/constraint.Parse)."""
    if not comment.startswith("//go:build"):
        return False, None
    rest = comment.strip(_GO_SPACE)[len("//go:build"):]
    expr = rest.strip(_GO_SPACE)
    if len(rest) == len(expr) and rest != "":
        return False, None  # //go:buildfoo
    try:
        version = _ConstraintParser(expr).parse()
    except (_BadConstraint, RecursionError):
        return False, None
    return True, (None if version < 0 else (1, version))


def _header_constraint(source: bytes) -> Optional[Tuple[str, Optional[Lang]]]:
    """The last valid //go:build line before the first token (go/parser), as (expression, GoVersion)."""
    i = 3 if source.startswith(b"\xef\xbb\xbf") else 0
    n = len(source)
    found = None
    while True:
        i = _HEADER_SPACE_RE.match(source, i).end()
        if i >= n:
            break
        if source.startswith(b"//", i):
            j = source.find(b"\n", i)
            j = n if j < 0 else j
            if source.startswith(b"//go:build", i):
                # go/scanner drops '\r' from // comments.
                text = source[i:j].replace(b"\r", b"").decode("utf-8", "replace")
                ok, version = _go_build_version(text)
                if ok:
                    found = (text[len("//go:build"):].strip(_GO_SPACE), version)
            i = j
        elif source.startswith(b"/*", i):
            j = source.find(b"*/", i + 2)
            if j < 0:
                break
            i = j + 2
        else:
            break  # the package clause (or anything else) ends the header
    return found


def build_constraint_version(source: bytes) -> Optional[Lang]:
    """Minimum Go version ``(1, N)`` implied by the file's header //go:build line (no 1.21 clamp). Never raises."""
    if isinstance(source, str):
        source = source.encode("utf-8", "surrogateescape")
    if not isinstance(source, (bytes, bytearray, memoryview)):
        return None
    found = _header_constraint(bytes(source))
    return found[1] if found else None


# ---------------------------------------------------------------------------
# Module version, cached per directory
# ---------------------------------------------------------------------------

class _ModVersion(NamedTuple):
    """Vpkg of a directory.  ``kind``: go.mod, default, vendor, toolchain (no go.mod) or unknown; ``where``:
    the file it came from (the directory itself for toolchain)."""

    lang: Optional[Lang]
    kind: str
    where: Optional[str] = None  # absolute path of go.mod / vendor/modules.txt
    line: int = 0
    raw: str = ""
    note: str = ""  # vendor: the owning module; unknown: why


class _VendorModule:
    __slots__ = ("path", "version", "go_raw", "go_line", "packages")

    def __init__(self, path: str, version: str) -> None:
        self.path = path
        self.version = version
        self.go_raw = ""
        self.go_line = 0
        self.packages: List[str] = []


_ROOTS: Dict[str, Optional[str]] = {}
_DIRS: Dict[str, _ModVersion] = {}


def clear_cache() -> None:
    """Forget every go.mod / vendor/modules.txt lookup (for tests and the language server)."""
    _ROOTS.clear()
    _DIRS.clear()
    _module_version.cache_clear()
    _read_gomod.cache_clear()
    _read_vendor_modules.cache_clear()


def _has_gomod(directory: str) -> bool:
    try:
        st = os.stat(os.path.join(directory, "go.mod"))
    except (OSError, ValueError):
        return False
    return not stat.S_ISDIR(st.st_mode)  # cmd/go findModuleRoot: exists and is not a directory


def _module_root(directory: str) -> Optional[str]:
    """The nearest directory at or above ``directory`` holding a go.mod (cmd/go findModuleRoot)."""
    seen = []
    d = directory
    while True:
        if d in _ROOTS:
            root = _ROOTS[d]
            break
        seen.append(d)
        if _has_gomod(d):
            root = d
            break
        parent = os.path.dirname(d)
        if parent == d:
            root = None
            break
        d = parent
    for d in seen:
        _ROOTS[d] = root
    return root


def _read_text(path: str) -> Tuple[str, Optional[str]]:
    """(text, error): only regular files are read, so a FIFO named go.mod cannot hang the run."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return "", "cannot read: not a regular file"
            return f.read().decode("utf-8", "replace"), None
    except (OSError, ValueError) as e:
        return "", "cannot read: %s" % (getattr(e, "strerror", None) or e)


@functools.lru_cache(maxsize=None)
def _read_gomod(root: str) -> _ModVersion:
    path = os.path.join(root, "go.mod")
    text, error = _read_text(path)
    if error:
        return _ModVersion(None, "unknown", path, note=error)
    directive = _find_go_directive(text)
    if directive is None:
        return _ModVersion(DEFAULT_GOMOD_VERSION, "default", path)
    if directive.lang is None:
        return _ModVersion(None, "unknown", path, directive.line, directive.raw,
                           note="invalid go version %r" % directive.raw)
    return _ModVersion(directive.lang, "go.mod", path, directive.line, directive.raw)


@functools.lru_cache(maxsize=None)
def _read_vendor_modules(root: str) -> Tuple[Optional[str], Tuple[_VendorModule, ...]]:
    """(error, modules) of <root>/vendor/modules.txt, parsed like cmd/go modload readVendorList."""
    text, error = _read_text(os.path.join(root, "vendor", "modules.txt"))
    if error:
        return error, ()
    modules: Dict[Tuple[str, str], _VendorModule] = {}
    current: Optional[_VendorModule] = None
    for lineno, line in enumerate(text.split("\n"), 1):
        if line.startswith("# "):
            f = line.split()
            if len(f) < 3:
                continue
            if _SEMVER_RE.fullmatch(f[2]):
                key = (f[1], f[2])
            elif f[2] == "=>":
                key = (f[1], "")
            else:
                current = None
                continue
            current = modules.setdefault(key, _VendorModule(*key))
            continue
        if current is None:
            continue
        if line.startswith("## "):
            for entry in line[3:].split(";"):
                entry = entry.strip()
                if entry.startswith("go "):
                    current.go_raw, current.go_line = entry[3:], lineno
            continue
        f = line.split()
        if len(f) == 1 and not f[0].startswith("#"):
            current.packages.append(f[0])
    return None, tuple(modules.values())


def _vendor_version(root: str, pkg: str) -> _ModVersion:
    where = os.path.join(root, "vendor", "modules.txt")
    error, modules = _read_vendor_modules(root)
    if error:
        return _ModVersion(None, "unknown", where, note=error)
    # cmd/go maps each listed package to the module line above it; fall back to the
    # longest module path that is a prefix of the package path.
    owner = next((m for m in modules if pkg in m.packages), None)
    if owner is None:
        prefixes = [m for m in modules if pkg == m.path or pkg.startswith(m.path + "/")]
        owner = max(prefixes, key=lambda m: len(m.path), default=None)
    if owner is None:
        return _ModVersion(None, "unknown", where, note="package %s is not listed" % pkg)
    if not owner.go_raw:
        return _ModVersion(None, "unknown", where, note="no '## go' line for %s" % owner.path)
    lang = _module_lang(owner.go_raw)
    if lang is None:
        return _ModVersion(None, "unknown", where, owner.go_line, owner.go_raw,
                           note="invalid go version %r for %s" % (owner.go_raw, owner.path))
    return _ModVersion(lang, "vendor", where, owner.go_line, owner.go_raw, note=owner.path)


def _directory_version(directory: str) -> _ModVersion:
    cached = _DIRS.get(directory)
    if cached is not None:
        return cached
    root = _module_root(directory)
    if root is None:
        result = _ModVersion(TOOLCHAIN_LANG, "toolchain", directory, note="no go.mod")
    else:
        rel = os.path.relpath(directory, root).split(os.sep)
        if rel[0] == "vendor":
            if len(rel) > 1:
                result = _vendor_version(root, "/".join(rel[1:]))
            else:
                result = _ModVersion(None, "unknown", directory, note="vendor/ itself is not a package")
        else:
            result = _read_gomod(root)
    _DIRS[directory] = result
    return result


# ---------------------------------------------------------------------------
# resolve
# ---------------------------------------------------------------------------

def _display(path: Optional[str]) -> str:
    if not path:
        return "?"
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _module_detail(mv: _ModVersion) -> str:
    if mv.kind == "go.mod":
        return "go.mod:%d (go %s) at %s" % (mv.line, mv.raw, _display(mv.where))
    if mv.kind == "default":
        return "go.mod has no go line: %s (%s)" % (_fmt(DEFAULT_GOMOD_VERSION), _display(mv.where))
    if mv.kind == "vendor":
        return "vendor/modules.txt:%d (%s: go %s) at %s" % (mv.line, mv.note, mv.raw, _display(mv.where))
    if mv.kind == "toolchain":
        return ("no go.mod at or above %s: the go command builds such files at its own language version "
                "(go%s assumed; --go-version sets another)" % (_display(mv.where), _fmt(mv.lang)))
    return "%s: %s" % (_display(mv.where), mv.note)


def _module_name(mv: _ModVersion) -> str:
    return {"go.mod": "go.mod's", "default": "go.mod's default", "vendor": "vendor/modules.txt's",
            "toolchain": "the toolchain's (no go.mod)"}[mv.kind]


def _experiment_loopvar(environ: Mapping[str, str]) -> bool:
    """GOEXPERIMENT is a comma list; later entries win, "none" resets (internal/buildcfg)."""
    on = False
    for item in str(environ.get("GOEXPERIMENT") or "").split(","):
        item = item.strip()
        if item == "loopvar":
            on = True
        elif item in ("noloopvar", "none"):
            on = False
    return on


@functools.lru_cache(maxsize=256)
def _module_version(mv: _ModVersion, cwd: str) -> GoVersion:
    """The version of a file without a //go:build version: its module's, one value per module and working
    directory (the detail names files relative to it), not worked out again for each of a big package's files."""
    return GoVersion(mv.lang, mv.kind, _module_detail(mv))


def _resolve(path, source: bytes) -> GoVersion:
    try:
        directory = os.path.dirname(os.path.abspath(os.fsdecode(path)))
    except (TypeError, ValueError):
        directory = os.getcwd()
    mv = _directory_version(directory)
    tag = _header_constraint(source)
    if tag is None or tag[1] is None:
        return _module_version(mv, os.getcwd())

    expr, found = tag
    vfile = max(found, GO1_21)
    if len(expr) > 60:
        expr = expr[:57] + "..."
    said = "//go:build %s" % expr
    if vfile != found:
        said += " (go%s raised to go%s)" % (_fmt(found), _fmt(vfile))
    if mv.lang is None:
        return GoVersion(vfile, "build-tag", "%s; module version unknown (%s)" % (said, _module_detail(mv)))
    if vfile > mv.lang:
        return GoVersion(vfile, "build-tag", "%s upgrades %s %s" % (said, _module_name(mv), _fmt(mv.lang)))
    if vfile < mv.lang:
        if mv.lang >= GO1_21:
            return GoVersion(vfile, "build-tag", "%s downgrades %s %s" % (said, _module_name(mv), _fmt(mv.lang)))
        return GoVersion(mv.lang, mv.kind, "%s; %s cannot downgrade below go1.21" % (_module_detail(mv), said))
    return GoVersion(mv.lang, mv.kind, "%s; %s agrees" % (_module_detail(mv), said))


def resolve(path, source: bytes, *, override: Optional[str] = None,
            environ: Mapping[str, str] = os.environ) -> GoVersion:
    """The effective Go language version of the file at ``path`` whose content is ``source``.

    ``override`` is the ``--go-version`` value (raises ``ValueError`` when it is not a
    Go version; validate it up front with :func:`parse_lang`).  Nothing else raises:
    unreadable or malformed go.mod / modules.txt files make the version unknown.
    """
    if override is not None:
        version = GoVersion(parse_lang(override), "flag", "--go-version %s" % override.strip())
    else:
        version = _resolve_file(path, source)
    if _experiment_loopvar(environ):
        version = GoVersion(version.lang, version.source, version.detail + "; GOEXPERIMENT=loopvar",
                            loopvar_experiment=True)
    return version


def _resolve_file(path, source: bytes) -> GoVersion:
    if isinstance(source, str):
        source = source.encode("utf-8", "surrogateescape")
    try:
        return _resolve(path, bytes(source) if source is not None else b"")
    except Exception as e:  # never let one odd file stop the run
        return GoVersion(None, "unknown", "could not determine the Go version: %s" % e)
