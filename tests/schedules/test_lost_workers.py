"""Issue #14: a run whose worker died does not stay "processing": core's worker leases find
the death (or the run's own lease runs out), and the run ends in ``errors`` (``worker_lost``) with its
``overlap=False`` lock released; runs a dead cluster may have taken from the broker are
handed to django-q2 again (run once: the claim is conditional)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from agnost_django.core import workers
from agnost_django.core.models import Worker
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
    Worker.objects.create(pk=DEAD, cluster="another-machine.example:1", started_at=long_ago, beat_at=long_ago)


def test_a_run_of_a_dead_worker_ends_and_releases_its_lock(trace):
    run = TaskRun.objects.create(task_name="exclusive", trigger="server")
    TaskRun.objects.filter(pk=run.pk).update(status="processing", worker=DEAD, started_at=timezone.now())
    services.sync_all()
    ScheduledTask.objects.filter(name="exclusive").update(
        running_run=run.pk, running_until=timezone.now() + datetime.timedelta(minutes=10))
    dead_worker()
    workers.recover()
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
        workers.recover()
    assert TaskRun.objects.get(pk=run.pk).status == "completed"
    services.execute(str(run.pk))  # its first delivery, arriving after all: nothing
    assert trace() == ["exclusive-start", "exclusive-done"]


def test_a_run_past_its_lease_ends_although_its_worker_beats(trace):
    """Stuck past django-q2's timeout: its worker is alive, but the run's lease (the task's
    timeout plus AGNOST_CORE_JOB_LEASE_GRACE) ran out."""
    alive = "another-machine.example:78"
    now = timezone.now()
    Worker.objects.create(pk=alive, cluster="another-machine.example:2", started_at=now - datetime.timedelta(hours=1),
                          beat_at=now)
    stuck = TaskRun.objects.create(task_name="exclusive", trigger="server")
    running = TaskRun.objects.create(task_name="exclusive", trigger="server")
    TaskRun.objects.filter(pk=stuck.pk).update(status="processing", worker=alive, started_at=now,
                                               lease_until=now - datetime.timedelta(seconds=1))
    TaskRun.objects.filter(pk=running.pk).update(status="processing", worker=alive, started_at=now,
                                                 lease_until=now + datetime.timedelta(minutes=5))
    assert workers.recover() == 1
    stuck.refresh_from_db()
    assert stuck.status == "errors" and stuck.errors[0]["code"] == "worker_lost"
    assert TaskRun.objects.get(pk=running.pk).status == "processing"
    assert Worker.objects.filter(pk=alive).exists()

