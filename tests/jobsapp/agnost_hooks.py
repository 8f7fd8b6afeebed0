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
