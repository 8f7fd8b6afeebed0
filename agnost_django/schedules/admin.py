"""Tasks in the admin: edit a task's cron and enabled flag (validated, synced to django-q2
at once), see its next run, run it now; runs are read-only history. django-q2's own
"Scheduled tasks" page is hidden (its agnost rows are these tasks) unless
``AGNOST_SCHEDULES_DJANGO_Q_ADMIN`` is true."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_q.models import Schedule

from agnost_django.core import admin_site
from agnost_django.core.admin_display import (
    EMPTY,
    ReadableAdminMixin,
    RecordAdminMixin,
    elapsed_display,
    errors_display,
)
from agnost_django.schedules import services
from agnost_django.schedules.conf import schedules_settings
from agnost_django.schedules.models import ScheduledTask, TaskRun


@admin.register(ScheduledTask)
class ScheduledTaskAdmin(ReadableAdminMixin, admin.ModelAdmin):
    list_display = ("name", "cron", "enabled", "code_cron", "next_run", "last_run")
    list_editable = ("enabled",)
    search_fields = ("name",)
    ordering = ("name",)
    readonly_fields = ("name", "code_cron", "code_enabled", "next_run", "running_run", "running_until", "updated_at")
    fields = ("name", "cron", "enabled", "code_cron", "code_enabled", "next_run", "running_run", "running_until",
              "updated_at")
    actions = ("run_now",)

    @admin.display(description=_("next run"))
    def next_run(self, row: ScheduledTask) -> str:
        """From the task's django-q2 schedule (linked when django-q2's page is shown)."""
        schedule = Schedule.objects.filter(name=services.PREFIX + row.name).first()
        if schedule is None or schedule.next_run is None:
            return EMPTY
        when = formats.localize(timezone.localtime(schedule.next_run))
        try:
            url = reverse(f"{self.admin_site.name}:django_q_schedule_change", args=[schedule.pk])
        except NoReverseMatch:  # django-q2's page is hidden
            return when
        return format_html('<a href="{}">{}</a>', url, when)

    def has_add_permission(self, request) -> bool:
        return False  # tasks are registered in code; rows are created by the sync

    @admin.display(description=_("last run"))
    def last_run(self, row: ScheduledTask) -> str:
        run = TaskRun.objects.filter(task_name=row.name).first()
        return f"{run.status} {run.triggered_at:%Y-%m-%d %H:%M}" if run else "—"

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        services.sync_schedule(obj)

    @admin.action(description=_("Run now"))
    def run_now(self, request, queryset):
        with transaction.atomic():
            for row in queryset:
                services.trigger(row.name, by=TaskRun.Trigger.ADMIN)
        self.message_user(request, _("%(n)d run(s) started.") % {"n": queryset.count()})


@admin.register(TaskRun)
class TaskRunAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ("task_name", "trigger", "status", "triggered_at", "started_at", "completed_at", "took")
    list_filter = ("status", "trigger", "task_name")
    search_fields = ("task_name",)
    ordering = ("-triggered_at",)
    fields = ("id", "task_name", "trigger", "status", "triggered_at", "started_at", "completed_at", "took", "worker",
              "error_list")
    readonly_fields = fields
    date_hierarchy = "triggered_at"
    error_list = errors_display(TaskRun)
    took = elapsed_display("started_at", "completed_at", description=_("took"))


admin_site.hide(Schedule, when=lambda: not schedules_settings.DJANGO_Q_ADMIN)
