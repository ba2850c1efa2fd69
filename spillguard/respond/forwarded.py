"""The client behind a CDN or load balancer, from X-Forwarded-For.

Behind a proxy the address that connected to the web server is the proxy's; the client is in
the X-Forwarded-For header, which every proxy appends to with the address it saw. Anyone can
write anything into that header, so only what trusted proxies appended is believed: start at
the connecting address and, while it is a trusted proxy, step left through the list; the first
address that is not a trusted proxy is the client (nginx's `real_ip_recursive on`, the
algorithm MDN and RFC 7239 describe). Everything left of it is the client's own claim.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_hop(text: str) -> Address | None:
    """An address as proxies write it: bare, `a.b.c.d:port`, `[v6]` or `[v6]:port`."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text[1:]
    elif text.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _split(forwarded_for: str | None, separators: str) -> list[str]:
    if not forwarded_for or forwarded_for.strip() in ("", "-"):
        return []
    hops = [forwarded_for]
    for separator in separators or ",":
        hops = [part for hop in hops for part in hop.split(separator)]
    return [hop.strip() for hop in hops if hop.strip()]


def client_address(
    peer: str | None,
    forwarded_for: str | None,
    trusted: Sequence[Network],
    separators: str = ", ",
) -> str | None:
    """The client: `peer` (the connecting address) unless it is a trusted proxy, in which case
    the right-most address of `forwarded_for` that is not one. Without `peer` (a log that
    records only the header), the header's last address is taken as the connecting one: the
    proxy in front of the server appended it. An entry that is no address (`unknown`) ends the
    walk: the proxy that wrote it did not know, and neither do we."""
    hops = _split(forwarded_for, separators)
    if not peer or peer.strip() in ("", "-"):
        if not hops:
            return None
        peer = hops.pop()
    current = peer.strip()
    address = parse_hop(current)
    while address is not None and any(address in network for network in trusted) and hops:
        current = hops.pop().strip()
        address = parse_hop(current)
    return str(address) if address is not None else current
