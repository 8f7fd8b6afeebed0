"""Client keys and sessions kept in each process's memory (``agnost_django.core.nearcache``) on
Redis: read without a round trip, and a change made anywhere, in this process or another one,
applies to the very next request."""

from __future__ import annotations

import http.client
import json
from unittest import mock

import pytest
import redis
from django.conf import settings
from django.core.cache import caches

from agnost_django.core import nearcache
from agnost_django.core.models import ClientKey
from agnost_django.core.testing import AgnostAPIClient
from tests.interop.server import InteropServer

needs_redis = pytest.mark.skipif(
    "redis" not in settings.CACHES["default"]["BACKEND"].lower(),
    reason="the near cache works on Redis: a local-memory cache lives in one process anyway",
)
API = "/_api/rest/v1"


def redis_reads(cache):
    """Count the shared cache's multi-key reads (the key check's one round trip)."""
    return mock.patch.object(cache, "get_many", wraps=cache.get_many)


@needs_redis
def test_a_kept_key_costs_no_round_trip_and_changes_apply_at_once(client_key_factory):
    key, secret = client_key_factory("near")
    client = AgnostAPIClient(client_key=secret)
    assert client.get(f"{API}/cache", {"key": "k"}).status_code == 200
    with redis_reads(caches["default"]) as reads:
        for _ in range(3):
            assert client.get(f"{API}/cache", {"key": "k"}).status_code == 200
    assert reads.call_count == 0
    key.active = False
    key.save()  # the receivers publish the change
    response = client.get(f"{API}/cache", {"key": "k"})
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "inactive_client_key"


@needs_redis
def test_an_invalidation_published_by_another_connection_applies_to_the_next_read(client_key_factory):
    """What another process does: change the row (here without signals) and publish."""
    key, secret = client_key_factory("near")
    client = AgnostAPIClient(client_key=secret)
    assert client.get(f"{API}/cache", {"key": "k"}).status_code == 200
    ClientKey.objects.filter(pk=key.pk).update(active=False)
    assert client.get(f"{API}/cache", {"key": "k"}).status_code == 200  # kept: nobody said
    cache = caches["default"]
    other = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    cache.set("agnost:core:keys:generation", "changed-elsewhere")
    other.publish(nearcache.channel_name(cache, other), nearcache.ALL)
    other.close()
    assert client.get(f"{API}/cache", {"key": "k"}).status_code == 403


@needs_redis
def test_a_lost_subscription_is_noticed_by_the_next_read(client_key_factory):
    """The read looks at the subscription's socket before trusting what it keeps: a
    connection Redis closed (here ``CLIENT KILL``) is seen there, and until the subscription
    is back every read goes to the shared cache, so a change made meanwhile applies."""
    key, secret = client_key_factory("near")
    client = AgnostAPIClient(client_key=secret)
    assert client.get(f"{API}/cache", {"key": "k"}).status_code == 200
    assert nearcache.get(f"agnost:core:key:{key.key_hash}") is not nearcache.MISS  # kept
    host, port = nearcache.near._pubsub.connection._sock.getsockname()[:2]  # as Redis sees this client
    other = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    try:
        assert other.client_kill_filter(addr=f"{host}:{port}") == 1
        ClientKey.objects.filter(pk=key.pk).update(active=False)
        caches["default"].set("agnost:core:keys:generation", "changed-while-unsubscribed")  # no publish
    finally:
        other.close()
    response = client.get(f"{API}/cache", {"key": "k"})
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "inactive_client_key"
    nearcache.near._retry_at = 0  # subscribe again now, not in a second (for the next tests)
    assert nearcache.get("x") is nearcache.MISS and nearcache.near._pubsub is not None


@needs_redis
def test_a_reader_that_raced_with_a_change_does_not_keep_its_value():
    assert nearcache.get("x") is nearcache.MISS  # subscribes
    epoch = nearcache.epoch()
    nearcache.publish("x")  # a change while the reader was reading the shared cache
    nearcache.put("x", "old", epoch, 60)
    assert nearcache.get("x") is nearcache.MISS
    epoch = nearcache.epoch()
    nearcache.put("x", "new", epoch, 60)
    assert nearcache.get("x") == "new"


def test_without_redis_nothing_is_kept(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                       "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.AGNOST_CORE_CACHE = "locmem"
    nearcache.put("x", "value", nearcache.epoch(), 60)
    assert nearcache.get("x") is nearcache.MISS


# Under the real server: the change is made by another process (manage.py shell).

def call(server: InteropServer, path: str, key: str, session: str | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"X-Client": "altogic-js", "X-Client-Key": key, **({"Session": session} if session else {})}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = json.loads(response.read() or b"null")
    connection.close()
    code = body["errors"][0]["code"] if isinstance(body, dict) and "errors" in body else ""
    return response.status, code


def post(server: InteropServer, path: str, key: str, body: dict) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", path, body=json.dumps(body),
                       headers={"X-Client": "altogic-js", "X-Client-Key": key, "Content-Type": "application/json"})
    response = connection.getresponse()
    data = json.loads(response.read())
    connection.close()
    assert response.status == 200, data
    return data


@pytest.mark.xdist_group("near-cache-server")
def test_changes_made_by_another_process_apply_to_the_next_request(asgi_server):
    if settings.INTEROP_STACK != "services":
        pytest.skip("across processes on Redis only: the embedded stack's local-memory cache "
                    "lives in one process (other processes' changes apply within 5 s)")
    server = asgi_server
    key = server.manage("agnost_create_client_key", "near").stdout.strip().splitlines()[-1]
    signed = post(server, f"{API}/auth/signup-email", key, {"email": "near@example.com", "password": "near cache 42"})
    token = signed["session"]["token"]
    for _ in range(3):  # read, then kept by the process
        assert call(server, f"{API}/auth/user", key, token) == (200, "")
    server.manage("shell", "-c", "from agnost_django.auth.models import Session; "
                  "[s.delete() for s in Session.objects.filter(user__email='near@example.com')]")
    assert call(server, f"{API}/auth/user", key, token) == (401, "invalid_session_token")
    assert call(server, f"{API}/cache?key=k", key) == (200, "")
    server.manage("shell", "-c", "from agnost_django.core.models import ClientKey; "
                  "k = ClientKey.objects.get(name='near'); k.active = False; k.save()")
    assert call(server, f"{API}/cache?key=k", key) == (403, "inactive_client_key")
