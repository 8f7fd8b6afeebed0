"""The data module on the admin console: the exposed models, their rules and fields."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agnost_django.core.console import Check, Count, Page, Panel, Table
from agnost_django.data.registry import site
from agnost_django.data.resources import OPERATIONS


def resources() -> list:
    return [site.get(name) for name in site.names()]


def panel(request) -> Panel:
    exposed = resources()
    databases = sorted({resource.database for resource in exposed})
    return Panel(
        checks=[Check(_("databases"), ", ".join(databases) or "—")],
        counts=[Count(_("exposed models"), str(len(exposed)))],
    )


def rule_text(rule) -> str:
    if isinstance(rule, str):
        return rule
    return f"{getattr(rule, '__module__', '?')}.{getattr(rule, '__qualname__', repr(rule))}"


def code(text: str):
    return format_html("<code>{}</code>", text)


def field_type(field) -> str:
    if field.is_relation and field.related_model is not None:
        return f"{field.get_internal_type()} → {field.related_model._meta.label}"
    return field.get_internal_type()


def models_page(request) -> list[Table]:
    exposed = resources()
    summary = Table(
        _("Exposed models"),
        [_("name"), _("Django model"), _("database"), *[_(op) for op in OPERATIONS], _("owner field"),
         _("searchable fields"), _("realtime channel")],
        [[code(r.name), r.model._meta.label, r.database, *[rule_text(r.rule(op)) for op in OPERATIONS],
          r.owner_field, r.searchable_fields, r.realtime_channel] for r in exposed],
        description=_("Rules: anyone, signed_in, owner (objects whose owner field is the caller), staff, or a "
                      "callable; an operation without a rule is staff only."),
        empty=_("No model is exposed: register one with agnost_django.data.site in an app's agnost_hooks.py."),
    )
    tables = [summary]
    for resource in exposed:
        read_only = set(resource.read_only_fields) | {resource.owner_field}
        rows = []
        for field in resource.readable_fields():
            writable = not (field.name in read_only or field.primary_key or getattr(field, "auto_now", False)
                            or getattr(field, "auto_now_add", False))
            rows.append([code(field.name), field_type(field), writable,
                         field.name in resource.searchable_fields])
        hidden = ", ".join(resource.hidden_fields)
        tables.append(Table(
            _("Fields of %(name)s (%(model)s)") % {"name": resource.name, "model": resource.model._meta.label},
            [_("field"), _("type"), _("clients may write"), _("searchable")], rows,
            description=_("Hidden from clients: %(hidden)s") % {"hidden": hidden} if hidden else "",
        ))
    return tables


pages = [Page("models", gettext_lazy("Exposed models"), models_page)]
