"""GXL303: uintptr(unsafe.Pointer(p)) stored in a variable before being passed to a syscall-style call."""

from goexplint.analysis.syntax import package_selector, scopes, unparen
from goexplint.core.parse import node_text
from goexplint.rules.unsafe_pointer._support import (SYSCALL_PACKAGES, call_args, declaration, is_lazy_proc,
                                                     pointer_uintptr_store, short)

REQUIRES = (declaration, scopes)


def refine(match, ctx):
    call = match["call"]
    recv = match["recv"]
    fn = node_text(match["fn"])
    if fn == "Call":
        if not is_lazy_proc(ctx, recv):
            return
        args = call_args(call)
    else:
        if not any(package_selector(ctx, recv, pkg) for pkg in SYSCALL_PACKAGES):
            return
        args = call_args(call)[1:]  # the trap number
    callee = short(ctx, call.child_by_field_name("function"))
    for arg in args:
        arg = unparen(arg)
        store = pointer_uintptr_store(ctx, arg)
        if store is None:
            continue
        value = store.parent.parent.child_by_field_name("right") if store.parent.type == "expression_list" \
            else store.parent.child_by_field_name("value")
        conv = short(ctx, value.named_children[0] if value is not None and value.named_children else store, 60)
        yield match.finding(arg, related=((store, "the uintptr is computed here"),), evidence=conv,
                            arg=node_text(arg), call=callee, conv=conv)
