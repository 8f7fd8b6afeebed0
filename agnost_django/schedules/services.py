"""Syncing schedules from the code, triggering runs, and running them.

**Re-sync rule.** Each registered task has a ``ScheduledTask`` row. The code's ``cron`` and
``enabled`` are copied into the row when it is created, and again at every sync *unless the
row was edited in the admin since* (its value differs from the code's value at the last
sync, kept in ``code_cron``/``code_enabled``). So an admin edit survives deploys until the
admin sets it back to the code's value. Every sync (``post_migrate``, ``manage.py
agnost_sync_schedules``, saving a row in the admin) makes django-q2's ``Schedule``
``agnost:<name>`` match the row: created or updated when enabled with a cron, deleted
otherwise.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agnost_django.core.conf import core_settings
from agnost_django.core.exceptions import NotAllowed, error_item
from agnost_django.core.jobs import exception_item
from agnost_django.core.registry import NotRegistered
from agnost_django.core.wire import iso
from agnost_django.schedules.exceptions import InvalidTaskId, TaskErrorCode, TaskNotFound
from agnost_django.schedules.models import ScheduledTask, TaskRun
from agnost_django.schedules.registry import tasks

logger = logging.getLogger("agnost_django.schedules")
Status = TaskRun.Status
PREFIX = "agnost:"


def task_timeouts() -> list[int]:
    """Every registered task's timeout in seconds (the queues module checks Q_CLUSTER against them)."""
    return [entry.timeout for entry in tasks]


def get_task(name: Any):
    if not isinstance(name, str) or not name:
        raise TaskNotFound(details={"task": name if isinstance(name, str) else None})
    try:
        return tasks.get(name)
    except NotRegistered:
        raise TaskNotFound(f"There is no task {name!r}.", details={"task": name}) from None


# -- schedules ------------------------------------------------------------------------------

def sync_all() -> None:
    """Rows and django-q2 schedules for every registered task; schedules of tasks no longer
    registered are removed (their rows and runs stay)."""
    from django_q.models import Schedule

    for entry in tasks:
        code_cron = entry.cron or ""
        row, created = ScheduledTask.objects.get_or_create(
            name=entry.name, defaults={"cron": code_cron, "enabled": entry.enabled, "code_cron": code_cron,
                                       "code_enabled": entry.enabled})
        if not created:
            if row.cron == row.code_cron:
                row.cron = code_cron
            if row.enabled == row.code_enabled:
                row.enabled = entry.enabled
            row.code_cron, row.code_enabled = code_cron, entry.enabled
            row.save()
        sync_schedule(row)
    Schedule.objects.filter(name__startswith=PREFIX).exclude(
        name__in=[PREFIX + name for name in tasks.names()]).delete()


def sync_schedule(row: ScheduledTask) -> None:
    from django_q.models import Schedule

    name = PREFIX + row.name
    if not (row.enabled and row.cron) or row.name not in tasks:
        Schedule.objects.filter(name=name).delete()
        return
    Schedule.objects.update_or_create(name=name, defaults={
        "func": "agnost_django.schedules.services.scheduled", "args": repr(row.name),
        "schedule_type": Schedule.CRON, "cron": row.cron, "repeats": -1,
    })


# -- runs -----------------------------------------------------------------------------------

def trigger(name: Any, *, by: str, from_client: bool = False) -> TaskRun:
    """A run of the task now, handed to django-q2 when the current transaction commits."""
    entry = get_task(name)
    if from_client and not entry.clients:
        raise NotAllowed(_("This task cannot be run by clients."), details={"task": entry.name})
    run = TaskRun.objects.create(task_name=entry.name, trigger=by)
    transaction.on_commit(lambda: _enqueue(run, entry))
    return run


def _enqueue(run: TaskRun, entry) -> None:
    from django_q.tasks import async_task

    async_task("agnost_django.schedules.services.execute", str(run.pk), task_name=f"agnost-task:{entry.name}",
               group=entry.name, timeout=entry.timeout, ack_failure=True)


def scheduled(name: str) -> None:
    """The django-q2 ``Schedule`` function: a run triggered by the schedule, run right here."""
    if name not in tasks:
        logger.warning("task %s is scheduled but not registered", name)
        return
    run = TaskRun.objects.create(task_name=name, trigger=TaskRun.Trigger.SCHEDULE)
    execute(str(run.pk))


