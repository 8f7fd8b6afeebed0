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


@queue("server-only", retries=0)
def server_only(message) -> None:
    _trace(message, "done")
