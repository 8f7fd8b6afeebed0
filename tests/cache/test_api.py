"""The CacheManager routes through DRF's test client (the interop suite drives the same
routes through the real altogic client)."""

from __future__ import annotations

import pytest

from tests.core.test_errors import only_error

API = "/_api/rest/v1/cache"


@pytest.fixture
def c(agnost_client):
    return agnost_client


def put(c, key, value, **extra):
    return c.post(API, {"key": key, "value": value, **extra}, format="json")


def get(c, key):
    response = c.get(f"{API}?key={key}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}),
        ([1, "two", 3.5], [1, "two", 3.5]),
        ("text", {"value": "text"}),
        (42, {"value": 42}),
        (2.5, {"value": 2.5}),
        (False, {"value": False}),
    ],
)
def test_set_and_get_shapes(c, value, expected):
    response = put(c, "k", value)
    assert response.status_code == 200
    assert get(c, "k") == expected


def test_missing_key_is_json_null(c):
    response = c.get(f"{API}?key=never-set")
    assert response.status_code == 200 and response.content == b"null"


def test_plus_in_a_raw_key_stays_a_plus(c):
    put(c, "a+b", 1)
    assert get(c, "a+b") == {"value": 1}
    # The URL parser encodes a space; it decodes back to the key that was set.
    put(c, "a b&c=d", 2)
    assert c.get(f"{API}?key=a%20b&c=d").json() == {"value": 2}


def test_delete_many_including_missing(c):
    put(c, "x", 1)
    put(c, "y", 2)
    response = c.delete(API, {"keys": ["x", "y", "never"]}, format="json")
    assert response.status_code == 200
    assert get(c, "x") is None and get(c, "y") is None


def test_increment_and_decrement(c):
    assert c.post(f"{API}/increment", {"key": "n", "increment": 5}, format="json").json() == {"value": 5}
    assert c.post(f"{API}/decrement", {"key": "n", "decrement": 2}, format="json").json() == {"value": 3}
    assert c.post(f"{API}/decrement", {"key": "new"}, format="json").json() == {"value": -1}
    assert get(c, "n") == {"value": 3}


def test_increment_refusals_change_nothing(c):
    put(c, "s", "text")
    only_error(c.post(f"{API}/increment", {"key": "s", "increment": 1}, format="json"), 400, "cache_value_not_integer")
    assert get(c, "s") == {"value": "text"}
    put(c, "n", 1)
    for bad in (1.5, "2", True, 2**63):
        response = c.post(f"{API}/increment", {"key": "n", "increment": bad}, format="json")
        assert only_error(response, 400, "validation_error")["details"]["field"] == "increment"
    assert get(c, "n") == {"value": 1}


def test_key_limits(c):
    only_error(put(c, "k" * 201, 1), 400, "cache_key_size_exceeded")
    assert put(c, "k" * 200, 1).status_code == 200
    for bad in ("hash#", "tab\tkey", "line\nbreak", "trailing ", "escape%41", "per%cent"):
        assert "reason" in only_error(put(c, bad, 1), 400, "invalid_cache_key")["details"]
    for good in ("has space", " leading", "50%-off", "100%", "amp&x=1", "ünï ✓"):
        assert put(c, good, 1).status_code == 200, good
    only_error(c.get(f"{API}?key="), 400, "validation_error")
    assert c.get("/_api/rest/v1/cache/list-keys").status_code == 405


def test_value_size_limit(c, settings):
    settings.AGNOST_CACHE_MAX_VALUE_SIZE = 100
    put(c, "v", "small")
    item = only_error(put(c, "v", "x" * 200), 413, "cache_value_size_exceeded")
    assert item["details"] == {"limit": 100, "size": 202}
    assert get(c, "v") == {"value": "small"}


def test_ttl_validation(c):
    for bad in (-5, "10", [1], float("inf")):
        body = {"key": "t", "value": 1, "ttl": bad}
        response = c.post(API, body, format="json") if bad != float("inf") else c.post(
            API, '{"key": "t", "value": 1, "ttl": Infinity}', content_type="application/json")
        assert response.status_code == 400
    assert get(c, "t") is None
    only_error(c.post(f"{API}/expire", {"key": "t"}, format="json"), 400, "validation_error")


