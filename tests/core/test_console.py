"""The admin console's overview on the admin index, and the contract apps contribute through
(``agnost_console.py``): rendered by the Django test client, with whatever modules are installed
(also run with ``tests.settings_minimal``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from agnost_django.core.console import capped_count
from agnost_django.core.models import ClientKey, RequestLog

pytestmark = [pytest.mark.minimal, pytest.mark.django_db]


@pytest.fixture
def admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def request_log(**fields) -> RequestLog:
    defaults = {"created_at": timezone.now(), "method": "GET", "path": "/_api/rest/v1/x", "status": 200,
                "duration_ms": 1.0}
    return RequestLog.objects.create(**{**defaults, **fields})


def test_the_admin_index_opens_on_the_overview_above_the_app_list(admin):
    html = admin.get("/admin/").content.decode()
    assert html.index('id="agnost-overview"') < html.index('class="app-agnost_core module')
    assert 'id="agnost-panel-agnost_core"' in html
    # Core's backends: every database alias and cache answered.
    assert "database “default”" in html and "cache “default”" in html
    assert 'agnost-check-error' not in html
    # One panel per installed agnost app, and none for the others.
    for label in ("agnost_auth", "agnost_data", "agnost_storage", "agnost_queues", "agnost_schedules",
                  "agnost_functions", "agnost_realtime", "agnost_cache"):
        installed = apps.is_installed(f"agnost_django.{label.removeprefix('agnost_')}")
        assert (f'id="agnost-panel-{label}"' in html) == installed, label


@pytest.mark.parametrize("path", ["/admin/", "/_console/agnost_core/nothing"])
def test_staff_only(client, django_user_model, path):
    assert client.get(path).status_code == 302  # to the admin's login
    client.force_login(django_user_model.objects.create_user("ada", password="pw"))
    response = client.get(path)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_env_url_and_the_snippet_show_key_prefixes_never_secrets(admin, client_key_factory, settings):
    key, secret = client_key_factory("web app")
    client_key_factory("old", expires_at=timezone.now() - timedelta(days=1))
    html = admin.get("/admin/", HTTP_HOST="realtime.agnost.app.localhost:8000").content.decode()
    assert 'createClient("http://realtime.agnost.app.localhost:8000", "%s…"); // web app' % key.prefix in html
    assert secret not in html and "// old" not in html
    assert "opens its realtime socket on this host only" not in html
    # Another host gets the realtime-host hint; a configured envUrl wins over the request's host.
    assert "opens its realtime socket on this host only" in admin.get("/admin/").content.decode()
    settings.AGNOST_CORE_ENV_URL = "https://realtime.api.example.com/"
    html = admin.get("/admin/").content.decode()
    assert '<code id="agnost-env-url">https://realtime.api.example.com</code>' in html


def test_last_errors_of_the_hour_with_who_route_and_code(admin):
    request_log(status=403, route="/_api/rest/v1/db/model/<name>", error_code="access_denied",
                user_label="ada@example.com", client_key_name="web app")
    request_log(status=500, path="/_api/rest/v1/cache", error_code="internal_error")
    request_log(status=404, error_code="stale_error", created_at=timezone.now() - timedelta(hours=2))
    request_log(status=200)
    html = admin.get("/admin/").content.decode()
    errors = html[html.index('id="agnost-failures"'):html.index('class="agnost-panels"')]
    assert "GET /_api/rest/v1/db/model/&lt;name&gt; → 403" in errors
    assert "access_denied" in errors and "ada@example.com · key web app" in errors
    assert "GET /_api/rest/v1/cache → 500" in errors and "anonymous" in errors
    assert "stale_error" not in errors
    # Newest first.
    assert errors.index("internal_error") < errors.index("access_denied")
    core = html[html.index('id="agnost-panel-agnost_core"'):]
    assert "Failed calls, last hour" in core


def test_no_errors_says_so(admin):
    html = admin.get("/admin/").content.decode()
    assert "No errors recorded recently." in html


def test_counts_are_capped(client_key_factory):
    for number in range(5):
        client_key_factory(f"key {number}")
    assert capped_count(ClientKey.objects.all(), cap=3) == "3+"
    assert capped_count(ClientKey.objects.all(), cap=5) == "5"


def test_an_unreachable_backend_is_shown_not_raised(admin, settings):
    settings.CACHES = {**settings.CACHES, "broken": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    response = admin.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index("cache “broken”"):]
    row = row[:row.index("</tr>")]
    assert "agnost-error" in row and "unreachable:" in row


def test_the_overview_can_be_turned_off(admin, settings):
    settings.AGNOST_CORE_ADMIN_OVERVIEW = False
    html = admin.get("/admin/").content.decode()
    assert 'id="agnost-overview"' not in html and 'class="app-agnost_core module' in html


def test_unknown_pages_are_404_and_pages_are_read_only(admin):
    assert admin.get("/_console/agnost_core/nothing").status_code == 404
    assert admin.get("/_console/no_such_app/models").status_code == 404
