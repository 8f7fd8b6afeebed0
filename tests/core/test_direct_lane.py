"""The direct lane (``agnost_django.core.direct``) and lean calls (``agnost_django.core.calls``)
under the real server: client calls to the data and cache routes skip the host's middleware
but ``AGNOST_CORE_DIRECT_MIDDLEWARE``, and the data routes skip DRF's per-request machinery,
and answer exactly as the whole chain and DRF's dispatch do (bodies, statuses, headers, error
codes, CORS), on this pass's stack; the same calls to a server with the lane off, and to one
with lean calls off, are the references."""

from __future__ import annotations

import http.client
import json

import pytest
from django.conf import settings

from tests.interop.server import InteropServer

pytestmark = pytest.mark.xdist_group("direct-lane")

API = "/_api/rest/v1"
ORIGIN = "https://app.example.com"
# Headers that depend on the run, not on the lane.
VOLATILE = {"date", "server", "content-length", "x-frame-options"}


@pytest.fixture(scope="module")
def servers():
    lane = InteropServer(settings.INTEROP_STACK).start()
    whole = InteropServer(settings.INTEROP_STACK, env={"AGNOST_CORE_DIRECT_LANE": "0"}).start()
    drf = InteropServer(settings.INTEROP_STACK, env={"AGNOST_CORE_LEAN_CALLS": "0"}).start()
    yield lane, whole, drf
    for server in (lane, whole, drf):
        server.stop()


def request(server: InteropServer, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    sent = {"X-Client": "altogic-js", "Content-Type": "application/json", **(headers or {})}
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    connection.request(method, path, body=data, headers=sent)
    response = connection.getresponse()
    content = response.read()
    connection.close()
    headers = {name.lower(): value for name, value in response.getheaders()}
    try:
        parsed = json.loads(content) if content else None
    except ValueError:
        parsed = content.decode()[:40]
    return response.status, headers, parsed


def signed_in(server: InteropServer, key: str, email: str) -> str:
    status, _headers, body = request(server, "POST", f"{API}/auth/signup-email", {"email": email, "password": "lane test 42"},
                                     {"X-Client-Key": key})
    assert status == 200, body
    return body["session"]["token"]


def without_ids(value):
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k not in ("_id", "id", "created_at", "updated_at")}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def test_calls_answer_as_through_the_whole_chain_and_drf(servers):
    lane, whole, drf = servers
    origin_key = {}
    for server in servers:
        origin_key[server] = server.manage("agnost_create_client_key", "browser", "--origin", ORIGIN).stdout.strip().splitlines()[-1]
    answers = {}
    for server in servers:
        key = {"X-Client-Key": server.client_key}
        session = {**key, "Session": signed_in(server, server.client_key, "lane@example.com")}
        browser = {"X-Client-Key": origin_key[server], "Origin": ORIGIN}
        created = request(server, "POST", f"{API}/db/object/create", {"model": "todos", "values": {"title": "a", "priority": 3}}, session)
        todo_id = created[2]["_id"]
        calls = [
            created,
            request(server, "POST", f"{API}/db/object/get", {"model": "todos", "id": todo_id}, session),
            request(server, "POST", f"{API}/db/get-list", {"model": "todos", "query": {"expression": "priority > 1"},
                                                           "returnCountInfo": True}, session),
            request(server, "POST", f"{API}/db/object/update-fields", {"model": "todos", "id": todo_id,
                                                                       "updates": [{"field": "priority", "updateType": "increment", "value": 2}]}, session),
            request(server, "POST", f"{API}/db/object/get", {"model": "todos", "id": todo_id}, key),  # not the owner
            request(server, "POST", f"{API}/db/object/get", {"id": "1"}, key),
            request(server, "POST", f"{API}/db/object/get", {"model": "nowhere", "id": "1"}, key),
            request(server, "POST", f"{API}/db/object/get", raw=b"{not json", headers=key),
            request(server, "POST", f"{API}/db/object/get", raw=b"[1, 2]", headers=key),
            request(server, "POST", f"{API}/db/object/get", {"model": "todos", "id": "1"}, {"X-Client-Key": "agk_wrong"}),
            request(server, "POST", f"{API}/db/object/get", {"model": "todos", "id": todo_id}, {**session, "Session": "wrong"}),
            request(server, "POST", f"{API}/db/object/get", {"model": "todos", "id": todo_id}, {**key, "Session": "wrong"}),
            request(server, "POST", f"{API}/db/get-list", {"model": "todos", "query": {"expression": "priority >"}}, session),
            request(server, "POST", f"{API}/db/object/get", raw=b"[" * 200 + b"]" * 200, headers=key),  # too deep
            request(server, "POST", f"{API}/db/object/get", raw=b"id=1", headers={**key, "Content-Type": "text/plain"}),  # 415
            request(server, "POST", f"{API}/db/object/get", {"model": "todos", "id": "1"}, {**key, "Accept": "application/xml"}),
            request(server, "GET", f"{API}/db/object/get", headers=key),  # 405
            request(server, "POST", f"{API}/cache", {"key": "k", "value": {"n": 1}}, key),
            request(server, "GET", f"{API}/cache?key=k", headers=key),
            request(server, "POST", f"{API}/cache/increment", {"key": "n", "increment": 2}, key),
            # A browser app: CORS headers from django-cors-headers, the key's origins.
            request(server, "POST", f"{API}/cache", {"key": "b", "value": 1}, browser),
            request(server, "POST", f"{API}/cache", {"key": "b", "value": 1}, {**browser, "Origin": "https://evil.example"}),
        ]
        answers[server] = [(status, {k: v for k, v in headers.items() if k not in VOLATILE}, without_ids(body))
                           for status, headers, body in calls]
    for index, (through_lane, through_whole, through_drf) in enumerate(
            zip(answers[lane], answers[whole], answers[drf], strict=True)):
        assert through_lane == through_whole, f"call {index}"
        assert through_lane == through_drf, f"call {index}"
    statuses = [status for status, _headers, _body in answers[lane]]
    assert statuses == [200, 200, 200, 200, 401, 400, 404, 400, 400, 401, 401, 401, 400, 400, 415, 406, 405,
                        200, 200, 200, 200, 403]
    assert answers[lane][-2][1]["access-control-allow-origin"] == ORIGIN


def test_the_lane_skips_the_hosts_other_middleware(servers):
    lane, whole, _drf = servers
    # XFrameOptionsMiddleware (the example project's) is not one of the lane's.
    for server, expected in ((lane, None), (whole, "DENY")):
        _status, headers, _body = request(server, "GET", f"{API}/cache?key=k", headers={"X-Client-Key": server.client_key})
        assert headers.get("x-frame-options") == expected
    # Without a client key, or asking for HTML, a call takes the whole chain.
    _status, headers, _body = request(lane, "GET", f"{API}/cache?key=k", headers={"X-Client-Key": lane.client_key,
                                                                                   "Accept": "text/html"})
    assert headers.get("x-frame-options") == "DENY"
    status, headers, _body = request(lane, "GET", f"{API}/cache?key=k")
    assert status == 401 and headers.get("x-frame-options") == "DENY"
