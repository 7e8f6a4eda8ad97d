"""Where a request comes from. uvicorn runs with `proxy_headers=False`, so `request.client` is
the TCP peer: behind nginx that is nginx. X-Forwarded-For is read only when the peer is one of
`GREENBOT_WEB_TRUSTED_PROXIES`, and then from the right, skipping trusted hops: the entries
left of the first untrusted one were written by the client and prove nothing."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(proxies: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def client_address(request: Request, trusted: tuple[Network, ...]) -> str | None:
    """The client's address as far as trusted proxies vouch for it; None when unknown."""
    peer = request.client.host if request.client else None
    if peer is None or not _is_trusted(peer, trusted):
        return peer
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop if _parses(hop) else peer
    return hops[0] if hops else peer


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


def _parses(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True
