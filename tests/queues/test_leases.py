"""Issue #14: the messages of a dead worker or cluster run again within seconds. Every worker
process beats a lease (core's ``Worker``); ``recover()`` (each worker's loop, every 2 s)
puts back what dead workers held, and, once a whole cluster is dead, hands out again the
messages it had taken from the broker. In-process here (django-q2 runs tasks synchronously in
the test settings); ``test_worker.py`` kills real clusters."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from agnost_django import agnost
from agnost_django.core import workers
from agnost_django.core.models import Worker
from agnost_django.queues import services
from agnost_django.queues.models import QueueMessage

pytestmark = pytest.mark.django_db
ELSEWHERE = "another-machine.example"  # workers on another host: only their leases tell


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def read(path):
    return [json.loads(line)["event"] for line in path.read_text().splitlines()] if path.exists() else []


def worker(pid: int, *, cluster: int = 1, silent_for: float = 0, started_ago: float = 60) -> Worker:
    now = timezone.now()
    return Worker.objects.create(
        pk=f"{ELSEWHERE}:{pid}", cluster=f"{ELSEWHERE}:{cluster}",
        started_at=now - datetime.timedelta(seconds=started_ago), beat_at=now - datetime.timedelta(seconds=silent_for))


def claimed(log, by: str, *, queue: str = "slow", started_ago: float = 5) -> QueueMessage:
    """A message a worker claimed and is running, with a lease far in the future."""
    row = QueueMessage.objects.create(queue_name=queue, payload={"log": str(log)}, max_attempts=3,
                                      run_after=timezone.now())
    now = timezone.now()
    QueueMessage.objects.filter(pk=row.pk).update(
        status="processing", attempts=1, worker=by, started_at=now - datetime.timedelta(seconds=started_ago),
        dispatched_at=now, lease_until=now + datetime.timedelta(minutes=10))
    return QueueMessage.objects.get(pk=row.pk)


def taken(log, index: int) -> QueueMessage:
    """A message handed to the broker (and perhaps taken from it), not claimed yet."""
    return QueueMessage.objects.create(queue_name="echo", payload={"log": str(log), "id": index},
                                       run_after=timezone.now(), dispatched_at=timezone.now())


def test_a_worker_silent_past_its_lease_loses_its_message(tmp_path, settings):
    settings.AGNOST_CORE_WORKER_LEASE = 10
    worker(11, silent_for=11)
    lost = claimed(tmp_path / "log", f"{ELSEWHERE}:11")
    worker(12, cluster=2, silent_for=2)
    kept = claimed(tmp_path / "log", f"{ELSEWHERE}:12")
    assert workers.recover() == 1
    lost.refresh_from_db()
    assert lost.status == "pending" and lost.delivery == 2 and lost.errors[0]["code"] == "worker_lost"
    assert QueueMessage.objects.get(pk=kept.pk).status == "processing"
    assert list(Worker.objects.values_list("pk", flat=True)) == [f"{ELSEWHERE}:12"]
    services.dispatch_due()  # the next worker runs it
    assert read(tmp_path / "log") == ["start", "done"]
    assert QueueMessage.objects.get(pk=lost.pk).status == "completed"


def test_a_later_process_with_the_same_pid_does_not_cover_a_dead_ones_message(tmp_path):
    worker(13, started_ago=1)  # beating, but started after the message was claimed
    row = claimed(tmp_path / "log", f"{ELSEWHERE}:13", started_ago=30)
    assert workers.recover() == 1
    assert QueueMessage.objects.get(pk=row.pk).status == "pending"


def test_a_dead_clusters_taken_messages_are_handed_out_again(tmp_path):
    log = tmp_path / "log"
    worker(21, cluster=7, silent_for=30)
    worker(22, cluster=7, silent_for=30)
    waiting = [taken(log, index) for index in range(3)]
    assert workers.recover() == 3
    for row in waiting:
        row.refresh_from_db()
        assert row.delivery == 2 and row.dispatched_at is None and row.status == "pending"
    services.run(str(waiting[0].pk), 1)  # the old delivery, if it still arrives, does nothing
    assert read(log) == []
    assert services.dispatch_due() == 3
    assert sorted(json.loads(line)["id"] for line in log.read_text().splitlines()) == [0, 1, 2]  # once each
    assert workers.recover() == 0 and not Worker.objects.exists()


def test_a_cluster_with_a_live_worker_keeps_its_messages(tmp_path):
    worker(31, cluster=8, silent_for=30)  # killed alone: django-q2 replaced it
    worker(32, cluster=8)
    waiting = taken(tmp_path / "log", 1)
    assert workers.recover() == 0
    assert QueueMessage.objects.get(pk=waiting.pk).delivery == 1
    assert list(Worker.objects.values_list("pk", flat=True)) == [f"{ELSEWHERE}:32"]


def test_a_death_is_acted_on_once(tmp_path):
    from agnost_django.core.signals import workers_lost

    seen = []

    def receiver(sender, workers, clusters, **kwargs):
        seen.append((workers, clusters))

    workers_lost.connect(receiver)
    try:
        worker(41, cluster=9, silent_for=30)
        taken(tmp_path / "log", 1)
        assert workers.recover() == 1
        assert workers.recover() == 0  # nothing left to act on, nothing handed out twice
    finally:
        workers_lost.disconnect(receiver)
    assert seen == [([f"{ELSEWHERE}:41"], [f"{ELSEWHERE}:9"])]


def test_heartbeat_and_clean_stop():
    import os
    import socket

    workers.heartbeat()
    row = Worker.objects.get()
    assert row.pk == f"{socket.gethostname()}:{os.getpid()}"
    assert row.cluster == f"{socket.gethostname()}:{os.getppid()}"
    workers.heartbeat()
    again = Worker.objects.get()
    assert again.started_at == row.started_at and again.beat_at > row.beat_at
    Worker.objects.all().delete()  # taken for dead (a long pause): the next beat starts a new lease
    workers.heartbeat()
    assert Worker.objects.get().started_at > row.started_at
    workers.worker_stopped()
    assert not Worker.objects.exists()


def test_a_message_run_here_keeps_the_old_rules(tmp_path, run_commits):
    """A worker without a lease row (django-q2 in sync mode, this test process) is judged by
    its process id on this machine and by the message's own lease."""
    with run_commits():
        info = agnost.queue("slow").submit_message({"log": str(tmp_path / "log")}, delay=60).unwrap()
    import os
    import socket

    QueueMessage.objects.filter(pk=info["messageId"]).update(
        status="processing", attempts=1, worker=f"{socket.gethostname()}:{os.getpid()}", started_at=timezone.now(),
        lease_until=timezone.now() + datetime.timedelta(minutes=5))
    assert workers.recover() == 0


def test_lease_check(settings):
    from agnost_django.core.checks import check_worker_leases

    assert check_worker_leases() == []
    settings.AGNOST_CORE_WORKER_LEASE = 5
    settings.AGNOST_CORE_WORKER_HEARTBEAT_INTERVAL = 3
    assert [problem.id for problem in check_worker_leases()] == ["agnost_core.E003"]
