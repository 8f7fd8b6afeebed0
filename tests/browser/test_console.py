"""The admin console in headless Chromium: a superuser lands on the overview (modules, health,
last errors, envUrl and client snippet) and opens every registered-things page from it."""

from __future__ import annotations

from playwright.sync_api import expect

SEED = """
from datetime import timedelta
from django.utils import timezone
from agnost_django.core.models import RequestLog
from agnost_django.queues.models import QueueMessage
now = timezone.now()
RequestLog.objects.create(created_at=now - timedelta(minutes=3), method="POST", path="/_api/rest/v1/db/model/todos",
    route="/_api/rest/v1/db/model/<name>", module="db", operation="create", status=403, error_code="access_denied",
    duration_ms=4.2, client_key_name="demo page", user_label="ada@example.com")
RequestLog.objects.create(created_at=now - timedelta(minutes=1), method="GET", path="/_api/rest/v1/cache/k",
    status=401, error_code="invalid_client_key", duration_ms=0.8)
QueueMessage.objects.create(queue_name="welcome-email", status="errors", run_after=now, completed_at=now,
    errors=[{"code": "queue_execution_error", "message": "SMTP server refused the connection"}])
"""

PAGES = {
    "Exposed models": "/_console/agnost_data/models",
    "Registered queues": "/_console/agnost_queues/queues",
    "Registered tasks": "/_console/agnost_schedules/tasks",
    "Registered endpoints": "/_console/agnost_functions/endpoints",
    "Authorisation rules": "/_console/agnost_realtime/rules",
}


def test_overview_and_registered_things(browsing, superuser, browser_server):
    browser_server.manage("shell", "-c", SEED)
    page = browsing.admin_page(superuser)
    overview = page.locator("#agnost-overview")
    expect(overview).to_be_visible()
    # Health: the database answered; the worker question has an answer either way.
    expect(page.locator("#agnost-panel-agnost_core .agnost-check-ok").first).to_contain_text("database")
    expect(page.locator("#agnost-panel-agnost_queues")).to_contain_text("worker cluster")
    # What failed in the last hour, and for whom.
    failures = page.locator("#agnost-failures")
    expect(failures).to_contain_text("POST /_api/rest/v1/db/model/<name> → 403")
    expect(failures).to_contain_text("ada@example.com · key demo page")
    expect(failures).to_contain_text("queue welcome-email: SMTP server refused the connection")
    expect(page.locator("#agnost-env-url")).to_have_text(browsing.url("/").rstrip("/"))
    expect(page.locator(".agnost-snippet").first).to_contain_text("createClient(")
    # Django's app list is still there, below.
    expect(page.locator("#content-main .app-agnost_core")).to_be_visible()
    browsing.screenshot(page, "overview")
    page.emulate_media(color_scheme="dark")
    browsing.screenshot(page, "overview-dark")
    page.emulate_media(color_scheme="light")

    for title, path in PAGES.items():
        page.goto(browsing.url("/admin/"))
        page.click(f"#agnost-overview a[href='{path}']")
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator(".agnost-console .module table").first).to_be_visible()
        browsing.screenshot(page, path.rsplit("/", 1)[-1])
    expect(page.locator("#content-main")).to_contain_text("can_broadcast")
    page.goto(browsing.url(PAGES["Exposed models"]))
    expect(page.locator("#agnost-table-1")).to_contain_text("todos")
    expect(page.locator("#agnost-table-1")).to_contain_text("owner")
    assert browsing.server_errors() == []
