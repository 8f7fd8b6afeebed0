"""Cache semantics through the service layer, on the pass's backend (LocMem or Redis)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches

from agnost_django.cache import services
from agnost_django.cache.exceptions import CacheValueNotInteger
from agnost_django.core.exceptions import BackendUnavailable, UnsupportedFunction


def test_ttl_expires_and_set_without_ttl_drops_expiry():
    services.set_value("short", 1, ttl=0.3)
    assert services.get_value("short") == 1
    assert 0 < services.get_ttl("short") <= 0.3
    time.sleep(0.45)
    assert services.get_value("short") is None

    services.set_value("kept", 1, ttl=0.3)
    services.set_value("kept", 2)  # no ttl: never expires
    assert services.get_ttl("kept") is None
    time.sleep(0.45)
    assert services.get_value("kept") == 2


def test_increment_keeps_or_resets_expiry():
    services.set_value("n", 1, ttl=100)
    assert services.increment("n", 2) == 3
    assert 90 < services.get_ttl("n") <= 100  # kept
    assert services.increment("n", 1, ttl=0.3) == 4
    assert services.get_ttl("n") <= 0.3  # reset
    time.sleep(0.45)
    assert services.get_value("n") is None
    assert services.increment("fresh", 7) == 7
    assert services.get_ttl("fresh") is None


def test_expire_a_key():
    services.set_value("e", "v")
    services.expire("e", 0.3)
    time.sleep(0.45)
    assert services.get_value("e") is None


def test_increment_of_a_float_or_string_is_refused():
    services.set_value("f", 1.5)
    services.set_value("s", "1")
    for key in ("f", "s"):
        with pytest.raises(CacheValueNotInteger):
            services.increment(key, 1)
    assert services.get_value("f") == 1.5 and services.get_value("s") == "1"


@pytest.mark.parametrize("key", ["counter", "counter-with-ttl"])
def test_fifty_concurrent_increments_end_at_fifty(key):
    ttl = 60 if key.endswith("ttl") else None
    barrier = threading.Barrier(50)

    def bump(_):
        barrier.wait()
        return services.increment(key, 1, ttl=ttl)

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(bump, range(50)))
    assert services.get_value(key) == 50
    assert sorted(results) == list(range(1, 51))  # every increment saw a distinct value


def test_concurrent_increments_and_decrements_balance():
    def work(i):
        return services.increment("bal", 3) if i % 2 else services.decrement("bal", 3)

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(work, range(100)))
    assert services.get_value("bal") == 0


def test_redis_outage_is_503(settings):
    settings.CACHES = {**settings.CACHES, "down": {
        "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5}}}
    with pytest.raises(BackendUnavailable) as excinfo:
        services.set_value("k", 1, alias="down")
    assert excinfo.value.status_code == 503 and excinfo.value.code == "backend_unavailable"


def test_backends_without_listing(settings, tmp_path):
    settings.CACHES = {**settings.CACHES, "files": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}}
    services.set_value("k", {"a": 1}, alias="files")
    assert services.get_value("k", alias="files") == {"a": 1}
    assert services.increment("n", 2, alias="files") == 2
    with pytest.raises(UnsupportedFunction) as excinfo:
        services.list_keys_page("*", alias="files")
    assert excinfo.value.status_code == 501
    with pytest.raises(UnsupportedFunction):
        services.get_stats(alias="files")
    caches["files"].clear()


def test_list_keys_returns_everything_across_pages(settings):
    for i in range(25):
        services.set_value(f"item:{i}", i)
    services.set_value("other", 0)
    entries = services.list_keys("item:*", count=4)
    assert sorted(entry["value"] for entry in entries) == list(range(25))
