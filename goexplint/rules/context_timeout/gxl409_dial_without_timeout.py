"""GXL409: net.Dial / tls.Dial and Dialers without a timeout."""

import re

from goexplint.analysis.syntax import (is_package_type, package_func, package_member, resolve, scope_body, scopes,
                                       unparen)
from goexplint.analysis.values import (later_field_assignment, literal_keys, literal_of, local_values, set_keys,
                                       string_prefixes, values_of_local)
from goexplint.core.parse import node_text
from goexplint.rules.context_timeout._support import HTTPTEST, NET, TLS
from goexplint.analysis.package import model

REQUIRES = (model, values_of_local, scopes)

KEYS = ("Timeout", "Deadline")
NET_ADVICE = "use (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, addr) or net.DialTimeout"
TLS_ADVICE = "use (&tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: cfg})" \
             ".DialContext(ctx, network, addr)"


# Networks whose Dial does no handshake (UDP, raw IP) or never leaves the host (Unix sockets): it
# returns or fails at once, so there is nothing for a timeout to bound.
INSTANT_NETWORKS = ("udp", "udp4", "udp6", "unix", "unixgram", "unixpacket", "ip", "ip4", "ip6")


def _args(call):
    args = call.child_by_field_name("arguments")
    return args.named_children if args is not None else []


def _instant_network(ctx, network):
    """Whether every value the network argument can have (a literal, or a local or package constant
    holding one) names a network without a handshake that leaves the host."""
    values = string_prefixes(ctx, network)
    return all(complete and (text in INSTANT_NETWORKS or text.split(":")[0] in ("ip", "ip4", "ip6"))
               for text, complete in values)


# A host that is this machine: loopback, or empty / unspecified ("the local system is assumed", net.Dial).
_LOCAL_HOSTS = ("", "localhost", "0.0.0.0", "::1", "::")
_LOOPBACK_V4 = re.compile(r"127\.\d{1,3}\.\d{1,3}\.\d{1,3}")
LISTENS = {NET: ("Listen", "ListenTCP"), TLS: ("Listen",)}
TEST_SERVERS = ("NewServer", "NewTLSServer", "NewUnstartedServer")


def _local_host(prefix):
    """Whether an address starting with ``prefix`` names this machine (the host part must be complete)."""
    if prefix.startswith("["):
        close = prefix.find("]")
        return close > 0 and prefix[close + 1:close + 2] == ":" and prefix[1:close] in _LOCAL_HOSTS
    colon = prefix.find(":")
    if colon < 0:
        return False
    host = prefix[:colon]
    return host in _LOCAL_HOSTS or bool(_LOOPBACK_V4.fullmatch(host))


def _opens_listener(ctx, value):
    value = unparen(value)
    return any(package_func(ctx, value, path, names) for path, names in LISTENS.items())


def _own_listener(ctx, expr):
    """``expr`` is a listener this function opens: a local every value of which is ``net.Listen(…)``,
    ``net.ListenTCP(…)`` or ``tls.Listen(…)``, or ``srv.Listener`` of a local httptest server."""
    expr = unparen(expr)
    if expr is None:
        return False
    if expr.type == "selector_expression" and node_text(expr.child_by_field_name("field")) == "Listener":
        values = local_values(ctx, expr.child_by_field_name("operand"))
        return bool(values) and all(package_func(ctx, unparen(v), HTTPTEST, TEST_SERVERS) for v in values)
    values = local_values(ctx, expr)
    return bool(values) and all(_opens_listener(ctx, v) for v in values)


def _listener_addr(ctx, expr):
    """``expr`` is ``ln.Addr()`` of a listener this function opens."""
    expr = unparen(expr)
    if expr is None or expr.type != "call_expression" or _args(expr):
        return False
    fn = expr.child_by_field_name("function")
    return fn.type == "selector_expression" and node_text(fn.child_by_field_name("field")) == "Addr" \
        and _own_listener(ctx, fn.child_by_field_name("operand"))


def _local_address(ctx, expr, depth=0):
    """Whether the address string ``expr`` names this machine: ``ln.Addr().String()`` of a listener this
    function opens, or a host that is loopback or empty in a literal, format, join or constant (or a
    local every value of which is one of these)."""
    expr = unparen(expr)
    if expr is None or depth > 4:
        return False
    if expr.type == "call_expression" and not _args(expr):
        fn = expr.child_by_field_name("function")
        if fn.type == "selector_expression" and node_text(fn.child_by_field_name("field")) == "String" \
                and _listener_addr(ctx, fn.child_by_field_name("operand")):
            return True
    if expr.type == "identifier" and resolve(expr) is not None:
        values = local_values(ctx, expr)
        return bool(values) and all(_local_address(ctx, v, depth + 1) for v in values)
    return all(_local_host(text) for text, _ in string_prefixes(ctx, expr))


def _local_tcp_addr(ctx, expr, depth=0):
    """Whether the ``*net.TCPAddr`` ``expr`` is this machine's: ``ln.Addr().(*net.TCPAddr)`` of a listener
    this function opens or ``net.ResolveTCPAddr(network, <local address>)`` (or a local holding one)."""
    expr = unparen(expr)
    if expr is None or depth > 4:
        return False
    if expr.type == "type_assertion_expression":
        return _listener_addr(ctx, expr.child_by_field_name("operand"))
    if package_func(ctx, expr, NET, ("ResolveTCPAddr",)):
        argv = _args(expr)
        return len(argv) == 2 and _local_address(ctx, argv[1])
    if expr.type == "identifier":
        values = local_values(ctx, expr)
        return bool(values) and all(_local_tcp_addr(ctx, v, depth + 1) for v in values)
    return False


def _stays_on_host(ctx, name, call):
    """A plain connect (no TLS handshake) that never leaves the host, so the OS answers it at once: a
    network without a handshake, or a TCP address of this machine."""
    argv = _args(call)
    if name == "DialTCP":
        return len(argv) == 3 and _local_tcp_addr(ctx, argv[2])
    return len(argv) == 2 and (_instant_network(ctx, argv[0]) or _local_address(ctx, argv[1]))


def refine(match, ctx):
    call = match["call"]
    fn = match["fn"]
    name = package_member(ctx, fn, NET, ("Dial", "DialTCP"))
    if name and _stays_on_host(ctx, name, call):
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
    if why and not _stays_on_host(ctx, "Dial", call):
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
