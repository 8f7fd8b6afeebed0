"""The altogic npm client's EndpointManager, QueueManager and TaskManager against the real
server (see functions.test.mjs).

The endpoints, queues and tasks are those of ``tests/jobsapp/agnost_hooks.py`` (installed by
``tests/interop/server_settings.py``). Queue messages and task runs are executed by a real
django-q2 worker, ``manage.py qcluster`` with the server's settings (the ``Worker`` of
``tests/queues/test_worker.py``), started once for this module: on the embedded stack it
polls the ORM broker in the server's SQLite file, on the services stack it reads the Redis
broker. Its tasks trace into ``AGNOST_TEST_TASK_LOG``, a file that functions.test.mjs reads.
"""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.interop.server import node_failure
from tests.queues.test_worker import Worker

# Sign-up hashes with Argon2, and the job tests wait for a worker that may still be starting.
NODE_TIMEOUT = 120


@pytest.fixture(scope="module")
def jobs(interop_server):
    """``(worker, jobs_dir, task_log)``: one qcluster for the module, stopped at its end.

    ``jobs_dir`` is where queue handlers write the trace files named in their messages;
    ``task_log`` is the worker's ``AGNOST_TEST_TASK_LOG``."""
    jobs_dir = Path(tempfile.mkdtemp(prefix="jobs-", dir=interop_server.tmpdir))
    task_log = jobs_dir / "tasks.jsonl"
    # Worker reads only ``tmpdir`` and ``env``: the server's environment plus the task log.
    target = SimpleNamespace(tmpdir=interop_server.tmpdir,
                             env={**interop_server.env, "AGNOST_TEST_TASK_LOG": str(task_log)})
    worker = Worker(target)
    try:
        yield worker, jobs_dir, task_log
    finally:
        stop(worker)


def stop(worker: Worker) -> None:
    """SIGTERM to the cluster's main process only, which then stops its workers (about a
    second). ``Worker.stop`` signals the whole process group at once, after which django-q2's
    guard never finishes and is SIGKILLed 15 s later. Stragglers are killed either way."""
    if worker.process.poll() is None:
        worker.process.send_signal(signal.SIGTERM)
        try:
            worker.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    worker.kill()


def run_part(server, part: str, extra_env: dict[str, str] | None = None):
    """Run one part of functions.test.mjs (``AGNOST_FUNCTIONS_PART``)."""
    return server.run_node("functions.test.mjs", extra_env={"AGNOST_FUNCTIONS_PART": part, **(extra_env or {})},
                           timeout=NODE_TIMEOUT)


def test_endpoint_manager(interop_server):
    result = run_part(interop_server, "endpoints")
    assert result.returncode == 0, node_failure(result, interop_server)


def test_paths_without_an_endpoint_answer_json(interop_server):
    """``client.endpoint.*`` on a path that no endpoint serves (an unknown path, or a value an
    endpoint's converter refuses) must get a JSON 404 (spec 2.3): with Django's HTML 404 page
    the client's ``response.json()`` rejects unhandled and the call's promise never settles."""
    result = run_part(interop_server, "fallbacks")
    assert result.returncode == 0, node_failure(result, interop_server)


@pytest.mark.slow  # starts a qcluster
def test_queue_and_task_managers(interop_server, jobs):
    worker, jobs_dir, task_log = jobs
    result = run_part(interop_server, "jobs", {"AGNOST_JOBS_DIR": str(jobs_dir), "AGNOST_TASK_LOG": str(task_log)})
    assert result.returncode == 0, (
        node_failure(result, interop_server)
        + f"\n--- qcluster log (tail) ---\n{worker.log.read_text(errors='replace')[-5000:]}"
    )
    assert worker.process.poll() is None, "the qcluster exited during the test"


def test_method_not_allowed_lists_the_endpoint_methods(interop_server):
    """A 405 from an endpoint path names the methods it serves in ``Allow`` (RFC 9110 15.5.6);
    the client cannot see headers, so this one is checked over plain HTTP."""
    request = urllib.request.Request(f"http://127.0.0.1:{interop_server.port}/orders/1", method="PATCH",
                                     headers={"X-Client-Key": interop_server.client_key})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    response = caught.value
    assert response.code == 405
    assert json.loads(response.read())["errors"][0]["code"] == "method_not_allowed"
    allowed = {method.strip() for method in response.headers.get("Allow", "").split(",")}
    assert {"GET", "POST", "PUT", "DELETE"} <= allowed, response.headers.get("Allow")
