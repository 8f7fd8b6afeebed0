"""``agnost.cache(alias)``: the server library's cache manager."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.core.cache import caches

from agnost_django import agnost
from agnost_django.core.result import Result


def test_every_method_returns_a_result():
    cache = agnost.cache()
    assert cache.set_key_value("greeting", {"text": "hi"}, ttl=60) == Result(None, None)
    assert cache.get_key_value("greeting").data == {"text": "hi"}
    assert cache.increment_key_value("visits").data == 1
    assert cache.increment_key_value("visits", 4).data == 5
    assert cache.decrement_key_value("visits", 2).data == 3
    assert cache.expire_key("visits", 60).ok
    assert 0 < cache.get_ttl("visits").data <= 60
    assert sorted(e["key"] for e in cache.list_keys("*").data) == ["greeting", "visits"]
    page = cache.list_keys_page("vis*").data
    assert page == {"data": [{"key": "visits", "value": 3}], "next": None}
    assert cache.get_stats().data["totalKeys"] == 2
    assert cache.delete_key("greeting").ok
    assert cache.delete_key(["visits", "missing"]).ok
    assert cache.get_key_value("visits") == Result(None, None)


def test_server_and_client_share_the_namespace(agnost_client):
    agnost.cache().set_key_value("shared", 5)
    assert agnost_client.get("/_api/rest/v1/cache?key=shared").json() == {"value": 5}


def test_errors_come_back_as_results():
    data, errors = agnost.cache().set_key_value("bad#key", 1)
    assert data is None
    assert errors.status == 400 and errors.items[0].code == "invalid_cache_key"


def test_unknown_alias_is_cache_not_found_even_when_chained():
    result = agnost.cache("nope").get_key_value("k")
    assert not result
    assert result.errors.items[0].code == "cache_not_found"
    assert result.errors.status == 404


def test_async_twins():
    cache = agnost.cache()
    assert async_to_sync(cache.aset_key_value)("a", [1, 2]).ok
    assert async_to_sync(cache.aget_key_value)("a").data == [1, 2]
    assert async_to_sync(cache.aincrement_key_value)("n", 2).data == 2
    assert async_to_sync(cache.adecrement_key_value)("n").data == 1
    assert async_to_sync(cache.aexpire_key)("n", 30).ok
    assert len(async_to_sync(cache.alist_keys)("*").data) == 2
    assert async_to_sync(cache.adelete_key)(["a", "n"]).ok


def test_get_client_is_the_native_client():
    client = agnost.cache().get_client()
    backend = caches["default"]
    if type(backend).__module__.startswith("django_redis"):
        assert client.ping() is True
    else:
        assert client is backend


def test_managers_are_memoised_and_reset_on_settings_change(settings):
    first = agnost.cache()
    assert agnost.cache() is first
    settings.AGNOST_CACHE_NAMESPACE = "other:"
    assert agnost.cache() is not first
