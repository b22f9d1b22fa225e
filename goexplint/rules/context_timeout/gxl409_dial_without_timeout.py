"""GXL409: net.Dial / tls.Dial and Dialers without a timeout."""

from goexplint.analysis.ctxflow import (NET, TLS, is_package_type, later_field_assignment, literal_keys, literal_of,
                                        package_member, scope_body, set_keys, unparen)
from goexplint.analysis.syntax import node_text, resolve

KEYS = ("Timeout", "Deadline")
NET_ADVICE = "use (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, addr) or net.DialTimeout"
TLS_ADVICE = "use (&tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: cfg})" \
             ".DialContext(ctx, network, addr)"


# Networks whose Dial does no handshake (UDP, raw IP) or never leaves the host (Unix sockets): it
# returns or fails at once, so there is nothing for a timeout to bound.
INSTANT_NETWORKS = ("udp", "udp4", "udp6", "unix", "unixgram", "unixpacket", "ip", "ip4", "ip6")


def _instant_network(call):
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    if first is None or first.type not in ("interpreted_string_literal", "raw_string_literal"):
        return False
    network = node_text(first)[1:-1]
    return network in INSTANT_NETWORKS or network.split(":")[0] in ("ip", "ip4", "ip6")


def refine(match, ctx):
    call = match["call"]
    fn = match["fn"]
    name = package_member(ctx, fn, NET, ("Dial", "DialTCP"))
    if name == "Dial" and _instant_network(call):
        return
    if name:
        yield match.finding(call, evidence="package function net.%s" % name, what="net." + name, advice=NET_ADVICE)
        return
    if package_member(ctx, fn, TLS, ("Dial",)):
        yield match.finding(call, evidence="package function tls.Dial", what="tls.Dial", advice=TLS_ADVICE)
        return
    args = call.child_by_field_name("arguments")
    if package_member(ctx, fn, TLS, ("DialWithDialer",)):
        first = args.named_children[0] if args is not None and args.named_children else None
        why = _untimed_dialer(ctx, first)
        if why:
            yield match.finding(call, evidence=why, what="tls.DialWithDialer with " + why,
                                advice="set Timeout on the net.Dialer, e.g. &net.Dialer{Timeout: 5 * time.Second}")
        return
    if fn.type != "selector_expression" or node_text(fn.child_by_field_name("field")) != "Dial":
        return
    why = _untimed_dialer(ctx, fn.child_by_field_name("operand"))
    if why:
        yield match.finding(call, evidence=why, what="Dial on " + why,
                            advice="set Timeout: 5 * time.Second on the Dialer and call DialContext(ctx, …)")


def _untimed_dialer(ctx, expr):
    """A description when ``expr`` is a net.Dialer without Timeout/Deadline, else ''."""
    expr = unparen(expr)
    if expr is None:
        return ""
    lit = literal_of(expr)
    if lit is not None:
        if is_package_type(ctx, lit.child_by_field_name("type"), NET, "Dialer") \
                and not set_keys(literal_keys(lit), KEYS):
            return "a net.Dialer literal without Timeout"
        return ""
    if expr.type != "identifier":
        return ""
    decl = resolve(expr)
    if decl is None:
        return ""
    value = decl.value()
    lit = literal_of(value)
    if lit is not None:
        if not is_package_type(ctx, lit.child_by_field_name("type"), NET, "Dialer") \
                or set_keys(literal_keys(lit), KEYS):
            return ""
    elif value is not None or decl.ident.parent.type != "var_spec" \
            or not is_package_type(ctx, decl.written_type(), NET, "Dialer"):
        return ""
    if later_field_assignment(ctx, decl.ident, KEYS, scope_body(decl.ident, ctx)) is not None:
        return ""
    return "net.Dialer %s without Timeout" % node_text(expr)
