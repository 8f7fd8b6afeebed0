"""The request log through DRF's test client: which rows the client API's calls leave, with
what fields; sampling, the off switch, the bounded buffer, a refused batch, the purge and its
schedule. Rows wait in the buffer until ``requestlog.flush()`` here (the test settings start
no writer thread); the writer thread itself runs in ``test_writer_thread_writes_on_its_own``
and under the real server (tests/core/test_request_log_server.py)."""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from agnost_django.core import requestlog
from agnost_django.core.models import RequestLog
from agnost_django.core.testing import AgnostAPIClient
from tests.auth.conftest import PASSWORD, AuthClient
from tests.storage.conftest import StorageClient

ORIGIN = "https://app.example.com"


@pytest.fixture(autouse=True)
def log_on(settings):
    settings.AGNOST_CORE_REQUEST_LOG = True
    settings.AGNOST_CORE_REQUEST_LOG_SAMPLE_RATE = 1
    settings.AGNOST_CORE_REQUEST_LOG_FLUSH_INTERVAL = 0
    requestlog.discard()
    yield
    requestlog.discard()


def rows(**filters) -> list[RequestLog]:
    requestlog.flush()
    return list(RequestLog.objects.filter(**filters).order_by("pk"))


def only_row(**filters) -> RequestLog:
    found = rows(**filters)
    assert len(found) == 1, [(r.path, r.status) for r in found]
    return found[0]


