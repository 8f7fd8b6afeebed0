"""The request log: one :class:`~agnost_django.core.models.RequestLog` row per client API call
and realtime handshake, written without slowing the request down.

A request only builds a tuple and appends it to this process's bounded buffer
(:func:`record`). A writer thread, started on the first row and again in a forked child (the
``agnost_serve --workers`` processes), wakes every ``AGNOST_CORE_REQUEST_LOG_FLUSH_INTERVAL``
seconds and writes what is waiting with one ``executemany``, on its own database connection.
When the buffer is full (``AGNOST_CORE_REQUEST_LOG_BUFFER`` rows: the database is down or too
slow), new rows are dropped and counted, and the writer logs how many; a batch the database
refuses is logged and dropped too. What waits is written at exit (and by :func:`flush`).

Successful calls may be sampled (``AGNOST_CORE_REQUEST_LOG_SAMPLE_RATE``); errors never are.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import random
import threading
import time
from collections import deque
from datetime import datetime, timedelta, timezone as dt_timezone

from django.conf import settings
from django.db import close_old_connections, connections, router, transaction
from django.utils import timezone

from agnost_django.core.conf import core_settings

logger = logging.getLogger("agnost_django.core.requestlog")

PURGE_SCHEDULE_NAME = "agnost_core.purge_request_log"
# The order of a buffered row (a plain tuple: the cheapest thing to build on the request thread).
FIELDS = ("created_at", "method", "path", "route", "module", "operation", "status", "error_code",
          "duration_ms", "client_key_name", "user_id", "user_label", "origin", "ip", "weight")
_LIMITS = [(FIELDS.index(name), limit) for name, limit in {
    "method": 10, "path": 500, "route": 200, "module": 20, "operation": 60, "error_code": 80,
    "client_key_name": 100, "user_id": 64, "user_label": 254, "origin": 200}.items()]
_IP = FIELDS.index("ip")


class _State:
    """One process's buffer and writer (replaced in a forked child)."""

    def __init__(self) -> None:
        self.rows: deque[tuple] = deque()
        self.dropped = 0  # rows refused since the start, because the buffer was full
        self.reported = 0  # of which the writer has logged
        self.lock = threading.Lock()  # one writer at a time: the thread, flush(), exit
        self.thread: threading.Thread | None = None
        self.stop = threading.Event()
        self.pid = os.getpid()


_state = _State()
_start_lock = threading.Lock()
_exit_registered = False


def _after_fork_in_child() -> None:
    # The parent's thread does not exist here, and its locks may have been held at the fork.
    global _state, _start_lock
    _state = _State()
    _start_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


# -- recording (request threads, the event loop) ----------------------------------------------

def annotate(request, **values) -> None:
    """Note what the request log should say of ``request`` (a Django or DRF request):
    ``operation`` (``module.action``), ``error_code``, ``client_key`` (a ``ClientKey``),
    ``user``. The agnost views and error handlers call this; ``AgnostMiddleware`` writes the
    row as the response leaves."""
    request = getattr(request, "_request", request)
    notes = request.__dict__.get("agnost_log")
    if notes is None:
        request.agnost_log = values
    else:
        notes.update(values)


def record(*, method: str, path: str, status: int, duration_ms: float, route: str = "", operation: str = "",
           error_code: str = "", client_key_name: str = "", user=None, origin: str = "",
           ip: str | None = None) -> None:
    """Queue one row (a no-op when the log is off, or when a sampled-out success). ``user``
    is a user object (its pk and email or username are logged) or ``None``."""
    if not core_settings.REQUEST_LOG:
        return
    weight = 1
    if status < 400:
        rate = core_settings.REQUEST_LOG_SAMPLE_RATE
        if rate < 1:
            if rate <= 0 or random.random() >= rate:
                return
            weight = max(1, round(1 / rate))
    user_id = user_label = ""
    if user is not None and getattr(user, "is_authenticated", False):
        user_id = str(user.pk)
        user_label = getattr(user, "email", "") or getattr(user, "get_username", user.__str__)()
    module = operation.partition(".")[0]
    row = (time.time(), method, path, route, module, operation, status, error_code, duration_ms,
           client_key_name, user_id, user_label, origin or "", ip, weight)
    state = _state
    if len(state.rows) >= core_settings.REQUEST_LOG_BUFFER:
        state.dropped += 1
        return
    state.rows.append(row)
    if state.thread is None:
        _start_writer(state)


