"""Queue messages in the admin: read-only pages (no Save) with the payload as indented JSON,
the errors as items with their traceback, the time taken with units; requeue still works."""

from __future__ import annotations

import pytest
from django.utils import timezone

from agnost_django import agnost
from agnost_django.queues.models import QueueMessage

URL = "/admin/agnost_queues/queuemessage/"
pytestmark = pytest.mark.django_db


def test_a_dead_letter_reads_well_and_can_be_requeued(admin_client, tmp_path, settings,
                                                       django_capture_on_commit_callbacks):
    settings.DEBUG = True  # the traceback is recorded in DEBUG only
    with django_capture_on_commit_callbacks(execute=True):
        info = agnost.queue("failing").submit_message({"log": str(tmp_path / "log"), "n": 1}).unwrap()
    QueueMessage.objects.filter(pk=info["messageId"]).update(status="errors", completed_at=timezone.now())
    page = admin_client.get(f"{URL}{info['messageId']}/change/").content.decode()
    assert 'name="_save"' not in page
    assert '<pre class="agnost-json">{\n  &quot;' in page and '\n  &quot;n&quot;: 1' in page
    assert '<strong class="agnost-error-code">queue_execution_error</strong> this handler always fails' in page
    assert '<pre class="agnost-traceback">Traceback (most recent call last):\n' in page
    assert "RuntimeError: this handler always fails\n</pre>" in page
    listing = admin_client.get(URL).content.decode()
    assert " ms</td>" in listing or " s</td>" in listing  # the time taken, with its unit
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(URL, {"action": "requeue", "_selected_action": [info["messageId"]]})
    assert response.status_code == 302
    assert QueueMessage.objects.get(pk=info["messageId"]).attempts == 1
