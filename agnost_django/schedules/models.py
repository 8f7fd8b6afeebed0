"""A row per registered task (its schedule, editable in the admin) and one per run."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from agnost_django.core.jobs import JobRun


class ScheduledTask(models.Model):
    name = models.CharField(_("task"), max_length=150, unique=True)
    cron = models.CharField(_("cron"), max_length=100, blank=True,
                            help_text=_("Five fields, in the server's TIME_ZONE; empty: only run when triggered."))
    enabled = models.BooleanField(_("enabled"), default=True)
    code_cron = models.CharField(_("cron in the code"), max_length=100, blank=True, editable=False)
    code_enabled = models.BooleanField(_("enabled in the code"), default=True, editable=False)
    running_run = models.UUIDField(_("running run"), null=True, blank=True, editable=False)
    running_until = models.DateTimeField(_("lock held until"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("scheduled task")
        verbose_name_plural = _("scheduled tasks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from agnost_django.schedules.registry import tasks, valid_cron

        if self.name not in tasks:
            raise ValidationError({"name": _("No task with this name is registered in the code.")})
        if self.cron and not valid_cron(self.cron):
            raise ValidationError({"cron": _("Not a five-field cron expression.")})


class TaskRun(JobRun):
    noun = "task"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("schedule")
        SERVER = "server", _("server code")
        CLIENT = "client", _("client")
        ADMIN = "admin", _("admin")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_name = models.CharField(_("task"), max_length=150, db_index=True)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    triggered_at = models.DateTimeField(_("triggered"), auto_now_add=True)

    class Meta:
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")
        ordering = ["-triggered_at"]

    def __str__(self) -> str:
        return f"{self.task_name} {self.triggered_at:%Y-%m-%d %H:%M:%S}"