def execute(run_id: str) -> None:
    """Run one TaskRun (once: the row is claimed, under a lease of the task's timeout plus
    ``AGNOST_CORE_JOB_LEASE_GRACE``). Never raises."""
    run = TaskRun.objects.filter(pk=run_id, status=Status.PENDING).first()
    if run is None:
        return
    entry = tasks.get(run.task_name) if run.task_name in tasks else None
    if not TaskRun.claim(run.pk, lease=(entry.timeout if entry else 60) + core_settings.JOB_LEASE_GRACE):
        return
    if entry is None:
        run.fail(error_item(500, TaskErrorCode.TASK_NOT_FOUND.value, f"No task {run.task_name!r} is registered."))
        return
    now = timezone.now()
    locked = False
    if not entry.overlap:
        until = now + datetime.timedelta(seconds=entry.timeout + 30)
        locked = bool(ScheduledTask.objects.filter(name=entry.name).filter(
            Q(running_run__isnull=True) | Q(running_until__lt=now)).update(running_run=run.pk, running_until=until))
        if not locked:
            ScheduledTask.objects.get_or_create(name=entry.name, defaults={"cron": entry.cron or "",
                                                                           "code_cron": entry.cron or ""})
            locked = bool(ScheduledTask.objects.filter(name=entry.name).filter(
                Q(running_run__isnull=True) | Q(running_until__lt=now)).update(running_run=run.pk,
                                                                               running_until=until))
        if not locked:
            run.fail(error_item(409, TaskErrorCode.TASK_ALREADY_RUNNING.value,
                                f"Another run of {entry.name!r} is in progress."))
            return
    try:
        entry.obj()
    except Exception as exc:  # noqa: BLE001 - recorded in the run
        logger.exception("task %s: run %s failed", entry.name, run.pk)
        run.fail(exception_item(exc, TaskErrorCode.TASK_EXECUTION_ERROR.value))
    else:
        run.finish()
        if entry.log_execution:
            logger.info("task %s: run %s completed", entry.name, run.pk)
    finally:
        if locked:
            ScheduledTask.objects.filter(name=entry.name, running_run=run.pk).update(running_run=None,
                                                                                     running_until=None)


# -- recovery (called by core's worker loop) ---------------------------------------------------

def end_lost_run(run: TaskRun) -> bool:
    """A run whose worker stopped (or that outlived its lease) ends in ``errors`` with
    ``worker_lost`` and releases its ``overlap=False`` lock; it is not run again (the next
    trigger runs the task)."""
    ended = run.fail(run.lost_item())
    ScheduledTask.objects.filter(running_run=run.pk).update(running_run=None, running_until=None)
    return ended


def requeue_pending(now: datetime.datetime) -> int:
    """Dead clusters may have taken pending runs from the broker: hand each to django-q2
    again; a run still waiting there then arrives twice, and only its first arrival runs it
    (the claim is conditional)."""
    count = 0
    for run in TaskRun.objects.filter(status=Status.PENDING, triggered_at__lte=now):
        if run.task_name in tasks:
            _enqueue(run, tasks.get(run.task_name))
            count += 1
    return count


def run_info(run_id: Any) -> TaskRun | None:
    try:
        pk = uuid.UUID(str(run_id))
    except ValueError:
        raise InvalidTaskId(details={"taskId": str(run_id)[:100]}) from None
    return TaskRun.objects.filter(pk=pk).first()


def info_json(run: TaskRun | None) -> dict[str, Any] | None:
    """The client's TaskInfo."""
    if run is None:
        return None
    return {
        "taskId": str(run.pk), "scheduledTaskId": run.task_name, "scheduledTaskName": run.task_name,
        "triggeredAt": iso(run.triggered_at), "startedAt": iso(run.started_at), "completedAt": iso(run.completed_at),
        "status": run.status, "errors": run.errors or None, "trigger": run.trigger,
    }


def purge(days: int = 30) -> int:
    count, _ = TaskRun.objects.filter(triggered_at__lt=timezone.now() - datetime.timedelta(days=days)).delete()
    return count
