from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from agnost_django.core import keycache
from agnost_django.core.models import ClientKey
from agnost_django.core.requestlog_admin import RequestLogAdmin  # noqa: F401 (registers it)
from agnost_django.core.services import assign_secret


class LinesField(forms.CharField):
    """A list of strings edited as one entry per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ClientKeyForm(forms.ModelForm):
    allowed_origins = LinesField(
        required=False,
        label=_("Allowed origins"),
        help_text=ClientKey._meta.get_field("allowed_origins").help_text + " " + _("One per line."),
    )
    allowed_operations = LinesField(
        required=False,
        label=_("Allowed operations"),
        help_text=ClientKey._meta.get_field("allowed_operations").help_text + " " + _("One per line."),
    )

    class Meta:
        model = ClientKey
        fields = ["name", "active", "expires_at", "allowed_origins", "allowed_operations"]


@admin.register(ClientKey)
class ClientKeyAdmin(admin.ModelAdmin):
    form = ClientKeyForm
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
