"""Client keys: every /_api/rest/v1/ call needs one; each failure has its own code."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from agnost_django.core.models import ClientKey
from tests.core.test_errors import only_error

STATS = "/_api/rest/v1/cache/stats"


def get_stats(api_client, secret=None, **headers):
    if secret is not None:
        headers["HTTP_X_CLIENT_KEY"] = secret
    return api_client.get(STATS, **headers)


def test_missing_key(api_client, db):
    only_error(get_stats(api_client), 401, "missing_client_key")


def test_unknown_key(api_client, db):
    only_error(get_stats(api_client, "agk_not-a-real-key"), 401, "invalid_client_key")


def test_valid_key(api_client, client_key_factory):
    _key, secret = client_key_factory()
    assert get_stats(api_client, secret).status_code == 200


def test_inactive_key(api_client, client_key_factory):
    _key, secret = client_key_factory(active=False)
    only_error(get_stats(api_client, secret), 403, "inactive_client_key")


def test_expired_key(api_client, client_key_factory):
    _key, secret = client_key_factory(expires_at=timezone.now() - timedelta(seconds=1))
    only_error(get_stats(api_client, secret), 403, "expired_client_key")
    _key, secret = client_key_factory(expires_at=timezone.now() + timedelta(hours=1))
    assert get_stats(api_client, secret).status_code == 200


def test_operations_restrict_modules_and_operations(api_client, client_key_factory):
    _key, only_get = client_key_factory(allowed_operations=["cache.get_key"])
    assert api_client.get("/_api/rest/v1/cache?key=k", HTTP_X_CLIENT_KEY=only_get).status_code == 200
    item = only_error(get_stats(api_client, only_get), 403, "operation_not_allowed")
    assert item["details"] == {"operation": "cache.stats"}
    _key, whole_module = client_key_factory(allowed_operations=["cache"])
    assert get_stats(api_client, whole_module).status_code == 200
    _key, other_module = client_key_factory(allowed_operations=["db"])
    only_error(get_stats(api_client, other_module), 403, "operation_not_allowed")


def test_origins(api_client, client_key_factory):
    _key, secret = client_key_factory(allowed_origins=["https://app.example.com", "https://*.example.org"])
    only_error(get_stats(api_client, secret), 403, "missing_request_origin")
    only_error(get_stats(api_client, secret, HTTP_ORIGIN="https://evil.example.com"), 403, "domain_not_authorized")
    ok = get_stats(api_client, secret, HTTP_ORIGIN="https://app.example.com")
    assert ok.status_code == 200
    # CORS with credentials for the key's origin: exact origin, never "*".
    assert ok["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert ok["Access-Control-Allow-Credentials"] == "true"
    assert get_stats(api_client, secret, HTTP_ORIGIN="https://a.b.example.org").status_code == 200
    only_error(get_stats(api_client, secret, HTTP_ORIGIN="https://example.org.evil.com"), 403, "domain_not_authorized")


def test_cors_preflight_needs_no_key(api_client, client_key_factory):
    client_key_factory(allowed_origins=["https://app.example.com"])
    response = api_client.options(
        "/_api/rest/v1/cache",
        HTTP_ORIGIN="https://app.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="DELETE",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-client, x-client-key, session, content-type",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert response["Access-Control-Allow-Credentials"] == "true"
    allowed = response["Access-Control-Allow-Headers"].lower()
    for header in ("x-client", "x-client-key", "session", "content-type", "authorization"):
        assert header in allowed
    assert "DELETE" in response["Access-Control-Allow-Methods"]
    # An origin no key lists gets no CORS headers.
    other = api_client.options(
        "/_api/rest/v1/cache", HTTP_ORIGIN="https://other.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert "Access-Control-Allow-Origin" not in other


def test_errors_carry_cors_headers(api_client, settings, db):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    response = get_stats(api_client, HTTP_ORIGIN="https://app.example.com")
    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_secret_is_stored_only_as_a_hash(client_key_factory):
    key, secret = client_key_factory()
    assert secret.startswith("agk_") and len(secret) >= 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM agnost_core_clientkey")
        rows = cursor.fetchall()
    assert rows and not any(secret in str(value) for row in rows for value in row)
    assert key.prefix == secret[:12]


def test_model_validation(db):
    key = ClientKey(name="k", allowed_origins=["ftp://x", "https://ok.example.com/"], allowed_operations=["cach", "cache.get_key"])
    with pytest.raises(ValidationError) as excinfo:
        key.full_clean(exclude=["prefix", "key_hash"])
    assert set(excinfo.value.message_dict) == {"allowed_origins", "allowed_operations"}
    assert "ftp://x" in str(excinfo.value.message_dict["allowed_origins"])
    assert "cach" in str(excinfo.value.message_dict["allowed_operations"])


def test_create_command_prints_the_secret_last(api_client, db):
    out = StringIO()
    call_command("agnost_create_client_key", "mobile app", "--operation", "cache", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert get_stats(api_client, secret).status_code == 200
    key = ClientKey.objects.get(name="mobile app")
    assert key.allowed_operations == ["cache"]
    with pytest.raises(CommandError, match="Unknown operation"):
        call_command("agnost_create_client_key", "bad", "--operation", "nope", stdout=StringIO())
    assert not ClientKey.objects.filter(name="bad").exists()


def test_staff_may_browse_without_a_key(staff_client, user_factory, api_client):
    response = staff_client.get(STATS, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Cache" in response.content and b"<html" in response.content
    plain = user_factory()
    api_client.force_login(plain)
    only_error(get_stats(api_client), 401, "missing_client_key")


def test_staff_browsing_can_be_switched_off(staff_client, settings):
    settings.AGNOST_CORE_STAFF_BROWSABLE_API = False
    only_error(staff_client.get(STATS), 401, "missing_client_key")


def preflight(api_client, origin):
    return api_client.options("/_api/rest/v1/cache", HTTP_ORIGIN=origin,
                              HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                              HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-client-key")


def test_key_origin_changes_apply_to_the_next_request(api_client, client_key_factory, admin_client):
    origin = "https://app.example.com"
    assert "Access-Control-Allow-Origin" not in preflight(api_client, origin)  # cached: no key
    key, _secret = client_key_factory(allowed_origins=[origin])
    assert preflight(api_client, origin)["Access-Control-Allow-Origin"] == origin
    key.active = False
    key.save()
    assert "Access-Control-Allow-Origin" not in preflight(api_client, origin)
    key.active = True
    key.save()
    assert preflight(api_client, origin)["Access-Control-Allow-Origin"] == origin
    # The admin's bulk action (a queryset update, no post_save) and a delete.
    admin_client.post("/admin/agnost_core/clientkey/",
                      {"action": "deactivate", "_selected_action": [key.pk]})
    assert not ClientKey.objects.get(pk=key.pk).active
    assert "Access-Control-Allow-Origin" not in preflight(api_client, origin)
    key.refresh_from_db()
    key.active = True
    key.save()
    assert preflight(api_client, origin)["Access-Control-Allow-Origin"] == origin
    key.delete()
    assert "Access-Control-Allow-Origin" not in preflight(api_client, origin)


def test_expired_key_origin_is_not_allowed(api_client, client_key_factory):
    client_key_factory(allowed_origins=["https://app.example.com"],
                       expires_at=timezone.now() - timedelta(seconds=1))
    assert "Access-Control-Allow-Origin" not in preflight(api_client, "https://app.example.com")


def test_same_origin_request_without_origin_header(api_client, client_key_factory):
    # Browsers send no Origin on a same-origin GET, but say Sec-Fetch-Site: same-origin.
    _key, secret = client_key_factory(allowed_origins=["http://testserver"])
    assert get_stats(api_client, secret, HTTP_SEC_FETCH_SITE="same-origin").status_code == 200
    only_error(get_stats(api_client, secret, HTTP_SEC_FETCH_SITE="cross-site"), 403, "missing_request_origin")
    _key, other = client_key_factory("other", allowed_origins=["https://app.example.com"])
    only_error(get_stats(api_client, other, HTTP_SEC_FETCH_SITE="same-origin"), 403, "domain_not_authorized")


def test_star_is_not_an_origin(db):
    key = ClientKey(name="open", key_hash="x" * 64, allowed_origins=["*"])
    with pytest.raises(ValidationError) as caught:
        key.full_clean()
    assert "not allowed" in str(caught.value)


def test_key_origins_open_the_api_only(client, api_client, client_key_factory):
    client_key_factory(allowed_origins=["https://app.example.com"])
    admin = client.options("/admin/login/", HTTP_ORIGIN="https://app.example.com",
                           HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "Access-Control-Allow-Origin" not in admin
    assert "Access-Control-Allow-Origin" not in client.get("/admin/login/", HTTP_ORIGIN="https://app.example.com")
    assert preflight(api_client, "https://app.example.com")["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_a_key_opens_cors_for_its_own_origins_only(api_client, client_key_factory):
    client_key_factory("web", allowed_origins=["https://app.example.com"])
    _key, unrestricted = client_key_factory("server")
    _key, other = client_key_factory("other", allowed_origins=["https://other.example.com"])
    web_origin = {"HTTP_ORIGIN": "https://app.example.com"}
    # A request made with another key gets no CORS headers for the web key's origin.
    response = get_stats(api_client, unrestricted, **web_origin)
    assert "Access-Control-Allow-Origin" not in response
    response = get_stats(api_client, other, **web_origin)
    only_error(response, 403, "domain_not_authorized")
    assert "Access-Control-Allow-Origin" not in response


def test_keys_are_read_from_the_cache_and_changes_apply_at_once(api_client, client_key_factory,
                                                               admin_client, django_assert_num_queries):
    key, secret = client_key_factory(allowed_operations=["cache"])
    assert get_stats(api_client, secret).status_code == 200
    with django_assert_num_queries(0):  # the key comes from the cache
        assert get_stats(api_client, secret).status_code == 200
    admin_client.post("/admin/agnost_core/clientkey/", {"action": "deactivate", "_selected_action": [key.pk]})
    only_error(get_stats(api_client, secret), 403, "inactive_client_key")
    key.refresh_from_db()
    key.active = True
    key.allowed_operations = ["db"]
    key.save()
    only_error(get_stats(api_client, secret), 403, "operation_not_allowed")
    key.delete()
    only_error(get_stats(api_client, secret), 401, "invalid_client_key")


def test_unknown_keys_are_cached_until_a_key_is_created(api_client, db, django_assert_num_queries):
    only_error(get_stats(api_client, "agk_not-a-key"), 401, "invalid_client_key")
    with django_assert_num_queries(0):
        only_error(get_stats(api_client, "agk_not-a-key"), 401, "invalid_client_key")
