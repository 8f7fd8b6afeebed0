"""Every failure under the API paths answers JSON {"errors": [...]} (the altogic client
hangs on anything else)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

API = "/_api/rest/v1"


def only_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["errors"]
    (item,) = body["errors"]
    assert item["code"] == code
    assert item["origin"] == ("server_error" if status >= 500 else "client_error")
    assert isinstance(item["message"], str) and item["message"]
    return item


def test_unknown_route_is_json_404(agnost_client):
    only_error(agnost_client.get(f"{API}/no-such-route"), 404, "resource_not_found")
    only_error(agnost_client.post("/_auth/unknown-provider"), 404, "resource_not_found")
    only_error(agnost_client.get("/socket.io/"), 404, "resource_not_found")


def test_trailing_slash_is_not_redirected(agnost_client):
    # APPEND_SLASH must never turn a client call into a redirect.
    only_error(agnost_client.get(f"{API}/cache/stats/"), 404, "resource_not_found")


def test_non_api_paths_keep_django_pages(db):
    response = Client().get("/no-such-page")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_wrong_method_is_json_405(agnost_client):
    response = agnost_client.put(f"{API}/cache", {"key": "k"}, format="json")
    only_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_malformed_json_is_400_with_position(agnost_client):
    response = agnost_client.post(f"{API}/cache", "{bad", content_type="application/json")
    item = only_error(response, 400, "invalid_request_body_syntax")
    assert "line 1 column 2" in item["message"]


def test_non_object_body_is_a_validation_error(agnost_client):
    response = agnost_client.post(f"{API}/cache", "[1, 2]", content_type="application/json")
    only_error(response, 400, "validation_error")


def test_unsupported_media_type_is_415(agnost_client):
    response = agnost_client.post(f"{API}/cache", "key=a", content_type="text/plain")
    only_error(response, 415, "unsupported_media_type")


def test_oversized_body_is_413_before_parsing(agnost_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"key": "k", "value": "' + "x" * 2000 + '"}'
    response = agnost_client.post(f"{API}/cache", body, content_type="application/json")
    item = only_error(response, 413, "request_body_size_too_large")
    assert item["details"] == {"limit": 1000}
    assert agnost_client.get(f"{API}/cache?key=k").json() is None


def test_validation_errors_name_the_field(agnost_client):
    response = agnost_client.post(f"{API}/cache", {"value": 1}, format="json")
    item = only_error(response, 400, "validation_error")
    assert item["details"] == {"field": "key", "reason": "required"}


@pytest.mark.urls("tests.urls")
def test_unexpected_exception_in_a_drf_view_is_json_500(agnost_client, settings, caplog):
    client = Client(raise_request_exception=False)
    item = only_error(client.get(f"{API}/test/boom"), 500, "internal_server_error")
    assert "secret internals" not in item["message"]  # DEBUG is off
    assert any("secret internals" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


@pytest.mark.urls("tests.urls")
def test_unexpected_exception_shows_text_only_in_debug(db, settings):
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    item = only_error(client.get(f"{API}/test/plain-boom"), 500, "internal_server_error")
    assert item["message"] == "secret internals"


@pytest.mark.urls("tests.urls")
def test_http404_from_a_plain_view_is_json(db):
    only_error(Client().get(f"{API}/test/plain-404"), 404, "resource_not_found")


def test_disallowed_host_is_json_400(db):
    response = Client(HTTP_HOST="evil.example.com").get(f"{API}/cache/stats")
    only_error(response, 400, "bad_request")


def test_throttling_is_json_429(agnost_client, settings):
    settings.AGNOST_CACHE_THROTTLE_CLASSES = ["tests.core.throttles.TwoPerMinute"]
    for _ in range(2):
        assert agnost_client.get(f"{API}/cache/stats").status_code == 200
    response = agnost_client.get(f"{API}/cache/stats")
    item = only_error(response, 429, "rate_limit_exceeded")
    assert item["details"]["wait"] > 0
    assert int(response["Retry-After"]) > 0


def test_client_api_is_csrf_exempt_even_with_an_admin_session(staff_client, client_key_factory):
    # A browser app whose user is also signed in to the admin sends the session cookie.
    _key, secret = client_key_factory()
    response = staff_client.post(
        f"{API}/cache", {"key": "k", "value": 1}, format="json", HTTP_X_CLIENT_KEY=secret
    )
    assert response.status_code == 200


def test_browsable_api_post_without_csrf_token_is_json_403(staff_client):
    response = staff_client.post(f"{API}/cache", {"key": "k", "value": 1}, format="json")
    only_error(response, 403, "csrf_failed")


class FailingMiddleware:
    """Raises on the API paths, like a broken middleware of the host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API):
            raise RuntimeError("middleware failed")
        return self.get_response(request)


def test_failure_in_another_middleware_is_json(db, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:2], "tests.core.test_errors.FailingMiddleware",
                           *settings.MIDDLEWARE[2:]]
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    response = Client(raise_request_exception=False).get(f"{API}/cache", HTTP_ORIGIN="https://app.example.com")
    only_error(response, 500, "internal_server_error")
    # The rewritten response keeps the CORS headers, so the browser lets the client read it.
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deeply_nested_json_is_400(agnost_client, depth):
    body = "[" * depth + "]" * depth
    response = agnost_client.post(f"{API}/cache", body, content_type="application/json")
    item = only_error(response, 400, "request_body_too_deep")
    assert item["details"] == {"limit": 64}


def test_nesting_within_the_limit_is_parsed(agnost_client):
    value = json.loads("[" * 62 + "1" + "]" * 62)  # 64 levels with the body and "value"
    response = agnost_client.post(f"{API}/cache", {"key": "deep", "value": {"v": value}}, format="json")
    assert response.status_code < 300, response.content


def test_a_value_the_database_refuses_is_400_not_500():
    # PostgreSQL refuses a NUL character in a text ("PostgreSQL text fields cannot contain
    # NUL (0x00) bytes"): the request's data, found by schemathesis on the services stack.
    from django.db import DataError

    from agnost_django.core.api import exception_handler

    response = exception_handler(DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"), {})
    assert response.status_code == 400
    assert response.data == {"errors": [{
        "origin": "client_error", "code": "validation_error",
        "message": "A value of the request cannot be stored or compared by the database.",
        "details": {"reason": "database"},
    }]}


def test_multipart_with_too_many_parts_is_400(agnost_client, user_factory):
    from agnost_django.auth.sessions import create_session

    agnost_client.credentials(HTTP_X_CLIENT_KEY=agnost_client.client_key,
                              HTTP_SESSION=create_session(user_factory())[1])
    fields = {f"field{n}": "x" for n in range(1100)}  # over DATA_UPLOAD_MAX_NUMBER_FIELDS (1000)
    response = agnost_client.post(f"{API}/storage/bucket/upload-formdata?bucket=root&fileName=a.txt", fields)
    only_error(response, 400, "bad_request")
