"""Per-client-IP throttles of the auth routes, with rates from ``AGNOST_AUTH_THROTTLE_RATES``
(read when a request arrives, not at import); the address is core's ``client_ip``."""

from __future__ import annotations

from agnost_django.auth.conf import auth_settings
from agnost_django.core.clients import ClientRateThrottle


class AuthRateThrottle(ClientRateThrottle):
    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def get_rate(self):
        return auth_settings.THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": f"agnost_auth_{self.scope}", "ident": self.get_ident(request)}