def test_expire(c):
    put(c, "e", 1)
    assert c.post(f"{API}/expire", {"key": "e", "ttl": 100}, format="json").status_code == 200
    assert c.post(f"{API}/expire", {"key": "missing", "ttl": 100}, format="json").status_code == 200


def test_stats(c):
    put(c, "a", {"x": 1})
    put(c, "b", "y" * 1000)
    stats = c.get(f"{API}/stats").json()
    assert stats["totalKeys"] == 2
    assert stats["totalSize"] > 1000
    assert stats["alias"] == "default"
    assert stats["backend"] in ("locmem", "redis")


def test_list_keys_patterns_and_paging(c, settings):
    for key in ("hello", "hallo", "hxllo", "hllo", "heeeello", "user:1", "user:2"):
        put(c, key, key)

    def keys(pattern):
        body = c.post(f"{API}/list-keys", {"pattern": pattern}, format="json").json()
        assert body["next"] is None
        return sorted(entry["key"] for entry in body["data"])

    assert keys("h?llo") == ["hallo", "hello", "hxllo"]
    assert keys("h*llo") == ["hallo", "heeeello", "hello", "hllo", "hxllo"]
    assert keys("h[ae]llo") == ["hallo", "hello"]
    assert keys("h[^e]llo") == ["hallo", "hxllo"]
    assert keys("h[a-b]llo") == ["hallo"]
    assert keys("user:*") == ["user:1", "user:2"]
    body = c.post(f"{API}/list-keys", {}, format="json").json()
    assert {"key": "user:1", "value": "user:1"} in body["data"] and len(body["data"]) == 7

    settings.AGNOST_CACHE_LIST_PAGE_SIZE = 2
    seen, cursor, pages = [], None, 0
    while True:
        payload = {"pattern": "*"} if cursor is None else {"pattern": "*", "next": cursor}
        body = c.post(f"{API}/list-keys", payload, format="json").json()
        seen += [entry["key"] for entry in body["data"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert sorted(set(seen)) == sorted(["hello", "hallo", "hxllo", "hllo", "heeeello", "user:1", "user:2"])
    assert pages >= 2


def test_list_keys_errors(c):
    only_error(c.post(f"{API}/list-keys", {"pattern": "h[abc"}, format="json"), 400, "invalid_cache_pattern")
    only_error(c.post(f"{API}/list-keys", {"next": "%%not-a-cursor"}, format="json"), 400, "invalid_cursor")


def test_client_never_sees_host_entries(c):
    from django.core.cache import cache

    cache.set("host-secret", "s3cr3t", None)
    cache.set("shared-name", "host value", None)
    assert get(c, "host-secret") is None
    put(c, "shared-name", "client value")
    assert cache.get("shared-name") == "host value"
    listed = c.post(f"{API}/list-keys", {}, format="json").json()["data"]
    assert [entry["key"] for entry in listed] == ["shared-name"]
    assert c.get(f"{API}/stats").json()["totalKeys"] == 1
    c.delete(API, {"keys": ["host-secret"]}, format="json")
    assert cache.get("host-secret") == "s3cr3t"


def test_browsable_api_renders_cache_routes_for_staff(staff_client):
    for path in (API + "?key=k", f"{API}/stats"):
        response = staff_client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == 200 and b"Cache" in response.content
    response = staff_client.get(f"{API}/increment", HTTP_ACCEPT="text/html")
    assert response.status_code == 405 and b"<form" in response.content


def test_ttl_beyond_ten_years_is_a_validation_error(c):
    for path, body in [(API, {"key": "k", "value": 1, "ttl": 2.9e252}),
                       (f"{API}/expire", {"key": "k", "ttl": 2.9e252}),
                       (f"{API}/increment", {"key": "k", "ttl": 2.9e252})]:
        item = only_error(c.post(path, body, format="json"), 400, "validation_error")
        assert item["details"]["field"] == "ttl"
    assert get(c, "k") is None
