"""The functions module on the admin console: endpoints, middlewares and helper functions as
registered, and the endpoints' failed calls."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agnost_django.core.console import Count, Failure, Link, Page, Panel, Table, admin_url, capped_count
from agnost_django.functions.models import Endpoint, EndpointLog
from agnost_django.functions.registry import endpoints, functions, middlewares

ERROR_WINDOW = timedelta(hours=1)


def handler(obj) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def code(text: str):
    return format_html("<code>{}</code>", text)


def panel(request) -> Panel:
    since = timezone.now() - ERROR_WINDOW
    failed = EndpointLog.objects.filter(created_at__gte=since, status__gte=500)
    logs_url = admin_url("agnost_functions_endpointlog_changelist")
    failures = [Failure(log.created_at, _("endpoint %(name)s: %(method)s %(path)s → %(status)s") % {
                    "name": log.endpoint, "method": log.method, "path": log.path, "status": log.status},
                        log.error, f"#{log.user_id}" if log.user_id else "",
                        admin_url("agnost_functions_endpointlog_change", log.pk))
                for log in failed.order_by("-created_at")[:10]]
    return Panel(
        counts=[
            Count(_("endpoints"), str(len(endpoints)), admin_url("agnost_functions_endpoint_changelist")),
            Count(_("middlewares · helper functions"), f"{len(middlewares)} · {len(functions)}"),
            Count(_("calls logged, last hour"), capped_count(EndpointLog.objects.filter(created_at__gte=since)),
                  logs_url),
            Count(_("server errors, last hour"), capped_count(failed), logs_url, alert=bool(failures)),
        ],
        failures=failures,
        links=[link for link in (Link(_("Endpoints"), admin_url("agnost_functions_endpoint_changelist")),
                                 Link(_("Endpoint logs"), logs_url)) if link.url],
    )


def endpoints_page(request) -> list[Table]:
    rows = Endpoint.objects.in_bulk(endpoints.names(), field_name="name")
    table = []
    for entry in endpoints:
        row = rows.get(entry.name)
        link = admin_url("agnost_functions_endpoint_change", row.pk) if row else None
        name = format_html('<a href="{}"><code>{}</code></a>', link, entry.name) if link else code(entry.name)
        table.append([
            name, " ".join(entry.methods), code(entry.path), handler(entry.obj),
            row.enabled if row else True,
            row.key_required if row else entry.key_required,
            row.session_required if row else entry.session_required,
            (row.rate_limit if row else entry.rate_limit) or "",
            f"{row.timeout if row else entry.timeout} s" if (row.timeout if row else entry.timeout) else "",
            row.middlewares if row else entry.middlewares,
        ])
    return [
        Table(_("Endpoints"),
              [_("name"), _("methods"), _("path"), _("handler"), _("enabled"), _("client key required"),
               _("session required"), _("rate limit"), _("timeout"), _("middlewares")],
              table,
              description=_("Options as in effect: the code's, or the admin's once the endpoint's row was edited."),
              empty=_("No endpoint is registered: use @endpoint(...) from agnost_django.functions in an app's "
                      "agnost_hooks.py.")),
        Table(_("Middlewares"), [_("name"), _("callable")],
              [[code(entry.name), handler(entry.obj)] for entry in middlewares],
              empty=_("No middleware is registered.")),
        Table(_("Helper functions"), [_("name"), _("callable")],
              [[code(entry.name), handler(entry.obj)] for entry in functions],
              empty=_("No helper function is registered.")),
    ]


pages = [Page("endpoints", gettext_lazy("Registered endpoints"), endpoints_page)]
