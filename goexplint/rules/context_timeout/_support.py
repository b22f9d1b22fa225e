"""What the context-timeout rules know of net/http and context: the package paths, the ``context.With…``
functions that return a cancel function, which parameters carry a context, and the package-wide facts
GXL402 and GXL408 decide on."""

from __future__ import annotations

import re
from typing import List, Optional, Set, Tuple

from tree_sitter import Node

from goexplint.analysis.package import FuncDecl, model
from goexplint.analysis.syntax import files_having, is_package_type, strip_pointer, top_level_names
from goexplint.core.parse import FileContext
from goexplint.core.providers import FILE, PACKAGE, provider

HTTP = "net/http"
CONTEXT = "context"
DETACHED_CALLS = (b"Background()", b"TODO()")  # the text of calls that make a context nothing cancels
NET = "net"
TLS = "crypto/tls"
HTTPTEST = "net/http/httptest"

WITH_CANCEL = ("WithCancel", "WithCancelCause", "WithTimeout", "WithTimeoutCause", "WithDeadline",
               "WithDeadlineCause")

STREAMY = re.compile(r"stream|watch|sse|longpoll|long_poll|websocket|(^|[^a-z])ws", re.I)


@provider(scope=FILE, requires=(top_level_names,))
def context_params(ctx: FileContext, fn: Node) -> List[Tuple[Node, str]]:
    """Parameters of ``fn`` that carry a context: ``(ident, "ctx")`` for ``context.Context`` and
    ``(ident, "request")`` for ``*http.Request``.  Blank (``_``) parameters are skipped."""
    out: List[Tuple[Node, str]] = []
    params = fn.child_by_field_name("parameters")
    if params is None:
        return out
    for p in params.named_children:
        if p.type != "parameter_declaration":
            continue
        typ = p.child_by_field_name("type")
        kind = None
        if is_package_type(ctx, typ, CONTEXT, "Context"):
            kind = "ctx"
        elif typ is not None and typ.type == "pointer_type" \
                and is_package_type(ctx, strip_pointer(typ), HTTP, "Request"):
            kind = "request"
        if kind is None:
            continue
        for i in range(p.child_count):
            if p.field_name_for_child(i) == "name" and p.children[i].type == "identifier" \
                    and p.children[i].text != b"_":
                out.append((p.children[i], kind))
    return out


def short(text: str, limit: int = 30) -> str:
    """Source text for a message: one line, at most ``limit`` characters (``…`` otherwise)."""
    text = text.strip()
    return text if len(text) <= limit and "\n" not in text else "…"


# --------------------------------------------------------------------------- package-wide facts


@provider(scope=PACKAGE)
def name_selected_in_package(ctx: FileContext, name: str) -> bool:
    """Some file of the package selects ``.name`` (``f.baseClient``): a byte search, which errs towards
    "selected" (a selector of another type's field of the same name counts too)."""
    pattern = re.compile(rb"\.\s*" + re.escape(name.strip().encode()) + rb"\b")
    return any(pattern.search(f.source) for f in ctx.package.files)


def creates_detached(decl: Optional[FuncDecl]) -> bool:
    """The body of the declaration mentions ``Background()`` or ``TODO()`` (a byte test)."""
    span = decl.body_span if decl is not None else None  # plain data: no sibling parsed for it
    if span is None:
        return False
    text = decl.file.source[span[0]:span[1]]
    return any(call in text for call in DETACHED_CALLS)


@provider(scope=PACKAGE, requires=(files_having,))
def package_mentions_background(ctx: FileContext) -> bool:
    """Some file of the package mentions ``Background()`` or ``TODO()``: a byte test on the package's files
    (already loaded: linting is scheduled by package) that needs no package model."""
    return any(files_having(ctx, call) > 0 for call in DETACHED_CALLS)


@provider(scope=PACKAGE, requires=(model,))
def detaching_method_names(ctx: FileContext) -> Set[str]:
    """Names of the package's methods whose body mentions ``Background()``/``TODO()``."""
    return {name for (_, name), d in model(ctx).methods.items() if creates_detached(d)}


@provider(scope=PACKAGE, requires=(model,))
def detaching_func_names(ctx: FileContext) -> Set[str]:
    """Names of the package's functions whose body mentions ``Background()``/``TODO()``."""
    return {name for name, d in model(ctx).funcs.items() if creates_detached(d)}
