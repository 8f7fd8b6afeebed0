"""Origin patterns of client keys (``https://app.example.com``, ``https://*.example.com``).

Plain functions, kept apart from :mod:`.origins` (which reads the keys) so that the
``ClientKey`` model can validate its patterns without an import circle.
"""

from __future__ import annotations


def normalise_origin(origin: str) -> str:
    return origin.strip().lower().rstrip("/")


def matches(pattern: str, origin: str) -> bool:
    """``https://*.example.com`` matches every subdomain (not the bare domain); a bare ``*``
    (refused: it would open CORS with credentials to every site) matches nothing."""
    if pattern == origin:
        return True
    scheme, wildcard, host = pattern.partition("://*.")
    return bool(wildcard) and origin.startswith(scheme + "://") and origin.endswith("." + host)
