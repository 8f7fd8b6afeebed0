"""A websocket from another site's page is accepted only with a key that lists that site
(browsers do not apply CORS to websockets; the handshake is the only gate)."""

from __future__ import annotations

import pytest

from agnost_django.core.services import create_client_key
from tests.realtime.conftest import Client

pytestmark = pytest.mark.anyio

SITE = b"https://app.example.com"


@pytest.fixture
def keys(transactional_db):
    return {"web": create_client_key("web", allowed_origins=[SITE.decode()])[1],
            "server": create_client_key("server")[1]}


async def handshake(key: str, origin: bytes) -> str:
    client = Client(headers=[(b"origin", origin)])
    frame = await client.connect(clientKey=key)
    await client.close()
    return frame


async def test_a_listed_origin_with_its_key_connects(keys):
    assert (await handshake(keys["web"], SITE)).startswith("40{")


async def test_another_key_cannot_be_used_from_that_origin(keys):
    frame = await handshake(keys["server"], SITE)
    assert frame.startswith("44") and "domain_not_authorized" in frame


async def test_own_hosts_may_use_any_key(keys):
    assert (await handshake(keys["server"], b"http://realtime.agnost.app.localhost:8000")).startswith("40{")
