"""Who is calling: the client address that throttles, limiters and session records count.

It is the connection's peer address, unless that peer is one of the host's trusted proxies
(``AGNOST_CORE_TRUSTED_PROXIES``): then it is the nearest address in ``X-Forwarded-For``, read
from the right (each proxy appends the address it received from), that is not itself a
trusted proxy. Without trusted proxies the header is ignored, so a client cannot choose its
own address. ``manage.py agnost_serve`` gives uvicorn the same list (its own default trusts
127.0.0.1, which would let a local client forge the header).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from rest_framework.throttling import SimpleRateThrottle

from agnost_django.core.conf import core_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def is_trusted_proxy(address: str | None) -> bool:
    networks = _networks(tuple(core_settings.TRUSTED_PROXIES))
    if not address or not networks:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str | None:
    return address_of(request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR", ""))


def address_of(peer: str | None, forwarded_for: str) -> str | None:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the last
    address in ``X-Forwarded-For`` that is not one."""
    if not is_trusted_proxy(peer):
        return peer
    forwarded = [part.strip() for part in forwarded_for.split(",")]
    for address in reversed([part for part in forwarded if part]):
        if not is_trusted_proxy(address):
            return address
    return peer


class ClientRateThrottle(SimpleRateThrottle):
    """A DRF throttle that counts per :func:`client_ip` (DRF's own ``get_ident`` trusts the
    whole ``X-Forwarded-For`` header unless ``NUM_PROXIES`` is set)."""

    def get_ident(self, request) -> str:
        return client_ip(request) or ""
