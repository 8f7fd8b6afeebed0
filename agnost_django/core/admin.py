from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from agnost_django.core import keycache
from agnost_django.core.admin_display import ReadableAdminMixin, RecordAdminMixin
from agnost_django.core.models import ClientKey, Worker
from agnost_django.core.requestlog_admin import RequestLogAdmin  # noqa: F401 (registers it)
from agnost_django.core.services import assign_secret


@admin.register(ClientKey)
class ClientKeyAdmin(ReadableAdminMixin, admin.ModelAdmin):
    list_display = ["name", "masked_key", "active", "expires_at", "created_at"]
    list_filter = ["active", "expires_at", "created_at"]
    search_fields = ["name", "prefix"]
    ordering = ["name"]
    readonly_fields = ["masked_key", "created_at", "updated_at"]
    actions = ["deactivate", "activate"]

    @admin.display(description=_("key"))
    def masked_key(self, obj: ClientKey) -> str:
        return obj.masked

    def save_model(self, request, obj, form, change):
        secret = None if change else assign_secret(obj)
        super().save_model(request, obj, form, change)
        if secret:
            self.message_user(
                request,
                _("The secret of %(name)s is %(secret)s — copy it now, it will not be shown again.")
                % {"name": obj.name, "secret": secret},
                messages.WARNING,
            )

    @admin.action(description=_("Deactivate selected client keys"))
    def deactivate(self, request, queryset):
        queryset.update(active=False)
        keycache.invalidate()

    @admin.action(description=_("Activate selected client keys"))
    def activate(self, request, queryset):
        queryset.update(active=True)
        keycache.invalidate()


@admin.register(Worker)
class WorkerAdmin(RecordAdminMixin, admin.ModelAdmin):
    """The live django-q2 workers' leases (read-only)."""

    list_display = ("id", "cluster", "started_at", "beat_at")
    readonly_fields = [field.name for field in Worker._meta.fields]
