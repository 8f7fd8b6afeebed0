"""The OpenAPI schema at /_api/schema is valid and matches the committed snapshot
(``make schema`` regenerates it after an intended API change)."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import ANY

import pytest
import yaml
from openapi_spec_validator import validate

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.yaml"


@pytest.fixture
def schema(api_client, db):
    response = api_client.get("/_api/schema", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_is_valid_and_complete(schema):
    validate(schema)
    assert {
        "/_api/rest/v1/cache", "/_api/rest/v1/cache/increment", "/_api/rest/v1/cache/decrement",
        "/_api/rest/v1/cache/expire", "/_api/rest/v1/cache/stats", "/_api/rest/v1/cache/list-keys",
    } <= set(schema["paths"])
    assert set(schema["paths"]["/_api/rest/v1/cache"]) == {"get", "post", "delete"}
    storage = [path for path in schema["paths"] if path.startswith("/_api/rest/v1/storage/")]
    assert len(storage) == 34  # spec 3.3 and 3.4
    assert {"/_api/rest/v1/queue", "/_api/rest/v1/queue/{message_id}", "/_api/rest/v1/task",
            "/_api/rest/v1/task/{task_id}", "/_api/rest/v1/realtime/get-members", "/_api/rest/v1/endpoints"} \
        <= set(schema["paths"])
    assert not any(path.startswith("/orders") for path in schema["paths"])  # the host's endpoints are not the API
    upload = schema["paths"]["/_api/rest/v1/storage/bucket/upload-formdata"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert schema == yaml.safe_load(SNAPSHOT.read_text()), "schema changed: run `make schema`"


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_one_tag_per_module(schema):
    tags = {path: operation["tags"] for path, _method, operation in operations(schema)}
    assert all(len(names) == 1 for names in tags.values())
    assert {names[0] for names in tags.values()} == {
        "auth", "data", "storage", "realtime", "queues", "tasks", "endpoints", "cache"}
    assert tags["/_api/rest/v1/db/get-list"] == ["data"]
    assert tags["/_api/rest/v1/task/{task_id}"] == ["tasks"]


def test_security_schemes_as_the_server_requires_them(schema):
    assert schema["components"]["securitySchemes"] == {
        "clientKey": {"type": "apiKey", "in": "header", "name": "X-Client-Key", "description": ANY},
        "session": {"type": "apiKey", "in": "header", "name": "Session", "description": ANY},
        "adminSession": {"type": "apiKey", "in": "cookie", "name": "sessionid", "description": ANY},
    }
    key_and_session, key, staff = {"clientKey": [], "session": []}, {"clientKey": []}, {"adminSession": []}
    security = {(path, method): operation["security"] for path, method, operation in operations(schema)}
    # A signed-in user's routes need the session; the key (or, in the browsable API, the
    # admin's cookie) is always needed.
    for route in ("sessions", "user"):
        assert security["/_api/rest/v1/auth/" + route, "get"] == [key_and_session, {**staff, "session": []}]
    for route in ("signout", "signout-all", "signout-all-except", "change-pwd", "change-email", "change-phone"):
        assert security["/_api/rest/v1/auth/" + route, "post"][0] == key_and_session
    # Elsewhere the session is optional: key alone, or key and session.
    assert security["/_api/rest/v1/auth/signin-email", "post"] == [key_and_session, key, staff]
    assert security["/_api/rest/v1/cache", "get"] == [key_and_session, key, staff]
    assert all(key in alternatives or key_and_session in alternatives for alternatives in security.values())
    # X-Client-Key is a security scheme, not an optional parameter.
    assert not any(parameter["name"] == "X-Client-Key" for _path, _method, operation in operations(schema)
                   for parameter in operation.get("parameters", ()))


def test_error_responses(schema):
    assert schema["components"]["schemas"]["Error"]["required"] == ["errors"]
    item = schema["components"]["schemas"]["ErrorItem"]
    assert sorted(item["required"]) == ["code", "message", "origin"]
    assert set(item["properties"]) == {"origin", "code", "message", "details"}
    # One shared response per status, each the error envelope.
    shared = schema["components"]["responses"]
    assert {name: response["content"] for name, response in shared.items()} == dict.fromkeys(
        ["BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "RequestEntityTooLarge",
         "UnsupportedMediaType", "TooManyRequests", "NotImplemented", "ServiceUnavailable"],
        {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}})
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        statuses = {status for status in responses if status != "200"}
        assert {"400", "401", "403", "429"} <= statuses, (method, path)
        if "requestBody" in operation:
            assert {"413", "415"} <= statuses, (method, path)
        for status in statuses:
            assert responses[status]["$ref"].startswith("#/components/responses/"), (method, path, status)
    assert schema["paths"]["/_api/rest/v1/auth/user"]["get"]["responses"]["401"] == {
        "$ref": "#/components/responses/Unauthorized"}
    paths = schema["paths"]
    assert "404" in paths["/_api/rest/v1/storage/bucket/get"]["post"]["responses"]
    assert "409" in paths["/_api/rest/v1/storage/create-bucket"]["post"]["responses"]
    assert "503" in paths["/_api/rest/v1/cache"]["get"]["responses"]


def test_bodies_match_what_the_server_sends(schema):
    paths = schema["paths"]
    def ok(path, method):
        return paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok("/_api/rest/v1/auth/sessions", "get") == {
        "type": "array", "items": {"$ref": "#/components/schemas/Session"}}
    assert ok("/_api/rest/v1/auth/signin-email", "post") == {"$ref": "#/components/schemas/SignedIn"}
    assert ok("/_api/rest/v1/storage/bucket/exists", "post") == {"type": "boolean"}
    assert ok("/_api/rest/v1/cache", "post")["enum"] == [None]  # JSON null, which the client ignores
    # Every operation has a typed request body or none at all (no free-form objects).
    for path, method, operation in operations(schema):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            assert media["schema"] != {"type": "object", "additionalProperties": {}}, (method, path)


def test_docs_page_renders(api_client, db):
    response = api_client.get("/_api/docs")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
