"""What the admin console's overview shows: the client's envUrl and snippets, every module's
panel and the last failures across modules."""

from __future__ import annotations

from typing import Any

from agnost_django.core import console
from agnost_django.core.conf import core_settings

#: Client keys shown in the snippet.
SNIPPET_KEYS = 5


def env_url(request) -> str:
    """The envUrl clients should use: ``AGNOST_CORE_ENV_URL`` or the admin's own scheme and host."""
    return (core_settings.ENV_URL or f"{request.scheme}://{request.get_host()}").rstrip("/")


def socket_on_same_host(url: str) -> bool:
    """Whether the altogic client opens its realtime socket on the envUrl's own host: only for
    a host of four labels that starts with ``realtime`` (wire protocol 1.8)."""
    from urllib.parse import urlsplit

    labels = (urlsplit(url).hostname or "").split(".")
    return len(labels) == 4 and labels[0] == "realtime"


def overview_context(request) -> dict[str, Any]:
    from agnost_django.core.agnost_console import active_keys

    url = env_url(request)
    panels = console.panels(request)
    keys = list(active_keys().order_by("name")[:SNIPPET_KEYS])
    return {
        "env_url": url,
        "socket_on_same_host": socket_on_same_host(url),
        "keys": keys,
        "panels": panels,
        "failures": console.last_failures(panels),
    }
