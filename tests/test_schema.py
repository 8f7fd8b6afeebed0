"""The OpenAPI schema at /_api/schema is valid and matches the committed snapshot
(``make schema`` regenerates it after an intended API change)."""

from __future__ import annotations

from pathlib import Path

import yaml
from openapi_spec_validator import validate

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.yaml"


def test_schema_is_valid_and_complete(api_client, db):
    response = api_client.get("/_api/schema", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
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
    header = schema["paths"]["/_api/rest/v1/cache/stats"]["get"]["parameters"][0]
    assert header == {"in": "header", "name": "X-Client-Key", "schema": {"type": "string"},
                      "description": header["description"]}
    assert schema == yaml.safe_load(SNAPSHOT.read_text()), "schema changed: run `make schema`"


def test_docs_page_renders(api_client, db):
    response = api_client.get("/_api/docs")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
