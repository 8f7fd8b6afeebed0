"""Real django-q2 workers (``manage.py qcluster`` processes) against a real server: a worker
killed with SIGKILL mid-message loses nothing, and 1,000 messages from 20 concurrent clients
all complete. Runs on this pass's stack: SQLite + the ORM broker, or PostgreSQL + Redis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from tests.interop.server import REPO_ROOT, InteropServer

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("queue-workers")]  # one worker: one module server


@pytest.fixture(scope="module")
def server():
    server = InteropServer(settings.INTEROP_STACK).start()
    try:
        yield server
    finally:
        server.stop()


class Worker:
    """``manage.py qcluster`` in its own process group, with the server's settings."""

    def __init__(self, server: InteropServer, workers: int = 1, env: dict[str, str] | None = None) -> None:
        self.log = server.tmpdir / f"qcluster-{time.monotonic_ns()}.log"
        env = {**server.env, "Q_WORKERS": str(workers), **(env or {})}
        with open(self.log, "w") as log:
            self.process = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=REPO_ROOT, env=env,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL to the whole cluster: its guard, pusher, monitor and workers."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM to the cluster's main process (it stops its children), then SIGKILL to
        whatever is left of the group."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        self.kill()


def call(server: InteropServer, method: str, path: str, body=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/_api/rest/v1/{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"X-Client-Key": server.client_key, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def events(path) -> list[str]:
    return [json.loads(line)["event"] for line in path.read_text().splitlines()] if path.exists() else []


def test_a_worker_killed_mid_message_loses_nothing(server, tmp_path):
    log = tmp_path / "trace"
    first = Worker(server)
    try:
        info = call(server, "POST", "queue", {"queueNameOrId": "slow", "message": {"log": str(log), "sleep": 6}})
        wait_for(lambda: "start" in events(log), 30, "the handler to start")
        assert call(server, "GET", f"queue/{info['messageId']}")["status"] == "processing"
        first.kill()
    finally:
        first.stop()
    second = Worker(server)
    try:
        done = wait_for(lambda: (status := call(server, "GET", f"queue/{info['messageId']}"))["status"] == "completed"
                        and status, 60, "the message to complete")
    finally:
        second.stop()
    assert events(log) == ["start", "start", "done"]  # run again once, completed once
    assert done["attempts"] == 2 and done["errors"][0]["code"] == "worker_lost"


def test_a_thousand_messages_from_twenty_clients_all_complete(server, tmp_path):
    log = tmp_path / "trace"
    worker = Worker(server, workers=2)
    try:
        def submit(index: int) -> str:
            body = {"queueNameOrId": "echo", "message": {"log": str(log), "id": index}}
            return call(server, "POST", "queue", body)["messageId"]

        with ThreadPoolExecutor(max_workers=20) as pool:
            ids = list(pool.map(submit, range(1000)))
        assert len(set(ids)) == 1000
        wait_for(lambda: len(events(log)) >= 1000, 240, "1,000 messages to run")
        time.sleep(1)
    finally:
        worker.stop()
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(line["id"] for line in lines) == list(range(1000))  # none lost, none run twice
    statuses = {call(server, "GET", f"queue/{message_id}")["status"] for message_id in ids[::50]}
    assert statuses == {"completed"}


def test_a_delay_is_honoured_within_a_second(server, tmp_path):
    log = tmp_path / "trace"
    worker = Worker(server)
    try:
        wait_for(lambda: "ready for work" in worker.log.read_text().lower() or "ready" in worker.log.read_text(),
                 30, "the worker")
        submitted = time.time()
        call(server, "POST", "queue", {"queueNameOrId": "echo", "message": {"log": str(log), "id": 1}, "delay": 3})
        wait_for(lambda: events(log), 30, "the delayed message")
    finally:
        worker.stop()
    ran = json.loads(log.read_text().splitlines()[0])["time"]
    assert 3 <= ran - submitted < 4, ran - submitted


def test_messages_a_killed_cluster_had_taken_run_again_within_seconds(server, tmp_path):
    """Issue #14. One worker is busy with a long message while its cluster's pusher takes the
    next messages from the broker into memory (django-q2's ``queue_limit``); SIGKILL to the
    whole cluster takes them along. Another cluster runs every one of them within seconds,
    not after ``REDISPATCH_AFTER`` (Redis) or ``Q_CLUSTER['retry']`` (the ORM broker)."""
    log = tmp_path / "trace"
    first = Worker(server, workers=1)
    try:
        long = call(server, "POST", "queue", {"queueNameOrId": "slow", "message": {"log": str(log), "sleep": 20}})
        wait_for(lambda: "start" in events(log), 30, "the long message to start")
        ids = [call(server, "POST", "queue", {"queueNameOrId": "echo", "message": {"log": str(log), "id": index}})
               ["messageId"] for index in range(4)]
        time.sleep(1.5)  # the pusher takes what its queue holds (one, and one more in hand)
        assert [call(server, "GET", f"queue/{message_id}")["status"] for message_id in ids] == ["pending"] * 4
        first.kill()
    finally:
        first.stop()
    second = Worker(server, workers=2)
    try:
        started = time.monotonic()
        wait_for(lambda: len([e for e in events(log) if e == "done"]) >= 4, 45, "the taken messages to run")
        took = time.monotonic() - started
        time.sleep(1)  # any second run would show now
        statuses = [call(server, "GET", f"queue/{message_id}") for message_id in ids]
        rerun = call(server, "GET", f"queue/{long['messageId']}")
    finally:
        second.kill()
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(line["id"] for line in lines if line["id"] is not None) == [0, 1, 2, 3]  # each once
    assert [status["status"] for status in statuses] == ["completed"] * 4
    assert rerun["status"] == "processing" and rerun["errors"][0]["code"] == "worker_lost"  # running again
    assert took < 15, took


def test_a_task_run_of_a_killed_cluster_ends_within_seconds(server, tmp_path):
    """Issue #14: the run does not stay "processing" (nor keep its overlap=False lock): it ends
    in errors, worker_lost, and the next run of the task runs."""
    log = tmp_path / "tasks"
    env = {"AGNOST_TEST_TASK_LOG": str(log), "AGNOST_TEST_TASK_SLEEP": "30"}
    first = Worker(server, env=env)
    try:
        run = call(server, "POST", "task", {"taskNameOrId": "exclusive"})
        wait_for(lambda: "exclusive-start" in events(log), 30, "the run to start")
        assert call(server, "GET", f"task/{run['taskId']}")["status"] == "processing"
        first.kill()
    finally:
        first.stop()
    second = Worker(server, env={**env, "AGNOST_TEST_TASK_SLEEP": "0"})
    try:
        ended = wait_for(lambda: (info := call(server, "GET", f"task/{run['taskId']}"))["status"] == "errors"
                         and info, 30, "the run to end")  # a lease is 10 s; a loaded CI machine is slow
        again = call(server, "POST", "task", {"taskNameOrId": "exclusive"})
        done = wait_for(lambda: (info := call(server, "GET", f"task/{again['taskId']}"))["status"] != "pending"
                        and info["status"] != "processing" and info, 60, "the next run")
    finally:
        second.kill()
    assert ended["errors"][0]["code"] == "worker_lost"
    assert done["status"] == "completed", done  # the lock was released
