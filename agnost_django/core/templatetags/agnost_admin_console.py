"""``{% agnost_overview %}``: the admin console's overview, rendered on the admin's index."""

from __future__ import annotations

from django import template

from agnost_django.core.conf import core_settings
from agnost_django.core.overview import overview_context

register = template.Library()


@register.inclusion_tag("agnost_core/console/overview.html", takes_context=True)
def agnost_overview(context) -> dict:
    request = context.get("request")
    if request is None or not core_settings.ADMIN_OVERVIEW:
        return {"enabled": False}
    return {"enabled": True, **overview_context(request)}


@register.filter
def console_cell(value):
    """How a registered-things page shows one cell (see :class:`~agnost_django.core.console.Table`)."""
    from django.contrib.admin.templatetags.admin_list import _boolean_icon
    from django.utils.html import format_html_join

    if isinstance(value, bool):
        return _boolean_icon(value)
    if isinstance(value, (list, tuple)):
        return format_html_join(", ", "{}", ((item,) for item in value)) if value else "—"
    if value is None or value == "":
        return "—"
    return value
