"""Tasks: schedules synced from code without losing admin edits, runs through REST, the
server library and the admin, history rows, and non-overlapping runs."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django_q.models import Schedule

from agnost_django import agnost
from agnost_django.schedules import services
from agnost_django.schedules.models import ScheduledTask, TaskRun
from agnost_django.schedules.registry import tasks

API = "/_api/rest/v1/task"
pytestmark = pytest.mark.django_db


@pytest.fixture
def trace(tmp_path, monkeypatch):
    path = tmp_path / "tasks.log"
    monkeypatch.setenv("AGNOST_TEST_TASK_LOG", str(path))
    return lambda: [__import__("json").loads(line)["event"] for line in path.read_text().splitlines()] \
        if path.exists() else []


def test_schedules_follow_the_code_but_keep_admin_edits():
    services.sync_all()
    row = ScheduledTask.objects.get(name="report")
    assert (row.cron, row.enabled) == ("0 2 * * *", True)
    schedule = Schedule.objects.get(name="agnost:report")
    assert schedule.cron == "0 2 * * *" and schedule.func == "agnost_django.schedules.services.scheduled"
    assert not Schedule.objects.filter(name="agnost:exclusive").exists()  # no cron: triggered only
    # An admin edit survives a sync, even when the code's cron changes.
    ScheduledTask.objects.filter(name="report").update(cron="*/5 * * * *")
    entry = tasks.get("report")
    original = entry.options["cron"]
    entry.options["cron"] = "0 3 * * *"
    try:
        services.sync_all()
        row.refresh_from_db()
        assert row.cron == "*/5 * * * *" and row.code_cron == "0 3 * * *"
        services.sync_schedule(row)
        assert Schedule.objects.get(name="agnost:report").cron == "*/5 * * * *"
        # Set back to the code's value, the row follows the code again.
        ScheduledTask.objects.filter(name="report").update(cron="0 3 * * *")
        entry.options["cron"] = "0 4 * * *"
        services.sync_all()
        row.refresh_from_db()
        assert row.cron == "0 4 * * *"
    finally:
        entry.options["cron"] = original


def test_admin_edits_are_validated_and_synced(admin_client):
    services.sync_all()
    row = ScheduledTask.objects.get(name="report")
    url = f"/admin/agnost_schedules/scheduledtask/{row.pk}/change/"
    response = admin_client.post(url, {"cron": "not a cron", "enabled": "on"})
    assert response.status_code == 200 and "cron expression" in response.content.decode()
    response = admin_client.post(url, {"cron": "15 * * * *"})  # enabled unchecked
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.cron, row.enabled) == ("15 * * * *", False)
    assert not Schedule.objects.filter(name="agnost:report").exists()
    admin_client.post(url, {"cron": "15 * * * *", "enabled": "on"})
    assert Schedule.objects.get(name="agnost:report").cron == "15 * * * *"
    assert admin_client.get("/admin/agnost_schedules/taskrun/").status_code == 200


def test_run_once_through_rest(agnost_client, trace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = agnost_client.post(API, {"taskNameOrId": "report"}, format="json")
    assert response.status_code == 200, response.json()
    info = response.json()
    assert info["status"] == "pending" and info["scheduledTaskName"] == "report"
    assert {"taskId", "scheduledTaskId", "triggeredAt", "startedAt", "completedAt", "errors"} <= set(info)
    assert trace() == ["report"]
    done = agnost_client.get(f"{API}/{info['taskId']}").json()
    assert done["status"] == "completed" and done["startedAt"] and done["completedAt"]


def test_documented_errors(agnost_client, django_capture_on_commit_callbacks):
    response = agnost_client.post(API, {"taskNameOrId": "nope"}, format="json")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "task_not_found"
    response = agnost_client.post(API, {"taskNameOrId": "internal"}, format="json")
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "not_allowed"
    assert agnost_client.get(f"{API}/bad").json()["errors"][0]["code"] == "invalid_task_id"
    assert agnost_client.get(f"{API}/7a1b3c9e-2d4f-4c6b-8a9e-0f1e2d3c4b5a").json() is None
    with django_capture_on_commit_callbacks(execute=True):
        info = agnost.task("broken").run().unwrap()
    run = agnost.task("broken").get_task_status(info["taskId"]).unwrap()
    assert run["status"] == "errors" and run["errors"][0]["code"] == "task_execution_error"
    assert agnost.task("nope").run().errors.items[0].code == "task_not_found"


def test_scheduled_runs_and_the_run_now_action(admin_client, trace, django_capture_on_commit_callbacks):
    services.scheduled("report")  # what django-q2's Schedule calls
    assert TaskRun.objects.get().trigger == "schedule" and trace() == ["report"]
    services.sync_all()
    row = ScheduledTask.objects.get(name="internal")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/agnost_schedules/scheduledtask/", {"action": "run_now", "_selected_action": [row.pk]})
    assert trace() == ["report", "internal"]
    assert TaskRun.objects.filter(trigger="admin", status="completed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_non_overlapping_task_never_runs_twice_at_once(trace, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite database is private to one connection; the services pass runs this")
    monkeypatch.setenv("AGNOST_TEST_TASK_SLEEP", "1")
    runs = [TaskRun.objects.create(task_name="exclusive", trigger="server") for _ in range(4)]
    barrier = threading.Barrier(4)

    def execute(run):
        try:
            barrier.wait()
            services.execute(str(run.pk))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(execute, runs))
    statuses = sorted(TaskRun.objects.values_list("status", flat=True))
    assert statuses == ["completed", "errors", "errors", "errors"]
    refused = TaskRun.objects.filter(status="errors").first()
    assert refused.errors[0]["code"] == "task_already_running"
    assert trace() == ["exclusive-start", "exclusive-done"]
    assert ScheduledTask.objects.get(name="exclusive").running_run is None  # the lock is released
