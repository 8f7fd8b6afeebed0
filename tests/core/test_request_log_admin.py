"""The request log's admin pages through Django's test client: read-only rows, the filters
that answer "what failed in the last hour, and for whom", and the per-minute chart."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from agnost_django.core.models import RequestLog
from agnost_django.core.requestlog_admin import format_duration

URL = "/admin/agnost_core/requestlog/"


def make_row(minutes_ago: float, status: int = 200, **fields) -> RequestLog:
    values = dict(method="POST", path="/_api/rest/v1/db/get-list", module="db", operation="db.get_list",
                  status=status, duration_ms=3.24, client_key_name="web app")
    values.update(fields)
    return RequestLog.objects.create(created_at=timezone.now() - timedelta(minutes=minutes_ago), **values)


def listed_paths(response) -> list[str]:
    calls = re.findall(r'<td class="field-call">([^<]*)</td>', response.content.decode())
    return [call.split(" ", 1)[1] for call in calls]


def test_the_list_the_filters_and_the_chart(admin_client):
    make_row(1, user_label="ok@example.com")
    make_row(2, status=401, error_code="invalid_sign_in_credentials", module="auth", operation="auth.signin_email",
             path="/_api/rest/v1/auth/signin-email", user_label="")
    make_row(3, status=403, error_code="operation_not_allowed", user_label="bob@example.com", path="/_api/rest/v1/db/x")
    make_row(4, status=500, error_code="internal_server_error", path="/_api/rest/v1/db/crash", weight=1)
    make_row(5, weight=10, path="/_api/rest/v1/db/sampled")
    make_row(60 * 30, status=404, error_code="resource_not_found", path="/_api/rest/v1/old")

    response = admin_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "3.2 ms" in page and 'id="requestlog-chart"' in page
    chart = response.context["chart"]
    # Weighted: the sampled row stands for 10 calls; the 30-hour-old row is outside the hour.
    assert (chart["calls"], chart["errors"]) == (14, 3) and len(chart["bars"]) == 60
    assert page.count('<rect class="errors"') == 3

    errors_last_hour = admin_client.get(URL, {"since": "1h", "status_class": "errors"})
    assert listed_paths(errors_last_hour) == ["/_api/rest/v1/auth/signin-email", "/_api/rest/v1/db/x",
                                              "/_api/rest/v1/db/crash"]
    assert errors_last_hour.context["chart_filtered"] and errors_last_hour.context["chart"]["calls"] == 3
    assert listed_paths(admin_client.get(URL, {"status_class": "5"})) == ["/_api/rest/v1/db/crash"]
    assert listed_paths(admin_client.get(URL, {"module": "auth"})) == ["/_api/rest/v1/auth/signin-email"]
    assert listed_paths(admin_client.get(URL, {"error_code": "resource_not_found"})) == ["/_api/rest/v1/old"]
    assert listed_paths(admin_client.get(URL, {"q": "bob@"})) == ["/_api/rest/v1/db/x"]
    assert len(listed_paths(admin_client.get(URL, {"client_key": "-"}))) == 0
    # The error-code filter offers the codes seen.
    assert "?error_code=operation_not_allowed" in page


def test_rows_are_read_only(admin_client):
    row = make_row(1, status=403, error_code="operation_not_allowed")
    assert admin_client.get(URL + "add/").status_code == 403
    detail = admin_client.get(f"{URL}{row.pk}/change/")
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "operation_not_allowed" in page and 'name="_save"' not in page and "3.2 ms" in page


def test_durations_read_with_units():
    assert [format_duration(v) for v in (0.04, 3.24, 250.4, 1520)] == ["0.0 ms", "3.2 ms", "250 ms", "1.52 s"]
