"""``agnost_django.core.asgi``: each request in one call to a fixed pool of threads (the
middleware chain, the view, the request signals), streaming and ``async def`` views as
Django's own handler serves them. Driven through the ASGI interface, as a server calls it."""

from __future__ import annotations

import asyncio
import json
import os
import threading

import pytest
from django.core import signals
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.test import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from agnost_django.core.asgi import ASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)

seen = []


@csrf_exempt
def where(request):
    seen.append(threading.get_ident())
    return JsonResponse({"thread": threading.current_thread().name, "body": request.body.decode()})


def stream(request):
    return StreamingHttpResponse(f"part{i};" for i in range(3))


@csrf_exempt
async def async_view(request):
    await asyncio.sleep(0)
    return HttpResponse(f"async {request.method} {id(asyncio.get_running_loop())}")


def boom(request):
    raise RuntimeError("boom")


def cookie(request):
    response = HttpResponse("ok")
    response.set_cookie("flavour", "oat")
    return response


urlpatterns = [
    path("where", where), path("stream", stream), path("async", async_view), path("cookie", cookie),
    path("boom", boom),
]


async def call(app, path: str, method: str = "GET", body: bytes = b"") -> tuple[dict, bytes]:
    """One request through the ASGI interface: (start message, whole body)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 40000), "server": ("testserver", 80),
    }
    chunks = [{"type": "http.request", "body": body[:3], "more_body": True},
              {"type": "http.request", "body": body[3:], "more_body": False}]
    sent: list[dict] = []
    done = asyncio.Event()

    async def receive():
        if chunks:
            return chunks.pop(0)
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    done.set()
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.fixture
def app():
    with override_settings(ROOT_URLCONF=__name__, AGNOST_CORE_HTTP_THREADS=3):
        handler = ASGIHandler()
        yield handler
        handler.threads.shutdown()


def test_requests_share_a_fixed_pool_of_threads(app):
    seen.clear()

    async def many():
        return await asyncio.gather(*(call(app, "/where", "POST", b"hello %d" % i) for i in range(30)))

    answers = asyncio.run(many())
    assert [start["status"] for start, _ in answers] == [200] * 30
    bodies = [json.loads(body) for _, body in answers]
    assert sorted(body["body"] for body in bodies) == sorted(f"hello {i}" for i in range(30))
    assert len(seen) == 30 and len(set(seen)) <= 3  # Django's handler: a new thread per request
    assert all(body["thread"].startswith("agnost-http") for body in bodies)


def test_request_signals_run_once_per_request_in_the_request_thread(app):
    events = []

    def started(**kwargs):
        events.append(("started", threading.current_thread().name))

    def finished(**kwargs):
        events.append(("finished", threading.current_thread().name))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        start, _ = asyncio.run(call(app, "/where"))
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert start["status"] == 200
    assert [name for name, _ in events] == ["started", "finished"]
    assert all(thread.startswith("agnost-http") for _, thread in events)


def test_streaming_response(app):
    start, body = asyncio.run(call(app, "/stream"))
    assert start["status"] == 200
    assert body == b"part0;part1;part2;"


def test_an_async_view_runs_on_the_servers_event_loop(app):
    async def run():
        start, body = await call(app, "/async", "PUT")
        return start, body, id(asyncio.get_running_loop())

    start, body, loop = asyncio.run(run())
    assert (start["status"], body) == (200, f"async PUT {loop}".encode())


def test_cookies_and_not_found(app):
    start, _ = asyncio.run(call(app, "/cookie"))
    assert (b"Set-Cookie", b"flavour=oat; Path=/") in start["headers"], start["headers"]
    start, _ = asyncio.run(call(app, "/nowhere"))
    assert start["status"] == 404


def test_websocket_scope_is_refused(app):
    with pytest.raises(ValueError, match="websocket"):
        asyncio.run(app({"type": "websocket"}, None, None))


def test_a_synchronous_stream_is_sent_as_it_is_produced(app):
    produced = []

    def parts():
        for i in range(3):
            produced.append(i)
            yield b"x" * 10

    sent_while_producing = []

    async def run():
        scope = {"type": "http", "method": "GET", "path": "/generator", "raw_path": b"/generator", "root_path": "",
                 "query_string": b"", "headers": [(b"host", b"testserver")], "asgi": {"version": "3.0"}}
        done = asyncio.Event()

        async def receive():
            if not getattr(receive, "sent", False):
                receive.sent = True
                return {"type": "http.request", "body": b""}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.body" and message.get("body"):
                sent_while_producing.append(len(produced))

        await app(scope, receive, send)
        done.set()

    global generator_parts
    generator_parts = parts
    asyncio.run(run())
    assert sent_while_producing == [1, 2, 3]  # each chunk sent before the next was made


generator_parts = None


def generator(request):
    return StreamingHttpResponse(generator_parts())


urlpatterns.append(path("generator", generator))


def test_a_view_that_raises_answers_500_and_the_thread_serves_on(app):
    start, _ = asyncio.run(call(app, "/boom"))
    assert start["status"] == 500
    start, body = asyncio.run(call(app, "/where", "POST", b"after"))
    assert start["status"] == 200 and json.loads(body)["body"] == "after"


def test_a_forked_worker_starts_its_own_request_threads(app):
    """agnost_serve --workers loads the application, then forks: the parent's threads are
    not in the child, which must start its own on its first request."""
    assert asyncio.run(call(app, "/where"))[0]["status"] == 200  # the parent's threads run
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report the answer through the pipe, whatever happens
        try:
            start, body = asyncio.run(asyncio.wait_for(call(app, "/where", "POST", b"child"), 10))
            os.write(write, json.dumps([start["status"], json.loads(body)]).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    status, body = json.loads(answer)
    assert status == 200 and body["body"] == "child" and body["thread"].startswith("agnost-http")
