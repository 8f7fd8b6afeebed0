"""The rate limit of an endpoint (``rate_limit="100/min"``), per client address."""

from __future__ import annotations

from agnost_django.core.clients import ClientRateThrottle


class EndpointRateThrottle(ClientRateThrottle):
    def __init__(self, endpoint: str, rate: str) -> None:
        self.endpoint = endpoint
        self.rate = rate
        super().__init__()

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": f"agnost_endpoint_{self.endpoint}", "ident": self.get_ident(request)}
