"""Core's part of the admin console: the databases and caches, client keys and the request
log's errors of the last hour."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from agnost_django.core import health, requestlog
from agnost_django.core.console import Count, Failure, Link, Panel, admin_url, capped_count
from agnost_django.core.models import ClientKey, RequestLog

#: How far back the overview looks for errors.
ERROR_WINDOW = timedelta(hours=1)


def panel(request) -> Panel:
    since = timezone.now() - ERROR_WINDOW
    checks = [health.database(alias) for alias in settings.DATABASES]
    checks += [health.cache(alias) for alias in settings.CACHES]
    recent = RequestLog.objects.filter(created_at__gte=since)
    log_url = admin_url("agnost_core_requestlog_changelist")
    failures = [
        Failure(row.created_at, f"{row.method} {row.route or row.path} → {row.status}", row.error_code,
                who(row), admin_url("agnost_core_requestlog_change", row.pk))
        for row in requestlog.recent_errors(since, limit=10)
    ]
    counts = [
        Count(_("active client keys"), capped_count(active_keys()), admin_url("agnost_core_clientkey_changelist")),
        Count(_("API calls, last hour"), capped_count(recent), log_url),
        Count(_("failed calls, last hour"), capped_count(recent.filter(status__gte=400)), log_url,
              alert=bool(failures)),
    ]
    links = [Link(_("Client keys"), admin_url("agnost_core_clientkey_changelist"))]
    if log_url:
        links.append(Link(_("Request log"), log_url))
    return Panel(title=_("Core"), checks=checks, counts=counts, failures=failures, links=links)


def active_keys():
    now = timezone.now()
    return ClientKey.objects.filter(active=True).exclude(expires_at__lte=now)


def who(row: RequestLog) -> str:
    user = row.user_label or (f"#{row.user_id}" if row.user_id else _("anonymous"))
    return f"{user} · {_('key')} {row.client_key_name}" if row.client_key_name else user
