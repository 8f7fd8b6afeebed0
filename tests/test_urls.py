"""Every route name reverses to the path the altogic client calls."""

import pytest
from django.urls import reverse

from agnost_django.auth.urls import ROUTES as AUTH_ROUTES
from agnost_django.data.urls import ROUTES as DATA_ROUTES


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("agnost-api-root", "/_api/rest/v1"),
        ("agnost-schema", "/_api/schema"),
        ("agnost-docs", "/_api/docs"),
        ("agnost_cache:cache", "/_api/rest/v1/cache"),
        ("agnost_cache:cache-increment", "/_api/rest/v1/cache/increment"),
        ("agnost_cache:cache-decrement", "/_api/rest/v1/cache/decrement"),
        ("agnost_cache:cache-expire", "/_api/rest/v1/cache/expire"),
        ("agnost_cache:cache-stats", "/_api/rest/v1/cache/stats"),
        ("agnost_cache:cache-list-keys", "/_api/rest/v1/cache/list-keys"),
    ],
)
def test_reverse(name, path):
    assert reverse(name) == path


@pytest.mark.parametrize("route", sorted(AUTH_ROUTES))
def test_reverse_auth_routes(route):
    assert reverse(f"agnost_auth:{route}") == f"/_api/rest/v1/auth/{route}"


@pytest.mark.parametrize("route", sorted(DATA_ROUTES))
def test_reverse_data_routes(route):
    assert reverse(f"agnost_data:{route}") == f"/_api/rest/v1/db/{route}"
    assert len(DATA_ROUTES) == 20  # Appendix A of the protocol


def test_auth_has_every_client_path():
    # Appendix A of the protocol: 23 paths (``user`` serves two client methods).
    assert len(AUTH_ROUTES) == 23
    assert reverse("agnost_auth_links:verify") == "/_auth/verify"


def test_api_root_lists_mounted_modules(agnost_client):
    body = agnost_client.get("/_api/rest/v1").json()
    assert body["cache"].endswith("/_api/rest/v1/cache/stats")
    assert body["schema"].endswith("/_api/schema")
    assert body["auth"].endswith("/_api/rest/v1/auth/user")
    assert body["db"].endswith("/_api/rest/v1/db/stats")
    assert body["storage"].endswith("/_api/rest/v1/storage/stats")
    assert body["queue"].endswith("/_api/rest/v1/queue") and body["task"].endswith("/_api/rest/v1/task")
    assert body["endpoint"].endswith("/_api/rest/v1/endpoints")
    assert body["realtime"].endswith("/_api/rest/v1/realtime/get-members")
