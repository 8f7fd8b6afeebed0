"""Worker leases, recovery of lost runs, and the loop in every django-q2 worker process.

**Leases.** Every worker process beats a :class:`~agnost_django.core.models.Worker` row every
``WORKER_HEARTBEAT_INTERVAL`` seconds. A worker silent for ``WORKER_LEASE`` seconds, or whose
process is gone on this machine, is dead: the runs it claimed (of every model registered with
:func:`agnost_django.core.jobs.register`) are recovered at once, as is a run past its own
``lease_until``. A django-q2 cluster takes tasks from the broker before a worker claims them
(its pusher keeps up to ``queue_limit`` in memory), and a killed cluster takes them along; so
when no worker of a cluster is left alive, each registered model hands out again the pending
runs it had handed to the broker. Those still in the broker or in a live cluster's hands then
arrive twice, and the older delivery does nothing (claims are conditional).

**The loop.** A thread in each worker process (started at django-q2's ``post_spawn``) beats
the lease, recovers every ``WORKER_RECOVERY_INTERVAL`` seconds and runs the apps' periodic
work (:func:`agnost_django.core.jobs.every`).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time

from django.db import close_old_connections, transaction
from django.utils import timezone

from agnost_django.core import jobs
from agnost_django.core.conf import core_settings
from agnost_django.core.jobs import JobStatus, worker_id
from agnost_django.core.models import Worker
from agnost_django.core.signals import workers_lost

logger = logging.getLogger("agnost_django.workers")

_beats: dict[int, datetime.datetime] = {}  # this process's row: pid -> its started_at


def _cluster_id() -> str:
    return f"{socket.gethostname()}:{os.getppid()}"


def heartbeat() -> None:
    """Refresh this worker process's lease (creating its row on the first beat, or again if
    it was taken for dead meanwhile)."""
    now = timezone.now()
    started = _beats.get(os.getpid())
    if started is not None and Worker.objects.filter(pk=worker_id(), started_at=started).update(beat_at=now):
        return
    Worker.objects.update_or_create(pk=worker_id(), defaults={
        "cluster": _cluster_id(), "started_at": now, "beat_at": now})
    _beats.clear()
    _beats[os.getpid()] = now


def worker_stopped() -> None:
    """A worker leaving cleanly (django-q2 stopping or recycling it) ends its lease: it holds
    nothing, and its cluster is not mistaken for a dead one."""
    started = _beats.pop(os.getpid(), None)
    if started is not None:
        Worker.objects.filter(pk=worker_id(), started_at=started).delete()


def recover() -> int:
    """Recover the runs of dead workers and clusters, and runs past their lease (see the
    module docstring); returns how many runs were recovered."""
    now = timezone.now()
    host = socket.gethostname()
    expired = now - datetime.timedelta(seconds=core_settings.WORKER_LEASE)
    workers = {worker.pk: worker for worker in Worker.objects.all()}
    dead = {pk: worker for pk, worker in workers.items() if worker.beat_at < expired or _dead_here(pk, host)}
    recovered = 0
    for kind in list(jobs.kinds.values()):
        for row in kind.model._default_manager.filter(status=JobStatus.PROCESSING):
            worker = workers.get(row.worker)
            if not (row.worker in dead
                    or (worker is not None and row.started_at and worker.started_at > row.started_at)  # pid reused
                    or (worker is None and _dead_here(row.worker, host))  # a worker without a lease
                    or (row.lease_until and row.lease_until < now)):
                continue
            if kind.lost(row):  # unless it completed meanwhile
                recovered += 1
                logger.warning("%s %s recovered from lost worker %s", kind.model._meta.verbose_name, row.pk,
                               row.worker)
    if not dead:
        return recovered
    alive = {worker.cluster for pk, worker in workers.items() if pk not in dead}
    with transaction.atomic():
        # Whoever deletes a dead worker's row acts on its death, once.
        buried = [pk for pk, worker in dead.items() if Worker.objects.filter(
            pk=pk, started_at=worker.started_at, beat_at=worker.beat_at).delete()[0]]
        clusters = sorted({dead[pk].cluster for pk in buried} - alive)
        if clusters:
            for kind in list(jobs.kinds.values()):
                if kind.clusters_lost is not None:
                    count = kind.clusters_lost(now)
                    recovered += count
                    logger.warning("cluster(s) %s stopped; %d waiting %s handed out again", ", ".join(clusters),
                                   count, kind.model._meta.verbose_name_plural)
    if buried:
        for receiver, error in workers_lost.send_robust(sender=Worker, workers=buried, clusters=clusters):
            if isinstance(error, Exception):
                logger.error("workers_lost receiver %r failed", receiver, exc_info=error)
    return recovered


def _dead_here(worker: str, host: str) -> bool:
    """A worker id (``host:pid``) of this machine whose process is gone."""
    worker_host, _sep, pid = worker.rpartition(":")
    return worker_host == host and pid.isdigit() and not _alive(int(pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- the loop ---------------------------------------------------------------------------------

_started = threading.Event()


def start(**kwargs) -> None:
    """Connected to django-q2's ``post_spawn``: start the loop in this worker process (not
    when django-q2 runs a task synchronously in the calling process)."""
    from multiprocessing import current_process
    from multiprocessing.util import Finalize

    from django_q.conf import Conf

    if _started.is_set() or Conf.SYNC or current_process().name == "MainProcess":
        return
    _started.set()
    try:  # the lease exists before this worker claims anything
        heartbeat()
    except Exception:  # noqa: BLE001 - the loop beats again; the worker must start anyway
        logger.exception("worker heartbeat")
    finally:
        close_old_connections()
    # Run when the worker returns (django-q2 stopping or recycling it), not when it is killed.
    Finalize(None, _stopped, exitpriority=10)
    threading.Thread(target=loop, name="agnost-worker-loop", daemon=True).start()


def _stopped() -> None:
    try:
        worker_stopped()
    except Exception:  # noqa: BLE001 - the lease then runs out instead
        logger.exception("worker stop")


def loop() -> None:
    last_beat = last_recovery = 0.0
    last_run = {name: 0.0 for name in jobs.periodic}
    while True:
        now = time.monotonic()
        try:
            if now - last_beat >= core_settings.WORKER_HEARTBEAT_INTERVAL:
                heartbeat()
                last_beat = now  # a failed beat is tried again on the next turn
            if now - last_recovery >= core_settings.WORKER_RECOVERY_INTERVAL:
                last_recovery = now
                recover()
        except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
            logger.exception("worker loop")
        for name, job in list(jobs.periodic.items()):
            if now - last_run.get(name, 0.0) < job.interval():
                continue
            last_run[name] = now
            try:
                job.func()
            except Exception:  # noqa: BLE001 - one app's failure must not stop the others'
                logger.exception("worker loop: %s", name)
        close_old_connections()
        time.sleep(_tick())


def _tick() -> float:
    intervals = [job.interval() for job in jobs.periodic.values()]
    return max(0.05, min([core_settings.WORKER_RECOVERY_INTERVAL, *intervals]))
