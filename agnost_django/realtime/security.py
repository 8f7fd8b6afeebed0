"""``OriginValidator`` for the websocket router: Channels' ``AllowedHostsOriginValidator``
refuses connections without an ``Origin`` header, which is every non-browser client (the
altogic client in Node, mobile apps). Browsers always send one, and it is checked here;
clients without one are checked by their client key like any REST call."""

from __future__ import annotations

from urllib.parse import urlparse

from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import is_same_domain, validate_host


class OriginValidator:
    """Accepts a websocket whose ``Origin`` is absent, one of ``ALLOWED_HOSTS``, one of
    ``CORS_ALLOWED_ORIGINS``, or an allowed origin of an active client key."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        origin = None
        for name, value in scope.get("headers", []):
            if name == b"origin":
                origin = value.decode("latin1")
        if origin is None or await self.allowed(origin):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)

    async def allowed(self, origin: str) -> bool:
        if is_own_origin(origin):
            return True
        return await database_sync_to_async(_key_allows)(origin)


def is_own_origin(origin: str) -> bool:
    """An origin on one of ``ALLOWED_HOSTS`` or in ``CORS_ALLOWED_ORIGINS``: any key may be
    used from it. Other origins need a key that lists them (checked at the handshake)."""
    host = urlparse(origin).hostname or ""
    allowed_hosts = settings.ALLOWED_HOSTS or (["localhost", ".localhost", "127.0.0.1", "[::1]"]
                                               if settings.DEBUG else [])
    if host and (validate_host(host, allowed_hosts) or any(is_same_domain(host, h) for h in allowed_hosts)):
        return True
    return origin in getattr(settings, "CORS_ALLOWED_ORIGINS", [])


def _key_allows(origin: str) -> bool:
    from agnost_django.core.services import origin_allowed_by_any_key

    return origin_allowed_by_any_key(origin)
