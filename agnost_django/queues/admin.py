"""Queue messages in the admin: read-only tracking rows, with a requeue action for dead letters
(the live workers' leases are core's, under "Agnost core")."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from agnost_django.queues import services
from agnost_django.queues.models import QueueMessage


@admin.register(QueueMessage)
class QueueMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "queue_name", "status", "attempts", "max_attempts", "submitted_at", "started_at",
                    "completed_at")
    list_filter = ("status", "queue_name")
    search_fields = ("id", "queue_name")
    readonly_fields = [field.name for field in QueueMessage._meta.fields]
    actions = ("requeue",)
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Requeue (a fresh set of attempts, now)"))
    def requeue(self, request, queryset):
        with transaction.atomic():
            count = sum(services.requeue(row) for row in queryset)
        self.message_user(request, _("%(n)d message(s) requeued.") % {"n": count})
