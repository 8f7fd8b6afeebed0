"""The queues module on the admin console: the django-q2 broker and cluster (alive, last
heartbeat), message counts, dead letters and the registered queues."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agnost_django.core import health
from agnost_django.core.console import ERROR, OK, Check, Count, Failure, Link, Page, Panel, Table, admin_url, \
    capped_count
from agnost_django.core.conf import core_settings
from agnost_django.core.models import Worker
from agnost_django.queues.models import QueueMessage
from agnost_django.queues.registry import queues

Status = QueueMessage.Status


def broker() -> Check:
    from django_q.brokers import get_broker
    from django_q.conf import Conf

    name = _("broker")
    if Conf.SYNC:
        return Check(name, _("django-q2, sync (runs in the caller's process)"))
    try:
        instance = get_broker()
        value = f"django-q2 · {instance.info()}"
    except Exception as exc:
        return health.unreachable(name, "django-q2", exc)
    return health.with_timeout(name, value, lambda: None if instance.ping() else _("no answer to ping"))


def cluster() -> Check:
    """Alive when a worker's heartbeat is younger than ``AGNOST_CORE_WORKER_LEASE``."""
    from django_q.conf import Conf

    name = _("worker cluster")
    if Conf.SYNC:
        return Check(name, _("none needed in sync mode"))
    now = timezone.now()
    workers = list(Worker.objects.order_by("-beat_at")[:100])
    alive = [w for w in workers if w.beat_at >= now - timedelta(seconds=core_settings.WORKER_LEASE)]
    if not workers:
        return Check(name, _("no worker has started"), ERROR, _("start one: manage.py qcluster"))
    value = _("%(workers)d worker(s) alive in %(clusters)d cluster(s)") % {
        "workers": len(alive), "clusters": len({w.cluster for w in alive})}
    beat = _("last heartbeat %(ago)s ago") % {"ago": timesince(workers[0].beat_at, now)}
    return Check(name, value, OK if alive else ERROR, beat if alive else _("no worker alive: %(beat)s") % {"beat": beat})


def by_status(status: str) -> str | None:
    return admin_url("agnost_queues_queuemessage_changelist", query=f"status__exact={status}")


def panel(request) -> Panel:
    messages = QueueMessage.objects.all()
    dead = messages.filter(status=Status.ERRORS)
    failures = []
    for row in dead.order_by("-submitted_at")[:10]:
        last = row.errors[-1] if row.errors else {}
        failures.append(Failure(row.completed_at or row.submitted_at,
                                _("queue %(queue)s: %(message)s") % {"queue": row.queue_name,
                                                                     "message": last.get("message", "")},
                                last.get("code", ""), "",
                                admin_url("agnost_queues_queuemessage_change", row.pk)))
    return Panel(
        checks=[broker(), cluster()],
        counts=[
            Count(_("registered queues"), str(len(queues))),
            Count(_("pending messages"), capped_count(messages.filter(status=Status.PENDING)), by_status("pending")),
            Count(_("processing"), capped_count(messages.filter(status=Status.PROCESSING)), by_status("processing")),
            Count(_("dead letters"), capped_count(dead), by_status("errors"), alert=bool(failures)),
        ],
        failures=failures,
        links=[link for link in (Link(_("Messages"), admin_url("agnost_queues_queuemessage_changelist")),
                                 Link(_("Workers"), admin_url("agnost_core_worker_changelist"))) if link.url],
    )


def queues_page(request) -> list[Table]:
    rows = [[format_html("<code>{}</code>", entry.name), f"{entry.obj.__module__}.{entry.obj.__qualname__}",
             entry.retries, _("%(s)s s, doubled per retry") % {"s": entry.backoff}, f"{entry.timeout} s",
             entry.clients, entry.log_execution]
            for entry in queues]
    return [Table(
        _("Queues"),
        [_("name"), _("handler"), _("retries"), _("back-off"), _("timeout"), _("clients may submit"),
         _("logs each run")],
        rows,
        description=_("After its retries a message is a dead letter (status errors) until requeued from the "
                      "messages' admin."),
        empty=_("No queue is registered: use @queue(...) from agnost_django.queues in an app's agnost_hooks.py."),
    )]


pages = [Page("queues", gettext_lazy("Registered queues"), queues_page)]
