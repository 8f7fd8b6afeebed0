"""Queue messages in the admin: read-only tracking rows, with a requeue action for dead letters
(the live workers' leases are core's, under "Agnost core")."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from agnost_django.core.admin_display import (
    RecordAdminMixin,
    duration_display,
    elapsed_display,
    errors_display,
    json_display,
)
from agnost_django.queues import services
from agnost_django.queues.models import QueueMessage


@admin.register(QueueMessage)
class QueueMessageAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ("id", "queue_name", "status", "attempts", "max_attempts", "submitted_at", "started_at",
                    "completed_at", "took")
    list_filter = ("status", "queue_name")
    search_fields = ("id", "queue_name")
    ordering = ("-submitted_at",)
    fields = ("id", "queue_name", "status", "attempts", "max_attempts", "delivery", "delay_display", "run_after",
              "submitted_at", "dispatched_at", "started_at", "completed_at", "took", "lease_until", "worker",
              "payload_display", "error_list")
    readonly_fields = fields
    actions = ("requeue",)
    date_hierarchy = "submitted_at"
    payload_display = json_display(QueueMessage, "payload")
    error_list = errors_display(QueueMessage)
    delay_display = duration_display(QueueMessage, "delay", description=_("delay"))
    took = elapsed_display("started_at", "completed_at", description=_("took"))

    @admin.action(description=_("Requeue (a fresh set of attempts, now)"))
    def requeue(self, request, queryset):
        with transaction.atomic():
            count = sum(services.requeue(row) for row in queryset)
        self.message_user(request, _("%(n)d message(s) requeued.") % {"n": count})
