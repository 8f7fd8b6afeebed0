"""A client cannot fill the shared cache: a write rate and hourly byte budgets per user (or
address without a session) and per client key; refusals change nothing. The server library
is not limited."""

from __future__ import annotations

import pytest

from agnost_django import agnost
from agnost_django.auth.sessions import create_session
from agnost_django.core.testing import AgnostAPIClient
from tests.core.test_errors import only_error

API = "/_api/rest/v1/cache"
VALUE = "x" * 998  # 1,000 bytes as JSON


def put(client, key, value=VALUE):
    return client.post(API, {"key": key, "value": value}, format="json")


def get(client, key):
    return client.get(f"{API}?key={key}").json()


@pytest.fixture
def signed_in(user_factory, client_key_factory):
    """Two clients of one client key, each signed in as its own user."""
    _key, secret = client_key_factory("app")
    clients = []
    for _n in range(2):
        client = AgnostAPIClient(client_key=secret)
        client.credentials(HTTP_X_CLIENT_KEY=secret, HTTP_SESSION=create_session(user_factory())[1])
        clients.append(client)
    return clients


def test_write_rate(agnost_client, settings):
    settings.AGNOST_CACHE_WRITE_RATE = "5/min"
    for n in range(5):
        assert put(agnost_client, f"k{n}", n).status_code == 200
    only_error(put(agnost_client, "k5", 5), 429, "rate_limit_exceeded")
    assert get(agnost_client, "k5") is None
    assert get(agnost_client, "k0") == {"value": 0}  # reads are not writes


def test_byte_budget_per_user(signed_in, settings):
    settings.AGNOST_CACHE_CLIENT_WRITE_QUOTA = 3_000
    ada, bob = signed_in
    assert put(ada, "a1").status_code == 200
    assert put(ada, "a2").status_code == 200
    item = only_error(put(ada, "a3"), 429, "cache_quota_exceeded")
    assert item["details"]["limit"] == 3_000 and item["details"]["scope"] == "client"
    assert 0 < item["details"]["wait"] <= 3600
    assert get(ada, "a3") is None  # refused: nothing stored
    assert put(bob, "b1").status_code == 200  # another user has a budget of their own
    agnost.cache().set_key_value("server", VALUE * 10)  # the server library is not limited
    assert get(ada, "server") == {"value": VALUE * 10}


def test_byte_budget_per_client_key(signed_in, settings):
    settings.AGNOST_CACHE_KEY_WRITE_QUOTA = 3_500
    ada, bob = signed_in
    assert put(ada, "a1").status_code == 200
    assert put(ada, "a2").status_code == 200
    assert put(bob, "b1").status_code == 200
    item = only_error(put(bob, "b2"), 429, "cache_quota_exceeded")
    assert item["details"]["scope"] == "key"


def test_refused_writes_are_not_counted(agnost_client, settings):
    settings.AGNOST_CACHE_CLIENT_WRITE_QUOTA = 2_500
    assert put(agnost_client, "a").status_code == 200
    only_error(put(agnost_client, "big", "y" * 4_000), 429, "cache_quota_exceeded")
    assert put(agnost_client, "b").status_code == 200  # the refused 4 kB did not count
