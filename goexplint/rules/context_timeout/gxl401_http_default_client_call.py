"""GXL401: package-level http.Get/Head/Post/PostForm (they use http.DefaultClient)."""

from goexplint.analysis.syntax import package_member, scopes, top_level_names
from goexplint.rules.context_timeout._support import HTTP

REQUIRES = (scopes, top_level_names)

METHODS = {"Get": "http.MethodGet", "Head": "http.MethodHead", "Post": "http.MethodPost",
           "PostForm": "http.MethodPost"}


def refine(match, ctx):
    name = package_member(ctx, match["fn"], HTTP, METHODS)
    if name is None:
        return
    yield match.finding(match["call"], evidence="package function net/http.%s" % name, fn=name,
                        method=METHODS[name])
