"""Submitting, running, retrying and recovering messages.

Delivery is at least once: a message is run until an attempt completes or its attempts are
used up. The row is claimed by the worker that runs it (``status`` pending -> processing, for
one ``delivery`` number), and every way to lose a run puts it back: the handler raises (retried
with back-off), django-q2 stops it at its timeout or the worker dies (another worker's
dispatcher sees the dead process, or the lease runs out on another machine), or the broker loses
the task (dispatched again after ``REDISPATCH_AFTER``). The last failure leaves the message in
``errors`` (the dead letter); the admin can requeue it.

Worker leases and the recovery of lost runs are core's (:mod:`agnost_django.core.workers`):
this module tells it how a lost message is put back (:func:`put_back_lost`) and what to hand
out again when a whole cluster dies (:func:`redispatch_taken`).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import uuid
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agnost_django.core.conf import core_settings
from agnost_django.core.exceptions import NotAllowed, error_item
from agnost_django.core.jobs import exception_item
from agnost_django.core.registry import NotRegistered
from agnost_django.core.wire import iso
from agnost_django.queues.conf import queues_settings
from agnost_django.queues.exceptions import (
    InvalidDelay,
    InvalidMessageId,
    MessageTooLarge,
    QueueErrorCode,
    QueueNotFound,
)
from agnost_django.queues.models import QueueMessage
from agnost_django.queues.registry import queues

logger = logging.getLogger("agnost_django.queues")
Status = QueueMessage.Status
RUNNER = "agnost_django.queues.services.run"


def get_queue(name: Any):
    if not isinstance(name, str) or not name:
        raise QueueNotFound(details={"queue": name if isinstance(name, str) else None})
    try:
        return queues.get(name)
    except NotRegistered:
        raise QueueNotFound(f"There is no queue {name!r}.", details={"queue": name}) from None


def submit(name: Any, message: Any = None, *, delay: Any = None, from_client: bool = False) -> QueueMessage:
    """Record a message and hand it to django-q2 when the current transaction commits."""
    entry = get_queue(name)
    if from_client and not entry.clients:
        raise NotAllowed(_("This queue does not accept messages from clients."), details={"queue": entry.name})
    if delay is None:
        delay = 0
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0 or delay > 366 * 86400:
        raise InvalidDelay(details={"delay": delay if isinstance(delay, (int, float, str)) else None})
    if len(json.dumps(message, default=str)) > queues_settings.MAX_PAYLOAD_SIZE:
        raise MessageTooLarge(details={"limit": queues_settings.MAX_PAYLOAD_SIZE})
    now = timezone.now()
    row = QueueMessage.objects.create(
        queue_name=entry.name, payload=message, delay=float(delay), max_attempts=entry.retries + 1,
        run_after=now + datetime.timedelta(seconds=float(delay)),
    )
    if not delay:
        transaction.on_commit(lambda: dispatch(row.pk, row.delivery))
    return row


def dispatch(message_id: uuid.UUID, delivery: int) -> bool:
    """Hand one delivery of a message to django-q2, once (a conditional UPDATE claims it)."""
    from django_q.tasks import async_task

    claimed = QueueMessage.objects.filter(pk=message_id, delivery=delivery, status=Status.PENDING,
                                          dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    if not claimed:
        return False
    row = QueueMessage.objects.only("queue_name").get(pk=message_id)
    try:
        timeout = queues.get(row.queue_name).timeout
    except NotRegistered:
        timeout = None
    async_task(RUNNER, str(message_id), delivery, task_name=f"agnost-queue:{row.queue_name}", group=row.queue_name,
               timeout=timeout, ack_failure=True, broker=broker())
    return True


_brokers: dict[int, Any] = {}


def broker():
    """This process's django-q2 broker (django-q2 would build one, and a Redis connection,
    per task)."""
    from django_q.brokers import get_broker

    pid = os.getpid()
    if pid not in _brokers:
        _brokers.clear()
        _brokers[pid] = get_broker()
    return _brokers[pid]


def message_info(message_id: Any) -> QueueMessage | None:
    """The message, or ``None`` for an id that no message has (any more)."""
    try:
        pk = uuid.UUID(str(message_id))
    except ValueError:
        raise InvalidMessageId(details={"messageId": str(message_id)[:100]}) from None
    return QueueMessage.objects.filter(pk=pk).first()


def run(message_id: str, delivery: int) -> None:
    """The django-q2 task: run one delivery of a message. Never raises: django-q2 must not
    redeliver on its own (its retries would loop forever with the default settings)."""
    row = QueueMessage.objects.filter(pk=message_id, delivery=delivery, status=Status.PENDING).first()
    if row is None:
        return  # a duplicate or stale delivery: someone else has it, or it is done
    try:
        entry = queues.get(row.queue_name)
    except NotRegistered:
        entry = None
    lease = (entry.timeout if entry else 60) + core_settings.JOB_LEASE_GRACE
    # Only a claim or a requeue changes attempts, and a requeue changes the delivery, so the
    # row read above is still current once the claim succeeds.
    if not QueueMessage.claim(row.pk, lease=lease, match={"delivery": delivery}, attempts=F("attempts") + 1):
        return  # another worker claimed this delivery first
    row.status, row.attempts = Status.PROCESSING, row.attempts + 1
    if entry is None:
        _failed(row, error_item(500, QueueErrorCode.QUEUE_NOT_FOUND.value,
                                f"No handler is registered for the queue {row.queue_name!r}."), final=True)
        return
    started = timezone.now()
    try:
        entry.obj(row.payload)
    except Exception as exc:  # noqa: BLE001 - recorded, then retried or dead-lettered
        logger.exception("queue %s: message %s failed (attempt %d of %d)", row.queue_name, row.pk,
                         row.attempts, row.max_attempts)
        _failed(row, exception_item(exc, QueueErrorCode.QUEUE_EXECUTION_ERROR.value, attempt=row.attempts))
        return
    done = row.finish(match={"delivery": delivery})
    if entry.log_execution:
        logger.info("queue %s: message %s completed in %.3f s%s", row.queue_name, row.pk,
                    (timezone.now() - started).total_seconds(), "" if done else " (after it was recovered)")


def _failed(row: QueueMessage, item: dict[str, Any], *, final: bool = False) -> bool:
    """Record a failed attempt of ``row`` (still processing its current delivery): retry later
    or dead-letter. False when the row has moved on meanwhile (completed, recovered)."""
    match = {"delivery": row.delivery}
    if final or row.attempts >= row.max_attempts:
        return row.fail(item, match=match)
    try:
        backoff = queues.get(row.queue_name).backoff
    except NotRegistered:
        backoff = 0
    wait = min(backoff * 2 ** (row.attempts - 1), 3600)
    return row.fail(item, match=match, retry={
        "delivery": F("delivery") + 1, "dispatched_at": None,
        "run_after": timezone.now() + datetime.timedelta(seconds=wait)})


def dispatch_due(limit: int = 100) -> int:
    """Hand due messages to django-q2: delayed ones whose time has come, retries after their
    back-off, and any the broker lost."""
    now = timezone.now()
    lost = now - datetime.timedelta(seconds=queues_settings.REDISPATCH_AFTER)
    due = QueueMessage.objects.filter(status=Status.PENDING, run_after__lte=now).filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=lost)).order_by("run_after").values_list(
        "pk", "delivery", "dispatched_at")[:limit]
    count = 0
    for pk, delivery, dispatched_at in list(due):
        if dispatched_at is not None:  # the broker lost it: a new delivery number
            if not QueueMessage.objects.filter(pk=pk, delivery=delivery, dispatched_at=dispatched_at).update(
                    delivery=F("delivery") + 1, dispatched_at=None):
                continue
            delivery += 1
        count += dispatch(pk, delivery)
    return count


# -- recovery (called by core's worker loop) ---------------------------------------------------

def put_back_lost(row: QueueMessage) -> bool:
    """A message whose worker stopped: a failed attempt (retried, or dead-lettered)."""
    return _failed(row, row.lost_item(attempt=row.attempts))


def redispatch_taken(now: datetime.datetime) -> int:
    """Dead clusters may have taken messages from the broker: every message handed to the
    broker and not yet claimed gets a new delivery and is handed out again."""
    return QueueMessage.objects.filter(status=Status.PENDING, dispatched_at__isnull=False,
                                       dispatched_at__lte=now).update(delivery=F("delivery") + 1, dispatched_at=None)


def requeue(row: QueueMessage) -> bool:
    """Give a dead-lettered (or completed) message a fresh set of attempts, now."""
    updated = QueueMessage.objects.filter(pk=row.pk, status__in=[Status.ERRORS, Status.COMPLETED]).update(
        status=Status.PENDING, attempts=0, delivery=F("delivery") + 1, dispatched_at=None, lease_until=None,
        run_after=timezone.now(), started_at=None, completed_at=None)
    if updated:
        row.refresh_from_db()
        transaction.on_commit(lambda: dispatch(row.pk, row.delivery))
    return bool(updated)


def purge(days: int | None = None) -> int:
    days = queues_settings.RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    count, _ = QueueMessage.objects.filter(status__in=[Status.COMPLETED, Status.ERRORS],
                                           submitted_at__lt=cutoff).delete()
    return count


def info_json(row: QueueMessage | None) -> dict[str, Any] | None:
    """The client's MessageInfo."""
    if row is None:
        return None
    return {
        "messageId": str(row.pk), "queueId": row.queue_name, "queueName": row.queue_name,
        "submittedAt": iso(row.submitted_at), "startedAt": iso(row.started_at),
        "completedAt": iso(row.completed_at), "status": row.status, "errors": row.errors or None,
        "attempts": row.attempts, "delay": row.delay,
    }
