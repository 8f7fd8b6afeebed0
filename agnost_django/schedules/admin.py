"""Tasks in the admin: edit a task's cron and enabled flag (validated, synced to django-q2
at once), run it now; runs are read-only history."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from agnost_django.schedules import services
from agnost_django.schedules.models import ScheduledTask, TaskRun


@admin.register(ScheduledTask)
class ScheduledTaskAdmin(admin.ModelAdmin):
    list_display = ("name", "cron", "enabled", "code_cron", "last_run")
    list_editable = ("enabled",)
    readonly_fields = ("name", "code_cron", "code_enabled", "running_run", "running_until", "updated_at")
    fields = ("name", "cron", "enabled", "code_cron", "code_enabled", "running_run", "running_until", "updated_at")
    actions = ("run_now",)

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
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ("task_name", "trigger", "status", "triggered_at", "started_at", "completed_at")
    list_filter = ("status", "trigger", "task_name")
    readonly_fields = [field.name for field in TaskRun._meta.fields]
    date_hierarchy = "triggered_at"

    def has_add_permission(self, request) -> bool:
        return False
