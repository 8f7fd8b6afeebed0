"""``QueueMessage``: the tracking row of every message, and the source of truth of delivery.

django-q2 carries only ``(message id, delivery number)``; a worker claims the row with a
conditional UPDATE, so a stale or duplicate delivery does nothing. ``delivery`` grows each
time the message is handed to the broker again (a retry, a lost worker)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class QueueMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        PROCESSING = "processing", _("processing")
        COMPLETED = "completed", _("completed")
        ERRORS = "errors", _("errors (dead letter)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    queue_name = models.CharField(_("queue"), max_length=150, db_index=True)
    payload = models.JSONField(_("message"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("most attempts"), default=1)
    delivery = models.PositiveIntegerField(_("delivery"), default=1)
    delay = models.FloatField(_("delay (s)"), default=0)
    run_after = models.DateTimeField(_("run after"))
    dispatched_at = models.DateTimeField(_("handed to the broker"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    worker = models.CharField(_("worker (host:pid)"), max_length=200, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("queue message")
        verbose_name_plural = _("queue messages")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "run_after"], name="agnost_q_due_idx"),
            models.Index(fields=["status", "submitted_at"], name="agnost_q_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.queue_name} {self.pk}"


class QueueWorker(models.Model):
    """A django-q2 worker process that runs messages, as long as its heartbeat lasts.

    Each worker's dispatcher thread refreshes ``beat_at`` every
    ``AGNOST_QUEUES_HEARTBEAT_INTERVAL`` seconds. A worker silent for ``WORKER_LEASE`` seconds
    (or, on the same machine, whose process is gone) is dead: the messages it was running are
    put back, and once every worker of its cluster (``cluster``: the django-q2 sentinel, host and
    process id) is dead, the messages the cluster had taken from the broker but not started are
    handed to the broker again. A worker that exits cleanly removes its row."""

    id = models.CharField(_("worker (host:pid)"), max_length=200, primary_key=True)
    cluster = models.CharField(_("cluster (host:pid)"), max_length=200)
    started_at = models.DateTimeField(_("started"))
    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("queue worker")
        verbose_name_plural = _("queue workers")
        ordering = ["cluster", "id"]

    def __str__(self) -> str:
        return self.id
