"""Test helpers for hosts and for agnost's own suite."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rest_framework.test import APIClient

from agnost_django.core.registry import restore_all, snapshot_all
from agnost_django.core.services import create_client_key


class AgnostAPIClient(APIClient):
    """DRF's test client sending ``X-Client-Key`` on every request, as the altogic client does.

    ``AgnostAPIClient()`` creates a fresh key with every operation allowed (needs the
    database); pass ``client_key="..."`` to use an existing secret."""

    def __init__(self, *args, client_key: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if client_key is None:
            _key, client_key = create_client_key("test client")
        self.client_key = client_key
        self.credentials(HTTP_X_CLIENT="altogic-js", HTTP_X_CLIENT_KEY=client_key)


@contextlib.contextmanager
def isolated_registries() -> Iterator[None]:
    """Restore every agnost registry after the block, whatever it registered."""
    state = snapshot_all()
    try:
        yield
    finally:
        restore_all(state)