def test_a_successful_cache_call(db):
    client = AgnostAPIClient()
    response = client.post("/_api/rest/v1/cache", {"key": "k", "value": 1}, format="json", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    row = only_row()
    assert (row.method, row.path, row.route, row.status, row.error_code) == (
        "POST", "/_api/rest/v1/cache", "_api/rest/v1/cache", 200, "")
    assert row.module == "cache" and row.operation.startswith("cache.")
    assert row.client_key_name == "test client" and row.origin == ORIGIN and row.ip == "127.0.0.1"
    assert 0 < row.duration_ms < 10_000 and row.weight == 1
    assert row.user_id == "" and abs(row.created_at - timezone.now()) < timedelta(minutes=1)


def test_a_cache_refusal_keeps_its_code(db):
    client = AgnostAPIClient()
    client.post("/_api/rest/v1/cache", {"key": "s", "value": "text"}, format="json")
    response = client.post("/_api/rest/v1/cache/increment", {"key": "s", "increment": 1}, format="json")
    assert response.status_code == 400
    row = only_row(status=400)
    assert row.error_code == "cache_value_not_integer" and row.module == "cache"


def test_a_failed_sign_in(db):
    client = AuthClient()
    client.post_("signup-email", {"email": "who@example.com", "password": PASSWORD})
    other = AuthClient(client_key=client.client_key)
    response = other.post_("signin-email", {"email": "who@example.com", "password": "wrong"})
    assert response.status_code == 401
    row = only_row(status=401)
    assert row.error_code == "invalid_sign_in_credentials"
    assert row.module == "auth" and row.operation.startswith("auth.") and row.client_key_name == "test client"
    assert row.path == "/_api/rest/v1/auth/signin-email"


def test_data_queries_refused_by_the_key(db, client_key_factory):
    _key, secret = client_key_factory("cache only", allowed_operations=["cache"])
    client = AgnostAPIClient(client_key=secret)
    assert client.post("/_api/rest/v1/db/get-list", {}, format="json").status_code == 403
    bad = AgnostAPIClient(client_key="agk_not-a-key")
    assert bad.post("/_api/rest/v1/db/get-list", {}, format="json").status_code == 401
    refused, unknown = rows()
    assert (refused.status, refused.error_code, refused.client_key_name, refused.module) == (
        403, "operation_not_allowed", "cache only", "db")
    assert (unknown.status, unknown.error_code, unknown.client_key_name) == (401, "invalid_client_key", "")


def test_a_storage_refusal_names_the_signed_in_user(user_factory):
    alice = user_factory(email="alice@example.com")
    response = StorageClient(user=alice).get("/_api/rest/v1/storage/stats")
    assert response.status_code == 403
    row = only_row()
    assert (row.module, row.status, row.user_id, row.user_label) == ("storage", 403, str(alice.pk), "alice@example.com")
    assert row.error_code == response.json()["errors"][0]["code"]


@pytest.mark.urls("tests.urls")
def test_unknown_routes_and_crashes_are_logged(db):
    client = AgnostAPIClient(raise_request_exception=False)
    assert client.get("/_api/rest/v1/no-such-route").status_code == 404
    assert client.get("/_api/rest/v1/test/boom").status_code == 500
    assert client.get("/_api/rest/v1/test/plain-boom").status_code == 500
    not_found, boom, plain = rows()
    assert (not_found.status, not_found.error_code, not_found.route, not_found.module) == (
        404, "resource_not_found", "", "")
    assert (boom.status, boom.error_code, boom.module, boom.operation) == (
        500, "internal_server_error", "core", "core.get")
    assert (plain.status, plain.error_code, plain.route) == (500, "internal_server_error", "_api/rest/v1/test/plain-boom")


def test_pages_outside_the_api_and_preflights_are_not_logged(db):
    client = APIClient()
    client.get("/admin/login/")
    client.options("/_api/rest/v1/cache", HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert rows() == []


def test_sampling_keeps_every_error_and_weighs_successes(db, settings):
    client = AgnostAPIClient()
    settings.AGNOST_CORE_REQUEST_LOG_SAMPLE_RATE = 0
    for _ in range(5):
        client.get("/_api/rest/v1/cache?key=a")
    client.post("/_api/rest/v1/cache/increment", {"key": "a", "increment": "x"}, format="json")
    (error,) = rows()
    assert (error.status, error.weight) == (400, 1)
    settings.AGNOST_CORE_REQUEST_LOG_SAMPLE_RATE = 0.25
    for _ in range(60):
        client.get("/_api/rest/v1/cache?key=a")
    sampled = rows(status=200)
    assert 0 < len(sampled) < 60 and {row.weight for row in sampled} == {4}


def test_switched_off_nothing_is_recorded(db, settings):
    settings.AGNOST_CORE_REQUEST_LOG = False
    AgnostAPIClient().get("/_api/rest/v1/no-such-route")
    assert requestlog.pending()["pending"] == 0 and rows() == []


def test_a_full_buffer_drops_rows_without_blocking(db, settings, caplog):
    settings.AGNOST_CORE_REQUEST_LOG_BUFFER = 3
    client = AgnostAPIClient()
    started = time.monotonic()
    for _ in range(5):
        client.get("/_api/rest/v1/cache?key=a")
    assert time.monotonic() - started < 5
    assert requestlog.pending() == {"pending": 3, "dropped": 2}
    with caplog.at_level(logging.WARNING, logger="agnost_django.core.requestlog"):
        assert requestlog.flush() == 3
    assert "2 row(s) dropped" in caplog.text
    assert RequestLog.objects.count() == 3


def test_a_refused_batch_is_logged_and_dropped(db, caplog):
    # A status below 0 breaks the column's CHECK constraint: the database refuses the batch.
    requestlog.record(method="GET", path="/_api/x", status=-1, duration_ms=1)
    with caplog.at_level(logging.ERROR, logger="agnost_django.core.requestlog"):
        assert requestlog.flush() == 0
    assert "could not write 1 row(s)" in caplog.text
    requestlog.record(method="GET", path="/_api/y", status=200, duration_ms=1)
    assert requestlog.flush() == 1  # the connection and the test's transaction still work
    assert [row.path for row in RequestLog.objects.all()] == ["/_api/y"]


def test_a_nul_in_a_path_does_not_cost_the_batch(db):
    # PostgreSQL text cannot hold NUL: one hostile path used to make it refuse every row
    # waiting with it.
    client = AgnostAPIClient()
    client.get("/_api/rest/v1/cache?key=a")
    client.get("/_api/rest/v1/no%00such")
    client.get("/_api/rest/v1/cache?key=b")
    paths = [row.path for row in rows()]
    assert paths == ["/_api/rest/v1/cache", "/_api/rest/v1/nosuch", "/_api/rest/v1/cache"]


def test_rows_keep_their_values_through_the_database(db):
    row = (1_700_000_000.25, "GET", "/_api/x\tab", "r", "cache", "cache.get", 201, "", 12.5,
           "key", "7", "ada@example.com", "https://o.example", "::ffff:10.0.0.1", 4)
    requestlog._state.rows.append(row)
    assert requestlog.flush() == 1
    saved = RequestLog.objects.get()
    assert saved.created_at.timestamp() == 1_700_000_000.25 and saved.path == "/_api/x\tab"
    assert (saved.status, saved.duration_ms, saved.weight, saved.user_label) == (201, 12.5, 4, "ada@example.com")
    assert saved.ip == "::ffff:10.0.0.1"


@pytest.mark.django_db(transaction=True)
def test_writer_thread_writes_on_its_own(settings):
    settings.AGNOST_CORE_REQUEST_LOG_FLUSH_INTERVAL = 0.05
    try:
        AgnostAPIClient().get("/_api/rest/v1/cache?key=a")
        thread = requestlog._state.thread
        assert thread is not None and thread.is_alive() and thread is not threading.current_thread()
        # Only the thread takes rows from the buffer. (Not read while it writes: an in-memory
        # SQLite database shared between threads locks the table instead of waiting.)
        deadline = time.monotonic() + 5
        while requestlog.pending()["pending"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert requestlog.pending()["pending"] == 0
        requestlog.shutdown()  # waits for the thread's batch
        assert RequestLog.objects.get().path == "/_api/rest/v1/cache"
    finally:
        requestlog.shutdown()
        requestlog._after_fork_in_child()  # a fresh state for the next tests (as in a forked child)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_starts_with_an_empty_buffer_and_no_writer(db):
    requestlog.record(method="GET", path="/_api/x", status=200, duration_ms=1)
    pid = os.fork()
    if pid == 0:  # the child: nothing of the parent's buffer or thread
        state = requestlog.pending()
        os._exit(0 if state == {"pending": 0, "dropped": 0} and requestlog._state.thread is None else 1)
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert requestlog.pending()["pending"] == 1


def make_row(age: timedelta, status: int = 200, weight: int = 1, **fields) -> RequestLog:
    values = dict(method="GET", path="/_api/rest/v1/cache", status=status, duration_ms=1.0, weight=weight)
    values.update(fields)
    return RequestLog.objects.create(created_at=timezone.now() - age, **values)


def test_purge_deletes_only_old_rows(db, settings):
    old = make_row(timedelta(days=8))
    kept = make_row(timedelta(days=6))
    assert requestlog.purge() == 1
    assert list(RequestLog.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not RequestLog.objects.filter(pk=old.pk).exists()
    settings.AGNOST_CORE_REQUEST_LOG_RETENTION_DAYS = 0
    assert requestlog.purge() == 0 and RequestLog.objects.count() == 1
    call_command("agnost_purge_request_log", "--days", "5", stdout=open(os.devnull, "w"))
    assert RequestLog.objects.count() == 0


def test_migrate_schedules_the_purge(db, settings):
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name=requestlog.PURGE_SCHEDULE_NAME)
    assert (schedule.func, schedule.schedule_type, schedule.cron) == (
        "agnost_django.core.requestlog.purge", Schedule.CRON, "17 * * * *")
    # The next 17 past the hour after migrate ran (the test database may be minutes old by now).
    assert (schedule.next_run.minute, schedule.next_run.second) == (17, 0)
    assert timezone.now() - timedelta(hours=1) < schedule.next_run <= timezone.now() + timedelta(hours=1)
    settings.AGNOST_CORE_REQUEST_LOG_PURGE_SCHEDULE = "*/5 * * * *"
    call_command("migrate", verbosity=0)  # post_migrate again: updated, not duplicated
    assert Schedule.objects.get(name=requestlog.PURGE_SCHEDULE_NAME).cron == "*/5 * * * *"
    settings.AGNOST_CORE_REQUEST_LOG_PURGE_SCHEDULE = None
    requestlog.ensure_purge_schedule()
    assert not Schedule.objects.filter(name=requestlog.PURGE_SCHEDULE_NAME).exists()


def test_recent_errors_and_per_minute_counts(db):
    make_row(timedelta(minutes=90), status=500, error_code="old")
    make_row(timedelta(minutes=2), status=403, error_code="operation_not_allowed")
    make_row(timedelta(minutes=1), status=401, error_code="invalid_client_key")
    make_row(timedelta(minutes=1), weight=4)
    assert [row.error_code for row in requestlog.recent_errors()] == ["invalid_client_key", "operation_not_allowed"]
    assert [row.error_code for row in requestlog.recent_errors(timedelta(hours=2), limit=1)] == ["invalid_client_key"]
    buckets = requestlog.per_minute(RequestLog.objects.all())
    assert len(buckets) == 60
    assert sum(b["calls"] for b in buckets) == 6 and sum(b["errors"] for b in buckets) == 2
    assert buckets[-1]["minute"] > buckets[0]["minute"]
