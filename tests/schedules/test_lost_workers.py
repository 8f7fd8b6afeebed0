"""Issue #14: a run whose worker died does not stay "processing": the queues module's worker
leases find the death, and the run ends in ``errors`` (``worker_lost``) with its
``overlap=False`` lock released; runs a dead cluster may have taken from the broker are
handed to django-q2 again (run once: the claim is conditional)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from agnost_django.queues import services as queue_services
from agnost_django.queues.models import QueueWorker
from agnost_django.schedules import services
from agnost_django.schedules.models import ScheduledTask, TaskRun

pytestmark = pytest.mark.django_db
DEAD = "another-machine.example:77"


@pytest.fixture
def trace(tmp_path, monkeypatch):
    path = tmp_path / "tasks.log"
    monkeypatch.setenv("AGNOST_TEST_TASK_LOG", str(path))
    return lambda: [json.loads(line)["event"] for line in path.read_text().splitlines()] if path.exists() else []


def dead_worker() -> None:
    long_ago = timezone.now() - datetime.timedelta(minutes=1)
    QueueWorker.objects.create(pk=DEAD, cluster="another-machine.example:1", started_at=long_ago, beat_at=long_ago)


def test_a_run_of_a_dead_worker_ends_and_releases_its_lock(trace):
    run = TaskRun.objects.create(task_name="exclusive", trigger="server")
    TaskRun.objects.filter(pk=run.pk).update(status="processing", worker=DEAD, started_at=timezone.now())
    services.sync_all()
    ScheduledTask.objects.filter(name="exclusive").update(
        running_run=run.pk, running_until=timezone.now() + datetime.timedelta(minutes=10))
    dead_worker()
    queue_services.recover()
    run.refresh_from_db()
    assert run.status == "errors" and run.completed_at is not None
    assert run.errors[0]["code"] == "worker_lost" and run.errors[0]["details"] == {"worker": DEAD}
    assert ScheduledTask.objects.get(name="exclusive").running_run is None
    again = services.trigger("exclusive", by="server")  # not task_already_running
    services.execute(str(again.pk))
    assert TaskRun.objects.get(pk=again.pk).status == "completed"
    assert trace() == ["exclusive-start", "exclusive-done"]


def test_pending_runs_are_handed_out_again_when_a_cluster_dies(trace, django_capture_on_commit_callbacks):
    run = TaskRun.objects.create(task_name="exclusive", trigger="client")  # handed over, then lost with the cluster
    dead_worker()
    with django_capture_on_commit_callbacks(execute=True):
        queue_services.recover()
    assert TaskRun.objects.get(pk=run.pk).status == "completed"
    services.execute(str(run.pk))  # its first delivery, arriving after all: nothing
    assert trace() == ["exclusive-start", "exclusive-done"]
