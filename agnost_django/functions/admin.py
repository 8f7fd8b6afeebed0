"""Endpoints in the admin: enable / disable and change options (validated against the
registry); execution logs read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agnost_django.functions import services
from agnost_django.functions.models import Endpoint, EndpointLog
from agnost_django.functions.registry import endpoints


class EndpointForm(forms.ModelForm):
    class Meta:
        model = Endpoint
        fields = ("name", "enabled", "key_required", "session_required", "rate_limit", "timeout", "log_execution",
                  "middlewares")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "name" in self.fields:  # a choice among the registered names, never free text
            self.fields["name"] = forms.ChoiceField(choices=[(name, name) for name in endpoints.names()])


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("name", "methods", "path", "enabled", "key_required", "session_required", "rate_limit", "timeout")
    list_editable = ("enabled",)
    actions = ("reset_to_code",)

    def get_readonly_fields(self, request, obj=None):
        return ("name",) if obj is not None else ()

    @admin.display(description=_("methods"))
    def methods(self, row: Endpoint) -> str:
        return ", ".join(endpoints.get(row.name).methods) if row.name in endpoints else "—"

    @admin.display(description=_("path"))
    def path(self, row: Endpoint) -> str:
        return endpoints.get(row.name).path if row.name in endpoints else _("(not registered)")

    @admin.action(description=_("Reset to the code's options"))
    def reset_to_code(self, request, queryset):
        count = 0
        for row in queryset:
            if row.name in endpoints:
                services.reset_to_code(row)
                count += 1
        self.message_user(request, _("%(n)d endpoint(s) reset.") % {"n": count})


@admin.register(EndpointLog)
class EndpointLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "endpoint", "method", "path", "status", "duration_ms", "error")
    list_filter = ("endpoint", "status")
    readonly_fields = [field.name for field in EndpointLog._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False
