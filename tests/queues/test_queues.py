"""Queues through REST and the server library, run in-process (the test settings run
django-q2 tasks synchronously): statuses, retries with back-off, dead letters, requeue,
recovery of a lost worker's message, delays."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from agnost_django import agnost
from agnost_django.core import workers
from agnost_django.queues import services
from agnost_django.queues.models import QueueMessage

API = "/_api/rest/v1/queue"
pytestmark = pytest.mark.django_db


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the hand-over to django-q2) of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def read(path):
    import json

    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_submit_and_complete_through_rest(agnost_client, tmp_path, run_commits):
    log = tmp_path / "log"
    with run_commits():
        response = agnost_client.post(API, {"queueNameOrId": "echo", "message": {"log": str(log), "id": 1}},
                                      format="json")
    assert response.status_code == 200, response.json()
    info = response.json()
    assert info["status"] == "pending" and info["queueName"] == "echo" and info["queueId"] == "echo"
    assert {"messageId", "submittedAt", "startedAt", "completedAt", "errors"} <= set(info)
    assert [entry["event"] for entry in read(log)] == ["done"]
    status = agnost_client.get(f"{API}/{info['messageId']}").json()
    assert status["status"] == "completed" and status["startedAt"] and status["completedAt"]


def test_documented_errors(agnost_client):
    response = agnost_client.post(API, {"queueNameOrId": "nope", "message": 1}, format="json")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "queue_not_found"
    response = agnost_client.post(API, {"queueNameOrId": "server-only", "message": 1}, format="json")
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "not_allowed"
    response = agnost_client.post(API, {"queueNameOrId": "echo", "delay": -1}, format="json")
    assert response.json()["errors"][0]["code"] == "invalid_delay"
    response = agnost_client.get(f"{API}/not-an-id")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "invalid_message_id"
    response = agnost_client.get(f"{API}/7a1b3c9e-2d4f-4c6b-8a9e-0f1e2d3c4b5a")
    assert response.status_code == 200 and response.json() is None  # unknown or purged: null (spec 3.6)
    assert QueueMessage.objects.count() == 0


def test_failing_handler_is_retried_then_dead_lettered_and_requeued(tmp_path, run_commits, settings):
    log = tmp_path / "log"
    with run_commits():
        info = agnost.queue("failing").submit_message({"log": str(log)}).unwrap()
    row = QueueMessage.objects.get(pk=info["messageId"])
    assert row.status == "pending" and row.attempts == 1 and len(row.errors) == 1
    assert row.errors[0]["code"] == "queue_execution_error" and "always fails" in row.errors[0]["message"]
    assert row.run_after > timezone.now()  # back-off before the retry
    for _attempt in range(2):  # the dispatcher hands retries over when they are due
        QueueMessage.objects.filter(pk=row.pk).update(run_after=timezone.now())
        services.dispatch_due()
    row.refresh_from_db()
    assert row.status == "errors" and row.attempts == 3 and len(row.errors) == 3
    assert len(read(log)) == 3
    services.dispatch_due()  # a dead letter is never run again on its own
    assert len(read(log)) == 3
    with run_commits():
        assert services.requeue(row)
    row.refresh_from_db()
    assert row.attempts == 1 and len(read(log)) == 4


def test_requeue_from_the_admin(admin_client, tmp_path, run_commits):
    with run_commits():
        info = agnost.queue("failing").submit_message({"log": str(tmp_path / "log")}).unwrap()
    QueueMessage.objects.filter(pk=info["messageId"]).update(status="errors")
    with run_commits():
        response = admin_client.post("/admin/agnost_queues/queuemessage/",
                                     {"action": "requeue", "_selected_action": [info["messageId"]]})
    assert response.status_code == 302
    assert QueueMessage.objects.get(pk=info["messageId"]).attempts == 1
    assert admin_client.get("/admin/agnost_queues/queuemessage/").status_code == 200
    assert admin_client.get(f"/admin/agnost_queues/queuemessage/{info['messageId']}/change/").status_code == 200


def test_delayed_message_waits_for_its_time(tmp_path, run_commits):
    log = tmp_path / "log"
    with run_commits():
        info = agnost.queue("echo").submit_message({"log": str(log)}, delay=30).unwrap()
    assert services.dispatch_due() == 0 and read(log) == []
    QueueMessage.objects.filter(pk=info["messageId"]).update(run_after=timezone.now())
    assert services.dispatch_due() == 1
    assert len(read(log)) == 1
    assert agnost.queue("echo").get_message_status(info["messageId"]).data["status"] == "completed"


def test_a_lost_workers_message_runs_again(tmp_path, run_commits):
    log = tmp_path / "log"
    with run_commits():
        info = agnost.queue("slow").submit_message({"log": str(log)}, delay=60).unwrap()
    # A worker on this machine claimed it and died: its process id no longer exists.
    QueueMessage.objects.filter(pk=info["messageId"]).update(
        status="processing", attempts=1, worker=f"{__import__('socket').gethostname()}:999999999",
        lease_until=timezone.now() + datetime.timedelta(minutes=5), run_after=timezone.now())
    assert workers.recover() == 1
    row = QueueMessage.objects.get(pk=info["messageId"])
    assert row.status == "pending" and row.errors[0]["code"] == "worker_lost" and row.delivery == 2
    services.dispatch_due()
    assert [entry["event"] for entry in read(log)] == ["start", "done"]
    assert QueueMessage.objects.get(pk=info["messageId"]).status == "completed"


def test_stale_deliveries_do_nothing(tmp_path, run_commits):
    log = tmp_path / "log"
    with run_commits():
        info = agnost.queue("echo").submit_message({"log": str(log)}).unwrap()
    services.run(info["messageId"], 1)  # the broker delivering the same task again
    services.run(info["messageId"], 7)
    assert len(read(log)) == 1


def test_rollback_sends_nothing(tmp_path, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                agnost.queue("echo").submit_message({"log": str(tmp_path / "log")})
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and QueueMessage.objects.count() == 0


def test_server_library_errors():
    result = agnost.queue("nope").submit_message(1)
    assert result.errors.items[0].code == "queue_not_found"
    assert agnost.queue("echo").get_message_status("x").errors.items[0].code == "invalid_message_id"
