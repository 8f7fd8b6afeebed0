"""Endpoints in the admin: enable / disable and change options (validated against the
registry; middlewares one name per line, the registered ones listed with their code);
execution logs read-only, durations with units."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from agnost_django.core.admin_display import EMPTY, ReadableAdminMixin, RecordAdminMixin, duration_display
from agnost_django.functions import services
from agnost_django.functions.models import Endpoint, EndpointLog
from agnost_django.functions.registry import endpoints, middlewares


def code_of(obj) -> tuple[str, str]:
    """The dotted path of a registered callable and the first line of its docstring."""
    path = f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"
    doc = (getattr(obj, "__doc__", None) or "").strip().splitlines()
    return path, doc[0] if doc else ""


def registered_middlewares_html() -> str:
    if not len(middlewares):
        return _("No middleware is registered in the code.")
    rows = format_html_join("", "<li><strong>{}</strong> <code>{}</code> {}</li>",
                            ((entry.name, *code_of(entry.obj)) for entry in middlewares))
    return format_html('{}<ul class="agnost-registered">{}</ul>',
                       _("Names of registered middlewares, one per line, run in this order. Registered:"), rows)


class EndpointForm(forms.ModelForm):
    class Meta:
        model = Endpoint
        fields = ("name", "enabled", "key_required", "session_required", "rate_limit", "timeout", "log_execution",
                  "middlewares")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "name" in self.fields:  # a choice among the registered names, never free text
            self.fields["name"] = forms.ChoiceField(choices=[(name, name) for name in endpoints.names()])
        if "middlewares" in self.fields:
            self.fields["middlewares"].help_text = registered_middlewares_html()


@admin.register(Endpoint)
class EndpointAdmin(ReadableAdminMixin, admin.ModelAdmin):
    form = EndpointForm
    list_display = ("name", "methods", "path", "enabled", "key_required", "session_required", "rate_limit",
                    "timeout_display", "middleware_chain")
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

    timeout_display = duration_display(Endpoint, "timeout", description=_("timeout"))

    @admin.display(description=_("middlewares"))
    def middleware_chain(self, row: Endpoint) -> str:
        return " → ".join(row.middlewares) if row.middlewares else EMPTY

    @admin.action(description=_("Reset to the code's options"))
    def reset_to_code(self, request, queryset):
        count = 0
        for row in queryset:
            if row.name in endpoints:
                services.reset_to_code(row)
                count += 1
        self.message_user(request, _("%(n)d endpoint(s) reset.") % {"n": count})


@admin.register(EndpointLog)
class EndpointLogAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "endpoint", "method", "path", "status", "duration", "error")
    list_filter = ("endpoint", "status")
    search_fields = ("endpoint", "path", "error")
    ordering = ("-created_at",)
    fields = ("created_at", "endpoint", "method", "path", "status", "duration", "error", "user_id")
    readonly_fields = fields
    date_hierarchy = "created_at"
    duration = duration_display(EndpointLog, "duration_ms", unit=0.001, description=_("duration"))