def record_websocket(scope, *, status: int, started: float, operation: str, error_code: str = "",
                     client_key_name: str = "", user=None) -> None:
    """Queue the row of a websocket handshake (``scope``: its ASGI scope; ``started``: a
    ``time.perf_counter()`` of when it began); status 101 when it was accepted."""
    from agnost_django.core.clients import address_of

    headers = dict(scope.get("headers") or [])
    peer = scope.get("client") or (None,)
    record(method="GET", path=scope.get("path", ""), status=status,
           duration_ms=(time.perf_counter() - started) * 1000, operation=operation, error_code=error_code,
           client_key_name=client_key_name, user=user, origin=headers.get(b"origin", b"").decode("latin1"),
           ip=address_of(peer[0], headers.get(b"x-forwarded-for", b"").decode("latin1")))


def error_code_of(response) -> str:
    """The wire error code of an error response nobody annotated: a DRF ``Response``'s data,
    or a small JSON body (``{"errors": [{"code": ...}]}``)."""
    data = getattr(response, "data", None)
    if data is None and not getattr(response, "streaming", False) and "json" in response.get("Content-Type", ""):
        content = response.content
        if len(content) <= 65536:
            try:
                data = json.loads(content)
            except ValueError:
                return ""
    if isinstance(data, dict) and isinstance(data.get("errors"), list) and data["errors"]:
        first = data["errors"][0]
        if isinstance(first, dict):
            return str(first.get("code") or "")
    return ""


# -- writing ----------------------------------------------------------------------------------

def _start_writer(state: _State) -> None:
    global _exit_registered
    if core_settings.REQUEST_LOG_FLUSH_INTERVAL <= 0:
        return
    with _start_lock:
        if state.thread is not None:
            return
        state.thread = threading.Thread(target=_run, args=(state,), name="agnost-request-log", daemon=True)
        state.thread.start()
        if not _exit_registered:
            _exit_registered = True
            atexit.register(shutdown)


def _run(state: _State) -> None:
    try:
        while not state.stop.wait(max(core_settings.REQUEST_LOG_FLUSH_INTERVAL, 0.01)):
            _write(state, own_connection=True)
    finally:
        connections.close_all()  # this thread's connections only (they are per thread)


def _insert(connection, batch: list[tuple]) -> None:
    """The rows in one statement: on PostgreSQL (psycopg 3) a ``COPY``, elsewhere one
    ``executemany`` of prepared values. No model instance or SQL compilation per row (a
    ``bulk_create`` was most of the writer's CPU); ``COPY`` costs a fifth of the
    ``executemany``'s CPU, client-side and in the database (an ``INSERT`` parsed per row)."""
    from agnost_django.core.models import RequestLog

    meta, ops, quote = RequestLog._meta, connection.ops, connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(meta.get_field(name).column) for name in FIELDS)
    aware, ip_field = settings.USE_TZ, meta.get_field("ip")
    with connection.cursor() as cursor:
        copy = getattr(cursor.cursor, "copy", None) if connection.vendor == "postgresql" else None
        params = []
        for row in batch:
            values = list(row)
            created = datetime.fromtimestamp(values[0], tz=dt_timezone.utc)
            values[0] = created if aware else timezone.make_naive(created)
            for index, limit in _LIMITS:
                value = values[index]
                value = value[:limit] if isinstance(value, str) else str(value or "")[:limit]
                # A NUL (e.g. a path with %00) would make the database refuse the whole batch.
                values[index] = value.replace("\x00", "") if "\x00" in value else value
            values[_IP] = ip_field.get_prep_value(values[_IP]) or None
            params.append(values)
        if copy is not None:
            with copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
                for values in params:
                    stream.write_row(values)
            return
        placeholders = ", ".join(["%s"] * len(FIELDS))
        for values in params:
            values[0] = ops.adapt_datetimefield_value(values[0])
            values[_IP] = ops.adapt_ipaddressfield_value(values[_IP])
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", params)


