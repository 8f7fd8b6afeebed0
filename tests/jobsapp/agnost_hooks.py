"""Queue handlers, tasks and endpoints of the tests (discovered at start-up).

Handlers that leave traces append JSON lines to the file named in the message (``log``), so
that a test can see runs made by another process (a real django-q2 worker)."""

from __future__ import annotations

import json
import time

from agnost_django.queues import queue


def _trace(message, event: str) -> None:
    if isinstance(message, dict) and message.get("log"):
        with open(message["log"], "a") as handle:
            handle.write(json.dumps({"event": event, "id": message.get("id"), "time": time.time()}) + "\n")


@queue("echo", clients=True, retries=0)
def echo(message) -> None:
    _trace(message, "done")


@queue("slow", clients=True, retries=2, backoff=0, timeout=30)
def slow(message) -> None:
    _trace(message, "start")
    time.sleep(float(message.get("sleep", 0)) if isinstance(message, dict) else 0)
    _trace(message, "done")


@queue("failing", clients=True, retries=2, backoff=0.1)
def failing(message) -> None:
    _trace(message, "attempt")
    raise RuntimeError("this handler always fails")


@queue("announce", retries=0)
def announce(message) -> None:
    from agnost_django import agnost

    agnost.realtime.send(message["channel"], "announcement", message["text"]).unwrap()


@queue("server-only", retries=0)
def server_only(message) -> None:
    _trace(message, "done")


# -- tasks ----------------------------------------------------------------------------------

import os  # noqa: E402

from agnost_django.schedules import task  # noqa: E402

TASK_LOG = os.environ.get("AGNOST_TEST_TASK_LOG")


def _task_trace(event: str) -> None:
    path = os.environ.get("AGNOST_TEST_TASK_LOG")
    if path:
        with open(path, "a") as handle:
            handle.write(json.dumps({"event": event, "time": time.time()}) + "\n")


@task("report", cron="0 2 * * *", clients=True)
def report() -> None:
    _task_trace("report")


@task("exclusive", overlap=False, clients=True)
def exclusive() -> None:
    _task_trace("exclusive-start")
    time.sleep(float(os.environ.get("AGNOST_TEST_TASK_SLEEP", "0")))
    _task_trace("exclusive-done")


@task("broken", clients=True)
def broken() -> None:
    raise ValueError("the task failed")


@task("internal")
def internal() -> None:
    _task_trace("internal")


# -- endpoints, middlewares, helpers ---------------------------------------------------------

import asyncio  # noqa: E402

from django.http import HttpResponse  # noqa: E402

from agnost_django.functions import endpoint, function, middleware  # noqa: E402


@middleware("stamp")
def stamp(request, call_next):
    request.stamps = [*getattr(request, "stamps", []), "stamp"]
    response = call_next(request)
    response["X-Stamp"] = ",".join(request.stamps)
    return response


@middleware("second")
def second(request, call_next):
    request.stamps = [*getattr(request, "stamps", []), "second"]
    return call_next(request)


@middleware("gate")
def gate(request, call_next):
    if request.headers.get("X-Open") != "sesame":
        from agnost_django.core.exceptions import AgnostAPIError

        raise AgnostAPIError("The gate is closed.", code="gate_closed", status_code=403)
    return call_next(request)


@endpoint("echo-order", path="/orders/:id", method=["GET", "POST", "PUT", "DELETE"], middlewares=["stamp", "second"])
def echo_order(request, id):
    return {"id": id, "method": request.method, "query": dict(request.query_params), "body": request.data,
            "header": request.headers.get("X-Custom"), "stamps": getattr(request, "stamps", [])}


@endpoint("typed", path="/items/<int:number>", key_required=False)
def typed(request, number):
    return {"number": number, "type": type(number).__name__}


@endpoint("whoami", path="/me", session_required=True)
def whoami(request):
    return {"user": str(request.user.pk)}


@endpoint("crash", path="/crash", method="POST")
def crash(request):
    raise KeyError("secret internals")


@endpoint("file", path="/download/report.txt", key_required=False)
def file(request):
    response = HttpResponse(b"plain report", content_type="text/plain")
    response["Content-Disposition"] = 'attachment; filename="report.txt"'
    return response


@endpoint("slow-async", path="/slow-async", timeout=0.2)
async def slow_async(request):
    await asyncio.sleep(2)
    return {"late": True}


@endpoint("limited", path="/limited", rate_limit="3/min", key_required=False)
def limited(request):
    return {"ok": True}


@endpoint("gated", path="/gated", middlewares=["gate"], key_required=False)
def gated(request):
    return {"through": True}


@function("slugify")
def slugify(text, separator="-"):
    return separator.join(text.lower().split())


@function("explode")
def explode():
    raise RuntimeError("boom")
