"""Form fields that the agnost admins use for JSON columns, so that no page shows raw JSON in a
one-line text box: a list of strings is edited one entry per line, anything else as indented,
validated JSON. :class:`~agnost_django.core.admin_display.ReadableAdminMixin` picks them."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class LinesField(forms.CharField):
    """A list of strings edited as one entry per line (a JSON list of strings is read too)."""

    widget = forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField agnost-lines"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        text = (value or "").strip()
        if text.startswith("["):  # what scripts and older forms posted
            try:
                items = json.loads(text)
            except ValueError:
                items = None
            if isinstance(items, list) and all(isinstance(item, str) for item in items):
                return [item.strip() for item in items if item.strip()]
        return [line.strip() for line in text.splitlines() if line.strip()]


class PrettyJSONField(forms.JSONField):
    """JSON shown indented in a textarea; ``shape=dict`` (or ``list``) also checks the top level."""

    default_error_messages = {
        "shape_dict": _("Enter a JSON object, like {\"key\": \"value\"}."),
        "shape_list": _("Enter a JSON list, like [\"a\", \"b\"]."),
    }

    def __init__(self, *, shape: type | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField agnost-json-input"}))
        super().__init__(**kwargs)
        self.shape = shape

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if self.shape is not None and value is not None and not isinstance(value, self.shape):
            raise ValidationError(self.error_messages[f"shape_{self.shape.__name__}"], code="invalid")
        return value


def json_formfield(db_field, **kwargs: Any) -> forms.Field:
    """The readable form field of a model ``JSONField``, chosen by the shape of its default."""
    default = db_field.get_default() if db_field.has_default() else None
    kwargs.setdefault("required", not db_field.blank)
    kwargs.setdefault("label", capfirst(db_field.verbose_name))
    if isinstance(default, list):
        help_text = f"{db_field.help_text} {_('One per line.')}".strip()
        kwargs.setdefault("help_text", help_text)
        return LinesField(**kwargs)
    kwargs.setdefault("help_text", db_field.help_text)
    return PrettyJSONField(shape=type(default) if isinstance(default, dict) else None,
                           encoder=db_field.encoder, decoder=db_field.decoder, **kwargs)
