"""``QueueMessage``: the tracking row of every message, and the source of truth of delivery.

django-q2 carries only ``(message id, delivery number)``; a worker claims the row with a
conditional UPDATE (core's run engine, :mod:`agnost_django.core.jobs`), so a stale or
duplicate delivery does nothing. ``delivery`` grows each time the message is handed to the
broker again (a retry, a lost worker)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from agnost_django.core.jobs import JobRun


class QueueMessage(JobRun):
    noun = "message"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    queue_name = models.CharField(_("queue"), max_length=150, db_index=True)
    payload = models.JSONField(_("message"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("most attempts"), default=1)
    delivery = models.PositiveIntegerField(_("delivery"), default=1)
    delay = models.FloatField(_("delay (s)"), default=0)
    run_after = models.DateTimeField(_("run after"))
    dispatched_at = models.DateTimeField(_("handed to the broker"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

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
