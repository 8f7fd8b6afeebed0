"""Throttles count the connection's peer address; ``X-Forwarded-For`` is believed only from
the host's trusted proxies (``AGNOST_CORE_TRUSTED_PROXIES``), by Django and by uvicorn alike.
Against the server as ``make run`` starts it (``manage.py agnost_serve``)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.test import RequestFactory

from agnost_django.core.clients import client_ip
from tests.interop.server import InteropServer

pytestmark = pytest.mark.xdist_group("client-address")

RATES = json.dumps({"sign_in": "5/min", "sign_up": "5/min", "send": "5/min"})
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def sign_in(server, forwarded_for: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/_api/rest/v1/auth/signin-email", method="POST",
        data=json.dumps({"email": "nobody@example.com", "password": "wrong password"}).encode(),
        headers={"Content-Type": "application/json", "X-Client-Key": server.client_key,
                 "X-Forwarded-For": forwarded_for})
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def server_factory():
    servers = []

    def start(**env):
        server = InteropServer(settings.INTEROP_STACK, env={"AGNOST_AUTH_THROTTLE_RATES": RATES, **env})
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def test_forged_forwarded_for_does_not_escape_the_throttle(server_factory):
    server = server_factory()
    statuses = [sign_in(server, f"203.0.113.{n}") for n in range(8)]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 3


def test_a_trusted_proxy_forwards_the_client_address(server_factory):
    server = server_factory(TRUSTED_PROXIES="127.0.0.1")
    assert [sign_in(server, f"203.0.113.{n}") for n in range(8)] == [401] * 8  # eight clients
    assert [sign_in(server, "198.51.100.7, 127.0.0.1") for _ in range(6)][-1] == 429  # one client


def test_client_ip_reads_from_the_right_past_trusted_proxies(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.0.0.9")
    assert client_ip(request) == "10.0.0.5"
    settings.AGNOST_CORE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request) == "198.51.100.7"  # 1.2.3.4 is what the client claimed
    request = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not an address")
    assert client_ip(request) == "not an address"  # a trusted proxy's word, kept as a key
    request = factory.get("/", REMOTE_ADDR="10.0.0.5")
    assert client_ip(request) == "10.0.0.5"
