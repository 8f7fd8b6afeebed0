"""Each module's part of the admin console: its panel on the overview (backends, counts, its
failures in the last errors) and its registered-things page, through the Django test client."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from agnost_django.functions.models import EndpointLog
from agnost_django.core.models import Worker
from agnost_django.queues.models import QueueMessage
from agnost_django.realtime.adapter import DefaultRealtimeAdapter
from agnost_django.schedules.models import ScheduledTask, TaskRun
from agnost_django.storage.models import Bucket, StoredFile

pytestmark = pytest.mark.django_db


class StrictAdapter(DefaultRealtimeAdapter):
    def can_join(self, user, channel):
        """Signed-in users only."""
        return user is not None


@pytest.fixture
def admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start:html.index("</table>", start)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def overview(admin) -> str:
    response = admin.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def test_dead_letters_failed_runs_and_endpoint_errors_are_the_last_errors(admin):
    QueueMessage.objects.create(queue_name="failing", status=QueueMessage.Status.ERRORS, run_after=timezone.now(),
                                completed_at=timezone.now(), errors=[{"code": "queue_execution_error",
                                                                      "message": "smtp refused"}])
    TaskRun.objects.create(task_name="broken", trigger=TaskRun.Trigger.SCHEDULE, status=TaskRun.Status.ERRORS,
                           completed_at=timezone.now(), errors=[{"code": "task_execution_error", "message": "boom"}])
    EndpointLog.objects.create(endpoint="crash", method="POST", path="/crash", status=500, duration_ms=3,
                               error="internal_error", user_id="42")
    html = overview(admin)
    errors = text(section(html, "agnost-failures"))
    assert "queue failing: smtp refused queue_execution_error" in errors
    assert "task broken (schedule): boom task_execution_error" in errors
    assert "endpoint crash: POST /crash → 500 internal_error #42" in errors
    queues = text(section(html, "agnost-panel-agnost_queues"))
    assert "Dead letters 1" in queues and "Registered queues 5" in queues
    assert 'class="agnost-error"><a href="/admin/agnost_queues/queuemessage/?status__exact=errors">1' in \
        section(html, "agnost-panel-agnost_queues")
    assert "Failed runs, last 24 hours 1" in text(section(html, "agnost-panel-agnost_schedules"))
    assert "Server errors, last hour 1" in text(section(html, "agnost-panel-agnost_functions"))


def test_the_cluster_is_alive_while_a_worker_beats(monkeypatch):
    from django_q.conf import Conf

    from agnost_django.queues.agnost_console import cluster

    assert cluster().value == "none needed in sync mode"  # the tests' Q_CLUSTER runs tasks in place
    monkeypatch.setattr(Conf, "SYNC", False)
    assert cluster().status == "error" and cluster().value == "no worker has started"
    now = timezone.now()
    Worker.objects.create(id="host:2", cluster="host:1", started_at=now, beat_at=now - timedelta(seconds=2))
    check = cluster()
    assert check.status == "ok" and check.value == "1 worker(s) alive in 1 cluster(s)"
    assert check.detail == "last heartbeat 0\xa0minutes ago"
    Worker.objects.update(beat_at=now - timedelta(minutes=5))
    check = cluster()
    assert check.status == "error" and check.detail == "no worker alive: last heartbeat 5\xa0minutes ago"


def test_storage_backend_files_and_bytes(admin):
    bucket = Bucket.objects.create(name="avatars")
    for number, size in enumerate((1024, 512)):
        StoredFile.objects.create(bucket=bucket, name=f"f{number}.png", size=size, blob_key=uuid.uuid4().hex,
                                  uploaded_at=timezone.now())
    panel = section(overview(admin), "agnost-panel-agnost_storage")
    from django.core.files.storage import storages

    backend = type(storages["default"])
    assert "agnost-check-ok" in panel and f"{backend.__module__}.{backend.__qualname__}" in panel
    assert "Files 2" in text(panel) and "Bytes stored 1.5 KB" in text(panel)


def test_realtime_and_cache_backends(admin):
    html = overview(admin)
    realtime = text(section(html, "agnost-panel-agnost_realtime"))
    assert "channels.layers.InMemoryChannelLayer" in realtime or "channels_redis" in realtime
    cache = section(html, "agnost-panel-agnost_cache")
    assert "agnost-check-ok" in cache and "key namespace" in cache


def test_exposed_models_page(admin):
    html = overview(admin)
    assert 'href="/_console/agnost_data/models">Exposed models</a>' in html
    response = admin.get("/_console/agnost_data/models")
    assert response.status_code == 200
    page = response.content.decode()
    summary = text(section(page, "agnost-table-1"))
    assert "products dataapp.Product default anyone anyone anyone anyone — name, description" in summary
    fields = text(page[page.index("Fields of products"):])
    rows = fields[fields.index("Searchable"):fields.index("Fields of reviews")]
    assert "name CharField" in rows and "secret" not in rows
    assert "Hidden from clients: secret" in fields
    assert admin.post("/_console/agnost_data/models").status_code == 405


def test_queues_page(admin):
    page = admin.get("/_console/agnost_queues/queues").content.decode()
    row = page[page.index("<code>failing</code>"):]
    row = row[:row.index("</tr>")]
    assert "tests.jobsapp.agnost_hooks.failing 2 0.1 s, doubled per retry 60 s" in text(row)
    # Booleans are the admin's icons: clients may submit, each run is logged.
    assert re.findall(r'alt="(True|False)"', row) == ["True", "True"]
    row = page[page.index("<code>server-only</code>"):]
    assert re.findall(r'alt="(True|False)"', row[:row.index("</tr>")]) == ["False", "True"]


def test_tasks_page_with_cron_and_next_run(admin):
    ScheduledTask.objects.filter(name="exclusive").update(cron="*/5 * * * *")
    page = text(admin.get("/_console/agnost_schedules/tasks").content.decode())
    assert re.search(r"report tests\.jobsapp\.agnost_hooks\.report 0 2 \* \* \* 0 2 \* \* \* in \d+ (hour|minute)", page)
    assert re.search(r"exclusive \S+ only when triggered \*/5 \* \* \* \* \(edited in the admin\) in \d+ minutes? \(",
                     page)
    assert "internal tests.jobsapp.agnost_hooks.internal only when triggered none" in page


def test_endpoints_page(admin):
    page = text(admin.get("/_console/agnost_functions/endpoints").content.decode())
    assert "echo-order GET POST PUT DELETE /orders/:id tests.jobsapp.agnost_hooks.echo_order" in page
    assert "stamp, second" in page and "3/min" in page
    assert "Middlewares" in page and "gate tests.jobsapp.agnost_hooks.gate" in page


def test_realtime_rules_page(admin, settings):
    page = text(admin.get("/_console/agnost_realtime/rules").content.decode())
    assert "can_broadcast send an event to every connection agnost_django.realtime.adapter.DefaultRealtimeAdapter" \
        in page
    settings.AGNOST_REALTIME_ADAPTER = "tests.test_console_modules.StrictAdapter"
    page = admin.get("/_console/agnost_realtime/rules").content.decode()
    row = text(page[page.index("<code>can_join</code>"):page.index("</tr>", page.index("<code>can_join</code>"))])
    assert "tests.test_console_modules.StrictAdapter" in row and "Signed-in users only." in row
    assert 'alt="True"' in page[page.index("<code>can_join</code>"):]