def _write(state: _State, *, own_connection: bool) -> int:
    """Write every waiting row; returns how many were written."""
    from agnost_django.core.models import RequestLog

    with state.lock:
        if state.dropped > state.reported:
            logger.warning("request log: %d row(s) dropped, the buffer of %d was full",
                           state.dropped - state.reported, core_settings.REQUEST_LOG_BUFFER)
            state.reported = state.dropped
        batch = []
        rows = state.rows
        while rows:
            batch.append(rows.popleft())
        if not batch:
            return 0
        if own_connection:
            close_old_connections()  # as a request does: honours CONN_MAX_AGE, drops broken ones
        try:
            using = router.db_for_write(RequestLog)
            with transaction.atomic(using=using):  # a savepoint inside a caller's transaction
                for start in range(0, len(batch), 500):
                    _insert(connections[using], batch[start:start + 500])
        except Exception:  # noqa: BLE001 - the log never stops the writer
            logger.exception("request log: could not write %d row(s); they are dropped", len(batch))
            return 0
        finally:
            if own_connection:
                close_old_connections()
        return len(batch)


def flush() -> int:
    """Write the rows waiting in this process now, on the caller's database connection;
    returns how many were written."""
    return _write(_state, own_connection=False)


def shutdown() -> None:
    """Stop this process's writer thread and write what waits (at exit)."""
    state = _state
    state.stop.set()
    thread = state.thread
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout=5)
    try:
        flush()
    finally:
        if thread is not None:
            connections.close_all()


def discard() -> int:
    """Forget the rows waiting in this process (tests); returns how many."""
    state = _state
    with state.lock:
        count = len(state.rows)
        state.rows.clear()
        state.dropped = state.reported = 0
    return count


def pending() -> dict[str, int]:
    """This process's waiting rows and the rows dropped so far (a full buffer)."""
    return {"pending": len(_state.rows), "dropped": _state.dropped}


# -- reading and purging ----------------------------------------------------------------------

def recent_errors(since: datetime | timedelta | None = None, limit: int = 20):
    """The latest error rows (status 400 or more), newest first: since a time, or within a
    duration back from now (default: the last hour)."""
    from agnost_django.core.models import RequestLog

    if since is None:
        since = timedelta(hours=1)
    if isinstance(since, timedelta):
        since = timezone.now() - since
    return RequestLog.objects.filter(status__gte=400, created_at__gte=since).order_by("-created_at")[:limit]


def per_minute(queryset, *, minutes: int = 60, now: datetime | None = None) -> list[dict]:
    """Calls and errors (weighted) of ``queryset`` in each of the last ``minutes`` minutes,
    oldest first: ``{"minute": datetime, "calls": int, "errors": int}``."""
    from django.db.models import Q, Sum
    from django.db.models.functions import TruncMinute

    end = (now or timezone.now()).replace(second=0, microsecond=0)
    start = end - timedelta(minutes=minutes - 1)
    rows = (queryset.order_by().filter(created_at__gte=start)
            .annotate(minute=TruncMinute("created_at")).values("minute")
            .annotate(calls=Sum("weight"), errors=Sum("weight", filter=Q(status__gte=400))))
    found = {row["minute"]: row for row in rows}  # aware datetimes compare across time zones
    buckets = []
    for index in range(minutes):
        minute = start + timedelta(minutes=index)
        row = found.get(minute) or {}
        buckets.append({"minute": minute, "calls": row.get("calls") or 0, "errors": row.get("errors") or 0})
    return buckets


def purge(days: float | None = None) -> int:
    """Delete rows older than ``days`` (default ``AGNOST_CORE_REQUEST_LOG_RETENTION_DAYS``;
    0 deletes nothing); returns how many. Run by the purge schedule."""
    from agnost_django.core.models import RequestLog

    days = core_settings.REQUEST_LOG_RETENTION_DAYS if days is None else days
    if not days or days <= 0:
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _by_model = RequestLog.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def ensure_purge_schedule(using: str = "default") -> None:
    """Create, update or remove the django-q2 schedule of :func:`purge` to match
    ``AGNOST_CORE_REQUEST_LOG_PURGE_SCHEDULE`` (run after ``migrate``)."""
    from django_q.models import Schedule

    cron = core_settings.REQUEST_LOG_PURGE_SCHEDULE
    schedules = Schedule.objects.using(using)
    if not cron:
        schedules.filter(name=PURGE_SCHEDULE_NAME).delete()
        return
    schedule = schedules.filter(name=PURGE_SCHEDULE_NAME).first()
    if schedule is not None and schedule.cron == cron and schedule.func == f"{__name__}.purge":
        return
    schedule = schedule or Schedule(name=PURGE_SCHEDULE_NAME)
    schedule.func = f"{__name__}.purge"
    schedule.schedule_type = Schedule.CRON
    schedule.cron = cron
    schedule.repeats = -1
    schedule.next_run = schedule.calculate_next_run()
    schedule.save(using=using)
