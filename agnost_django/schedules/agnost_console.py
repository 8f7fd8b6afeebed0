"""The schedules module on the admin console: the registered tasks with their cron and next
run, and the failed runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agnost_django.core.console import Count, Failure, Link, Page, Panel, Table, admin_url, capped_count
from agnost_django.schedules.models import ScheduledTask, TaskRun
from agnost_django.schedules.registry import tasks
from agnost_django.schedules.services import PREFIX

#: How far back the panel counts runs.
RUN_WINDOW = timedelta(days=1)


def schedule_rows() -> list[tuple]:
    """``(entry, row or None, effective cron, enabled, next run or None)`` per registered task."""
    from django_q.models import Schedule

    rows = ScheduledTask.objects.in_bulk(tasks.names(), field_name="name")
    planned = dict(Schedule.objects.filter(name__startswith=PREFIX).values_list("name", "next_run"))
    result = []
    for entry in tasks:
        row = rows.get(entry.name)
        cron = row.cron if row else (entry.cron or "")
        enabled = row.enabled if row else entry.enabled
        upcoming = planned.get(PREFIX + entry.name) or (next_run(cron) if enabled and cron else None)
        result.append((entry, row, cron, enabled, upcoming if enabled and cron else None))
    return result


def next_run(cron: str) -> datetime | None:
    from croniter import croniter

    try:
        return croniter(cron, timezone.localtime()).get_next(datetime)
    except (ValueError, KeyError):
        return None


def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return _("in %(delta)s (%(time)s)") % {"delta": timeuntil(moment),
                                          "time": date_format(timezone.localtime(moment), "DATETIME_FORMAT")}


def panel(request) -> Panel:
    since = timezone.now() - RUN_WINDOW
    runs = TaskRun.objects.filter(triggered_at__gte=since)
    failed = runs.filter(status=TaskRun.Status.ERRORS)
    failures = []
    for run in failed.order_by("-triggered_at")[:10]:
        last = run.errors[-1] if run.errors else {}
        failures.append(Failure(run.completed_at or run.triggered_at,
                                _("task %(task)s (%(trigger)s): %(message)s") % {
                                    "task": run.task_name, "trigger": run.get_trigger_display(),
                                    "message": last.get("message", "")},
                                last.get("code", ""), "", admin_url("agnost_schedules_taskrun_change", run.pk)))
    upcoming = sorted((r for r in schedule_rows() if r[4]), key=lambda r: r[4])
    runs_url = admin_url("agnost_schedules_taskrun_changelist")
    counts = [Count(_("registered tasks"), str(len(tasks)), admin_url("agnost_schedules_scheduledtask_changelist"))]
    if upcoming:
        entry, _row, _cron, _enabled, moment = upcoming[0]
        counts.append(Count(_("next run"), f"{entry.name} {when(moment)}"))
    counts += [
        Count(_("runs, last 24 hours"), capped_count(runs), runs_url),
        Count(_("failed runs, last 24 hours"), capped_count(failed),
              admin_url("agnost_schedules_taskrun_changelist", query="status__exact=errors"), alert=bool(failures)),
    ]
    return Panel(counts=counts, failures=failures,
                 links=[link for link in (Link(_("Tasks"), admin_url("agnost_schedules_scheduledtask_changelist")),
                                          Link(_("Runs"), runs_url)) if link.url])


def tasks_page(request) -> list[Table]:
    rows = []
    for entry, row, cron, enabled, moment in schedule_rows():
        edited = row is not None and (row.cron != (entry.cron or "") or row.enabled != entry.enabled)
        rows.append([format_html("<code>{}</code>", entry.name), f"{entry.obj.__module__}.{entry.obj.__qualname__}",
                     format_html("<code>{}</code>", entry.cron) if entry.cron else _("only when triggered"),
                     format_html("<code>{}</code>{}", cron, _(" (edited in the admin)") if edited else "")
                     if cron else _("none"),
                     enabled, when(moment) or "—", entry.overlap, f"{entry.timeout} s", entry.clients])
    return [Table(
        _("Scheduled tasks"),
        [_("name"), _("handler"), _("cron in the code"), _("effective cron"), _("enabled"), _("next run"),
         _("may overlap"), _("timeout"), _("clients may run")],
        rows,
        description=_("Cron in the server's TIME_ZONE. The effective cron and enabled flag are the admin's "
                      "(Scheduled tasks) once edited there."),
        empty=_("No task is registered: use @task(...) from agnost_django.schedules in an app's agnost_hooks.py."),
    )]


pages = [Page("tasks", gettext_lazy("Registered tasks"), tasks_page)]
