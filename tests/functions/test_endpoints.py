"""Endpoints at their own paths, their options (code defaults, admin edits), middlewares,
errors, timeouts, rate limits, logs; helpers through agnost.func; the path checks."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agnost_django import agnost
from agnost_django.functions.checks import check_endpoints
from agnost_django.functions.models import Endpoint, EndpointLog
from agnost_django.functions.registry import endpoint

pytestmark = pytest.mark.django_db


def test_every_method_with_query_body_headers_and_middlewares(agnost_client):
    for method in ("get", "post", "put", "delete"):
        response = getattr(agnost_client, method)("/orders/42?q=%5B1%2C2%5D&s=a+b", {"a": 1} if method != "get" else None,
                                                    format="json", HTTP_X_CUSTOM="1")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["id"] == "42" and body["method"] == method.upper() and body["header"] == "1"
        assert body["query"] == {"q": ["[1,2]"], "s": ["a+b"]}  # + stays + (spec 1.5)
        assert body["body"] == ({} if method == "get" else {"a": 1})
        assert body["stamps"] == ["stamp", "second"] and response["X-Stamp"] == "stamp,second"
    assert agnost_client.patch("/orders/42", {}, format="json").json()["errors"][0]["code"] == "method_not_allowed"


def test_converters_files_and_no_key(api_client):
    assert api_client.get("/items/7").json() == {"number": 7, "type": "int"}
    assert api_client.get("/items/x").status_code == 404
    response = api_client.get("/download/report.txt")
    assert response.content == b"plain report" and response["Content-Disposition"].startswith("attachment")


def test_key_and_session_requirements(api_client, agnost_client, user_factory):
    response = api_client.get("/orders/1")
    assert response.status_code == 401 and response.json()["errors"][0]["code"] == "missing_client_key"
    response = agnost_client.get("/me")
    assert response.status_code == 401 and response.json()["errors"][0]["code"] == "missing_session_token"
    response = agnost_client.get("/me", HTTP_SESSION="bogus")
    assert response.json()["errors"][0]["code"] == "invalid_session_token"
    user = user_factory()
    token = agnost.auth.create_session(user).data["session"]["token"]
    assert agnost_client.get("/me", HTTP_SESSION=token).json() == {"user": str(user.pk)}


def test_exceptions_become_json_without_internals(agnost_client, caplog):
    response = agnost_client.post("/crash", {}, format="json")
    assert response.status_code == 500
    (error,) = response.json()["errors"]
    assert error["code"] == "endpoint_execution_error" and error["origin"] == "server_error"
    assert "secret internals" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert "secret internals" in caplog.text  # the traceback is in the log


def test_middleware_refusals_and_timeouts(api_client, agnost_client):
    response = api_client.get("/gated")
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "gate_closed"
    assert api_client.get("/gated", HTTP_X_OPEN="sesame").json() == {"through": True}
    response = agnost_client.get("/slow-async")
    assert response.status_code == 504 and response.json()["errors"][0]["code"] == "request_timed_out"


def test_rate_limit(api_client):
    assert [api_client.get("/limited").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert api_client.get("/limited").json()["errors"][0]["code"] == "rate_limit_exceeded"


def test_admin_options_win_over_the_code(agnost_client, admin_client, api_client):
    agnost_client.get("/orders/1")
    row = Endpoint.objects.get(name="echo-order")
    assert (row.key_required, row.middlewares) == (True, ["stamp", "second"])
    url = f"/admin/agnost_functions/endpoint/{row.pk}/change/"
    response = admin_client.post(url, {"enabled": "on", "log_execution": "on", "middlewares": '["nope"]'})
    assert response.status_code == 200 and "registered middleware" in response.content.decode()
    response = admin_client.post(url, {"enabled": "on", "middlewares": "[]", "rate_limit": ""})  # key off, log off
    assert response.status_code == 302
    assert api_client.get("/orders/5").json()["stamps"] == []  # no key needed, no middlewares
    Endpoint.objects.filter(pk=row.pk).update(enabled=False)
    response = agnost_client.get("/orders/5")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "endpoint_not_found"
    admin_client.post("/admin/agnost_functions/endpoint/", {"action": "reset_to_code", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.key_required and row.middlewares == ["stamp", "second"]
    assert admin_client.get("/admin/agnost_functions/endpoint/").status_code == 200
    assert admin_client.get("/admin/agnost_functions/endpointlog/").status_code == 200


def test_execution_logs(agnost_client):
    agnost_client.get("/orders/9")
    agnost_client.post("/crash", {}, format="json")
    logs = {log.endpoint: log for log in EndpointLog.objects.all()}
    assert logs["echo-order"].status == 200 and logs["echo-order"].path == "/orders/9"
    assert logs["crash"].status == 500 and logs["crash"].error == "endpoint_execution_error"


def test_endpoint_list_and_server_library(agnost_client):
    listed = {item["name"]: item for item in agnost_client.get("/_api/rest/v1/endpoints").json()}
    assert listed["echo-order"] == {"name": "echo-order", "methods": ["GET", "POST", "PUT", "DELETE"],
                                    "path": "/orders/:id"}
    assert agnost.endpoint("echo-order").url(id=3).data == "/orders/3"
    assert agnost.endpoint("nope").get_info().errors.items[0].code == "endpoint_not_found"
    assert agnost.func("slugify").run("Hello Big World", separator="_").data == "hello_big_world"
    result = agnost.func("explode").run()
    assert result.errors.items[0].code == "function_execution_error" and result.errors.status == 500
    assert agnost.func("missing").run().errors.items[0].code == "function_not_found"


@pytest.mark.parametrize("path", ["/_api/rest/v1/mine", "/_auth/x", "/_storage/x", "/socket.io/y", "/admin/z",
                                  "/static/app.js"])
def test_reserved_paths_are_refused_by_a_check(path):
    from agnost_django.functions.registry import endpoints

    with endpoints.temporarily("bad", lambda request: None, path=path, methods=["GET"], key_required=True,
                               session_required=False, rate_limit=None, timeout=None, log_execution=True,
                               middlewares=[]):
        assert [error.id for error in check_endpoints()] == ["agnost_functions.E001"]


def test_bad_registrations():
    with pytest.raises(ValueError):
        endpoint("x", path="orders")(lambda request: None)
    with pytest.raises(ValueError):
        endpoint("x", path="/a/:id/:id")(lambda request: None)
    with pytest.raises(ValueError):
        endpoint("x", path="/a", method="TRACE")(lambda request: None)
    assert check_endpoints() == []


def test_unknown_paths_stay_the_hosts(client):
    assert client.get("/not-an-endpoint").status_code == 404
    assert APIClient().get("/orders/1/extra").status_code == 404
