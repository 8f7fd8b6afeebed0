"""Tasks in the admin: the next run from django-q2's schedule, run history read-only with
readable errors; django-q2's own schedule page hidden."""

from __future__ import annotations

import pytest
from django_q.models import Schedule

from agnost_django.schedules import services
from agnost_django.schedules.models import ScheduledTask, TaskRun

pytestmark = pytest.mark.django_db


def test_the_task_list_shows_the_next_run(admin_client):
    services.sync_all()
    schedule = Schedule.objects.get(name=services.PREFIX + "report")
    assert schedule.next_run is not None
    listing = admin_client.get("/admin/agnost_schedules/scheduledtask/").content.decode()
    assert "Next run" in listing and str(schedule.next_run.year) in listing
    # django-q2's page is hidden, so the next run is not a link to it.
    assert "/admin/django_q/schedule/" not in listing
    assert admin_client.get("/admin/django_q/schedule/").status_code == 404
    row = ScheduledTask.objects.get(name="report")
    page = admin_client.get(f"/admin/agnost_schedules/scheduledtask/{row.pk}/change/").content.decode()
    assert 'name="_save"' in page  # settings stay editable


def test_a_failed_run_is_a_read_only_page_with_its_error(admin_client, settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        run = services.trigger("broken", by=TaskRun.Trigger.ADMIN)
    run.refresh_from_db()
    assert run.status == "errors"
    page = admin_client.get(f"/admin/agnost_schedules/taskrun/{run.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert '<strong class="agnost-error-code">task_execution_error</strong> the task failed' in page
    assert "ValueError: the task failed\n</pre>" in page
    listing = admin_client.get("/admin/agnost_schedules/taskrun/").content.decode()
    assert "broken" in listing and ("ms</td>" in listing or " s</td>" in listing)
