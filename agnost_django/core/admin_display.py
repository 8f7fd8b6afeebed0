"""Readable displays for the agnost admins: JSON indented in a ``<pre>``, error lists as items
(code, message, details, the traceback with its real line breaks), durations with units, and
the mixins that give every agnost ``ModelAdmin`` (and inline) these and the readable form
fields of :mod:`.admin_forms`. One place, used by every app's ``admin.py``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from agnost_django.core.admin_forms import json_formfield

EMPTY = "-"


# -- values to HTML -------------------------------------------------------------------------

def json_html(value: Any) -> SafeString | str:
    """Indented JSON in a ``<pre>`` (escaped); ``-`` for nothing."""
    if value is None or value == {} or value == []:
        return EMPTY
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False, default=str)
    return format_html('<pre class="agnost-json">{}</pre>', text)


def lines_html(values: list[Any] | None) -> SafeString | str:
    """A list of strings as a bulleted list."""
    if not values:
        return EMPTY
    return format_html('<ul class="agnost-lines">{}</ul>', format_html_join("", "<li>{}</li>", ((v,) for v in values)))


def errors_html(errors: list[dict[str, Any]] | None) -> SafeString | str:
    """Error items (``origin``, ``code``, ``message``, ``details``) as a numbered list; a
    ``details.traceback`` as preformatted text."""
    if not errors:
        return EMPTY
    items = []
    for error in errors:
        if not isinstance(error, dict):
            items.append(format_html("<li>{}</li>", json_html(error)))
            continue
        details = dict(error.get("details") or {})
        traceback = details.pop("traceback", None)
        rows = format_html_join("", "<dt>{}</dt><dd>{}</dd>", (
            (key, value if isinstance(value, str | int | float) else json.dumps(value, ensure_ascii=False))
            for key, value in details.items()))
        items.append(format_html(
            '<li><strong class="agnost-error-code">{}</strong> {}{}{}</li>',
            error.get("code", EMPTY), error.get("message", ""),
            format_html('<dl class="agnost-details">{}</dl>', rows) if rows else "",
            format_html('<pre class="agnost-traceback">{}</pre>', traceback) if traceback else "",
        ))
    return format_html('<ol class="agnost-errors">{}</ol>', format_html_join("", "{}", ((i,) for i in items)))


def format_duration(seconds: float | None) -> str:
    """``0.0569`` -> ``"57 ms"``, ``1.23`` -> ``"1.2 s"``, ``185`` -> ``"3 min 5 s"``."""
    if seconds is None:
        return EMPTY
    if seconds == 0:
        return "0 s"
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def elapsed(start: datetime | None, end: datetime | None) -> str:
    return format_duration((end - start).total_seconds()) if start and end else EMPTY


# -- admin display methods ------------------------------------------------------------------
# Each returns a function to assign as a ModelAdmin attribute, then named in
# ``readonly_fields`` / ``list_display`` / ``fields`` like any display method:
#     user_agent_display = json_display(Session, "user_agent")

def _display(model: type[models.Model], name: str, render: Callable[[Any], Any], **options: Any) -> Callable:
    options.setdefault("description", model._meta.get_field(name).verbose_name)

    @admin.display(**options)
    def display(model_admin: admin.ModelAdmin, obj: models.Model) -> Any:
        return render(getattr(obj, name))

    display.__name__ = f"{name}_display"
    return display


def json_display(model: type[models.Model], name: str, **options: Any) -> Callable:
    return _display(model, name, json_html, **options)


def lines_display(model: type[models.Model], name: str, **options: Any) -> Callable:
    return _display(model, name, lines_html, **options)


def errors_display(model: type[models.Model], name: str = "errors", **options: Any) -> Callable:
    return _display(model, name, errors_html, **options)


def duration_display(model: type[models.Model], name: str, *, unit: float = 1.0, **options: Any) -> Callable:
    """A float column in seconds (``unit=0.001`` for milliseconds) with units; sortable."""
    options.setdefault("ordering", name)
    return _display(model, name, lambda value: format_duration(None if value is None else value * unit), **options)


def elapsed_display(start: str, end: str, **options: Any) -> Callable:
    """The time between two datetime columns, with units."""
    @admin.display(**options)
    def display(model_admin: admin.ModelAdmin, obj: models.Model) -> str:
        return elapsed(getattr(obj, start), getattr(obj, end))

    display.__name__ = f"{start}_{end}_elapsed"
    return display


# -- mixins ---------------------------------------------------------------------------------

class ReadableAdminMixin:
    """Readable form fields for JSON columns and the stylesheet of the displays above; mix
    into every agnost ``ModelAdmin`` and inline, before ``admin.ModelAdmin``."""

    class Media:
        css = {"all": ("agnost_core/admin/readable.css",)}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.JSONField) and db_field.editable and "form_class" not in kwargs:
            return json_formfield(db_field, **kwargs)
        if isinstance(db_field, models.URLField):  # Django 6's default, without its warning on 5.x
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class RecordAdminMixin(ReadableAdminMixin):
    """A page of records, not settings: viewed, never added or edited (no Save button);
    deletion and actions stay as the admin declares them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RecordInlineMixin(RecordAdminMixin):
    """An inline of records (a user's sessions, files): read-only, the newest ``limit`` rows
    by ``newest_by``, each linked to its own page."""

    newest_by = "pk"
    limit = 20
    extra = 0
    can_delete = False
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        order, limit = f"-{self.newest_by}", self.limit

        class Newest(formset):
            def get_queryset(self):
                if not hasattr(self, "_newest"):
                    self._newest = super().get_queryset().order_by(order)[:limit]
                return self._newest

        return Newest
