"""Endpoints and their logs in the admin: middlewares edited one per line and listed with
their code, durations with units, logs read-only."""

from __future__ import annotations

from agnost_django.functions.models import Endpoint, EndpointLog

ADMIN = "/admin/agnost_functions"


def test_middlewares_are_listed_and_edited_one_per_line(agnost_client, admin_client):
    agnost_client.get("/orders/1")
    row = Endpoint.objects.get(name="echo-order")
    listing = admin_client.get(f"{ADMIN}/endpoint/").content.decode()
    assert "stamp → second" in listing
    url = f"{ADMIN}/endpoint/{row.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert ">\nstamp\nsecond</textarea>" in page
    assert "<strong>stamp</strong> <code>tests.jobsapp.agnost_hooks.stamp</code>" in page  # registered ones
    response = admin_client.post(url, {"enabled": "on", "key_required": "on", "log_execution": "on",
                                       "middlewares": "second\nstamp\n"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.middlewares == ["second", "stamp"]
    response = admin_client.post(url, {"enabled": "on", "middlewares": "stamp\nnope"})
    assert "registered middleware" in response.content.decode()


def test_logs_are_read_only_with_durations_in_units(agnost_client, admin_client):
    agnost_client.get("/orders/2")
    log = EndpointLog.objects.get()
    EndpointLog.objects.filter(pk=log.pk).update(duration_ms=56.938253999987865)
    listing = admin_client.get(f"{ADMIN}/endpointlog/").content.decode()
    assert "57 ms" in listing and "56.938" not in listing
    page = admin_client.get(f"{ADMIN}/endpointlog/{log.pk}/change/").content.decode()
    assert "57 ms" in page and 'name="_save"' not in page
    assert admin_client.post(f"{ADMIN}/endpointlog/{log.pk}/change/", {}).status_code == 403
