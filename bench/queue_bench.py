"""Queue benchmark: agnost queues end to end on a real django-q2 cluster, next to raw django-q2.

Starts the example project through the interop harness (``InteropServer``: a fresh
PostgreSQL database and a Redis prefix on the ``services`` stack, a SQLite file on the
``embedded`` one; the test apps ``tests.dataapp`` / ``tests.jobsapp`` installed) and one
``manage.py qcluster`` with ``--workers`` worker processes (``Worker`` of
``tests/queues/test_worker.py``; on the services stack ``REDIS_URL`` makes Redis the
django-q2 broker, on the embedded stack the broker is the ORM). Settings: the interop
server's (the cluster named after the server's ``CACHE_KEY_PREFIX``), through
``bench/queue_bench_settings.py``, which adds the ``--q-option`` overrides. Then rows, one
after the other on the same cluster, each ``--messages`` messages from ``--clients``
concurrent submitters:

* ``raw`` (the baseline) — plain django-q2: ``async_task("tests.jobsapp.agnost_hooks._trace",
  message, "done")``, i.e. exactly the body of the ``echo`` queue's handler, without agnost's
  tracking row, claim or status updates;
* ``agnost`` — ``agnost.queue("echo").submit_message(message)`` from the server library, in
  autocommit, so the timed call includes the INSERT of the tracking row, its commit and the
  hand-over to the broker (``transaction.on_commit`` -> ``dispatch``: a conditional UPDATE, a
  SELECT and ``async_task``);
* ``rest`` (only with ``--rows raw,agnost,rest``) — ``POST /_api/rest/v1/queue`` through the
  client REST API (keep-alive HTTP, one connection per submitter, the harness's single uvicorn
  process): the same submit behind the API.

The submitters of the library rows run in a subprocess of this script with the server's
environment (a Django process like ``manage.py shell``; its connection pool is raised to
``--clients`` + 2 so that no submitter waits for a connection; the workers and uvicorn keep
the project's pool). Before each row every submitter sends one untimed warm-up message
(opening its connections) and the row starts once all warm-ups have run.

Every handler run appends ``{event, id, time}`` to the row's trace file (``time.time()`` in
the worker), which gives per message: enqueue latency (the submit call, perf_counter),
end-to-end latency (submit start -> handler ran, wall clock of the same host) and the
end-to-end throughput (messages / (last handler run - first submit start)). Afterwards every
row is checked: each message ran exactly once; for agnost rows the tracking rows' statuses
(all ``completed`` with one attempt, or which are stuck ``pending``/``processing``/``errors``,
with the details of a few lost ones), the django-q2 tasks that failed, the broker list left
over, and the errors in the qcluster and uvicorn logs (``--keep DIR`` keeps the logs).

``--worker-env NAME=VALUE`` (qcluster only), ``--env NAME=VALUE`` (server and qcluster) and
``--q-option KEY=JSON`` (a ``Q_CLUSTER`` option) try settings out, e.g.
``--worker-env DATABASE_POOL=0 --q-option save_limit=-1``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RAW_FUNC = "tests.jobsapp.agnost_hooks._trace"  # the echo queue's handler body
QUEUE = "echo"
QUEUE_TABLE = "agnost_queues_queuemessage"
TASK_TABLE = "django_q_task"
# The interop server's settings plus --q-option. django-q2's Redis list is
# "django_q:<Q_CLUSTER name>:q", the name being the server's CACHE_KEY_PREFIX.
SETTINGS = "bench.queue_bench_settings"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def read_trace(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = []
    for line in path.read_text().splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            pass  # a line being written
    return lines


# -- submitters (run in the driver subprocess, or in this process for REST) -----------------


def submitter(mode: str, log: str, port: int | None = None, key: str | None = None):
    """``(submit(message_id) -> None, close() -> None)`` factory for one submitter thread."""
    if mode == "raw":
        from django_q.tasks import async_task

        def submit(message_id):
            async_task(RAW_FUNC, {"log": log, "id": message_id}, "done")

        return submit, _close_db
    if mode == "agnost":
        from agnost_django import agnost

        manager = agnost.queue(QUEUE)

        def submit(message_id):
            result = manager.submit_message({"log": log, "id": message_id})
            if not result.ok:
                raise RuntimeError(f"submit_message failed: {result.errors.to_dict()}")

        return submit, _close_db
    if mode == "rest":
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"X-Client-Key": key, "X-Client": "altogic-js", "Content-Type": "application/json",
                   "Host": f"realtime.agnost.app.localhost:{port}"}

        def submit(message_id):
            body = json.dumps({"queueNameOrId": QUEUE, "message": {"log": log, "id": message_id}})
            connection.request("POST", "/_api/rest/v1/queue", body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            if response.status != 200:
                raise RuntimeError(f"POST /queue: HTTP {response.status} {payload[:300]!r}")

        return submit, connection.close
    raise ValueError(mode)


def _close_db() -> None:
    from django.db import connections

    connections.close_all()


def submit_all(mode: str, log: Path, messages: int, clients: int, warmup_timeout: float,
               port: int | None = None, key: str | None = None) -> dict:
    """Warm up (one untimed message per submitter, wait until all ran), then submit
    ``messages`` messages from ``clients`` threads; per message: id, wall-clock start,
    latency. Errors are collected, not raised."""
    factories = [submitter(mode, str(log), port, key) for _ in range(clients)]
    warm = threading.Barrier(clients + 1)
    go = threading.Event()
    records: list[tuple[int, float, float]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def thread(index: int) -> None:
        submit, close = factories[index]
        mine = []
        try:
            try:
                submit(f"warmup-{index}")
            except Exception as exc:  # noqa: BLE001 - reported
                with lock:
                    errors.append(f"warm-up: {type(exc).__name__}: {exc}")
            warm.wait()
            go.wait()
            for message_id in range(index, messages, clients):
                wall = time.time()
                started = time.perf_counter()
                try:
                    submit(message_id)
                except Exception as exc:  # noqa: BLE001 - reported
                    with lock:
                        errors.append(f"message {message_id}: {type(exc).__name__}: {exc}")
                    continue
                mine.append((message_id, wall, time.perf_counter() - started))
        finally:
            close()
            with lock:
                records.extend(mine)

    threads = [threading.Thread(target=thread, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    warm.wait()
    deadline = time.monotonic() + warmup_timeout
    warmups = {f"warmup-{n}" for n in range(clients)}
    while time.monotonic() < deadline:
        if warmups <= {line.get("id") for line in read_trace(log)}:
            break
        time.sleep(0.05)
    else:
        errors.append(f"warm-up messages did not all run within {warmup_timeout:.0f} s")
    started = time.perf_counter()
    go.set()
    for t in threads:
        t.join()
    return {"records": records, "errors": errors, "submit_seconds": time.perf_counter() - started}


def driver_main(args: argparse.Namespace) -> None:
    """``--driver MODE``: the submitters of a library row, in a Django process with the
    server's environment; prints the result as JSON on stdout."""
    import django

    django.setup()
    result = submit_all(args.driver, Path(args.log), args.messages, args.clients, args.warmup_timeout)
    sys.stdout.write(json.dumps(result))


# -- the benchmark --------------------------------------------------------------------------


def progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run_row(mode: str, server, worker_log: Path, args: argparse.Namespace) -> dict:
    log = server.tmpdir / f"trace-{mode}.jsonl"
    progress(f"row {mode}: warming up and submitting")
    if mode == "rest":
        submitted = submit_all(mode, log, args.messages, args.clients, args.warmup_timeout,
                               port=server.port, key=server.client_key)
    else:
        env = {**server.env, "DATABASE_POOL_MAX_SIZE": str(args.clients + 2)}
        process = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--driver", mode, "--log", str(log),
             "--messages", str(args.messages), "--clients", str(args.clients),
             "--warmup-timeout", str(args.warmup_timeout)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=args.timeout + args.warmup_timeout + 60)
        if process.returncode != 0:
            raise RuntimeError(f"driver {mode} exited with {process.returncode}:\n{process.stderr[-5000:]}")
        submitted = json.loads(process.stdout)
    records = submitted["records"]
    expected = {r[0] for r in records}
    progress(f"row {mode}: {len(records)} submitted in {submitted['submit_seconds']:.1f} s, waiting for the runs")
    # Wait until every message ran, or --timeout, or nothing progressed for --stall seconds: no
    # handler ran and django-q2's monitor saved no result (a worker that is recycled waits for
    # the monitor to take all its results); a stuck message would wait REDISPATCH_AFTER (600 s)
    # or its lease.
    deadline = time.monotonic() + args.timeout
    last_count, last_progress = -1, time.monotonic()
    saved, offset = 0, 0
    while time.monotonic() < deadline:
        ran = {line["id"] for line in read_trace(log) if isinstance(line.get("id"), int)}
        if expected <= ran:
            break
        with open(worker_log, "rb") as handle:  # only what the qcluster logged since the last look
            handle.seek(offset)
            chunk = handle.read()
            chunk = chunk[:chunk.rfind(b"\n") + 1]
            offset += len(chunk)
            saved += chunk.count(b"INFO Processed ")
        count = len(ran) + saved
        if count != last_count:
            last_count, last_progress = count, time.monotonic()
        elif time.monotonic() - last_progress > args.stall:
            progress(f"row {mode}: no progress for {args.stall:.0f} s, {len(expected - ran)} messages not run")
            break
        time.sleep(0.2)
    else:
        progress(f"row {mode}: --timeout reached")
    time.sleep(0.5)  # let a duplicate run, if any, show up
    trace = [line for line in read_trace(log) if isinstance(line.get("id"), int)]
    done: dict[int, float] = {}
    runs: dict[int, int] = {}
    for line in trace:
        runs[line["id"]] = runs.get(line["id"], 0) + 1
        done.setdefault(line["id"], line["time"])
    starts = {r[0]: r[1] for r in records}
    e2e = [done[i] - starts[i] for i in starts if i in done]
    first = min(starts.values()) if starts else 0.0
    last = max((done[i] for i in starts if i in done), default=first)
    latencies = [r[2] for r in records]
    return {
        "mode": mode, "log": log, "submitted": len(records), "errors": submitted["errors"],
        "submit_rate": len(records) / submitted["submit_seconds"] if submitted["submit_seconds"] else 0.0,
        "enq_p50": percentile(latencies, 0.50) * 1000 if latencies else float("nan"),
        "enq_p99": percentile(latencies, 0.99) * 1000 if latencies else float("nan"),
        "ran": len(expected & set(done)), "lost": sorted(expected - set(done))[:20],
        "lost_count": len(expected - set(done)), "twice": sorted(i for i, n in runs.items() if n > 1)[:20],
        "twice_count": sum(1 for n in runs.values() if n > 1),
        "throughput": len(e2e) / (last - first) if e2e and last > first else float("nan"),
        "e2e_p50": percentile(e2e, 0.50) * 1000 if e2e else float("nan"),
        "e2e_p99": percentile(e2e, 0.99) * 1000 if e2e else float("nan"),
        "last_done": last,
    }


class Database:
    """Read-only checks straight on the server's database (psycopg or sqlite3)."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite:")
        if self.sqlite:
            import sqlite3

            self.connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        else:
            import psycopg

            self.connection = psycopg.connect(url, autocommit=True)

    def rows(self, sql: str) -> list[tuple]:
        cursor = self.connection.cursor()
        cursor.execute(sql)
        return cursor.fetchall()

    def close(self) -> None:
        self.connection.close()


def check_tracking(db: Database, since: float, last_done: float, timeout: float = 10.0) -> str:
    """The tracking rows of one agnost row (submitted after ``since``, warm-ups included):
    statuses, retries, stuck rows, and how long after the last handler run the last one was
    marked completed."""
    since_sql = (f"datetime({since}, 'unixepoch')" if db.sqlite else f"to_timestamp({since})")
    completed_at = ("(julianday(completed_at) - 2440587.5) * 86400.0" if db.sqlite
                    else "extract(epoch from completed_at)")
    where = f"queue_name = '{QUEUE}' AND submitted_at >= {since_sql}"
    deadline = time.monotonic() + timeout
    while True:
        statuses = dict(db.rows(f"SELECT status, COUNT(*) FROM {QUEUE_TABLE} WHERE {where} GROUP BY status"))
        if set(statuses) <= {"completed"} or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    (retried,), = db.rows(f"SELECT COUNT(*) FROM {QUEUE_TABLE} WHERE {where} AND (attempts > 1 OR delivery > 1)")
    (handed,), = db.rows(f"SELECT COUNT(*) FROM {QUEUE_TABLE} WHERE {where} AND status = 'pending' "
                         "AND dispatched_at IS NOT NULL")
    (last_completed,), = db.rows(f"SELECT MAX({completed_at}) FROM {QUEUE_TABLE} WHERE {where}")
    text = "tracking rows (warm-ups included) " + ", ".join(
        f"{status} {count}" for status, count in sorted(statuses.items()))
    if handed:
        text += f" (pending and already handed to the broker: {handed}, dispatched again after REDISPATCH_AFTER)"
    text += f"; retried/redelivered: {retried}"
    if last_completed is not None:
        text += f"; last completed_at {(float(last_completed) - last_done) * 1000:+.0f} ms after the last handler run"
    return text


def lost_rows(db: Database, since: float, ids: list[int]) -> list[str]:
    """The tracking rows of messages whose handler never ran (times as HH:MM:SS.fff, to be
    read next to the qcluster log of ``--keep``)."""
    since_sql = (f"datetime({since}, 'unixepoch')" if db.sqlite else f"to_timestamp({since})")
    message_id = "json_extract(payload, '$.id')" if db.sqlite else "(payload->>'id')"
    wanted = ", ".join(f"'{i}'" for i in ids)
    rows = db.rows(f"SELECT {message_id}, id, status, attempts, delivery, submitted_at, dispatched_at, started_at, "
                   f"worker FROM {QUEUE_TABLE} WHERE queue_name = '{QUEUE}' AND submitted_at >= {since_sql} "
                   f"AND CAST({message_id} AS TEXT) IN ({wanted})")

    def clock(value):
        if value is None:
            return "-"
        if isinstance(value, str):
            return value[11:23]
        return value.astimezone().strftime("%H:%M:%S.%f")[:-3]

    return [f"message {m}: row {pk} {status}, attempts {attempts}, delivery {delivery}, submitted {clock(sub)}, "
            f"handed to the broker {clock(disp)}, started {clock(start)}, worker {worker or '-'}"
            for m, pk, status, attempts, delivery, sub, disp, start, worker in rows]


def foreign_clusters(own_pgid: int) -> list[str]:
    """Other ``qcluster`` processes on this machine (concurrent test runs): they have broker
    lists of their own, but share the CPUs."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if "qcluster" not in cmdline or "manage.py" not in cmdline:
                continue
            if os.getpgid(int(proc.name)) == own_pgid:
                continue
        except (OSError, ProcessLookupError):
            continue
        found.append(f"{proc.name}: {cmdline.strip()[:120]}")
    return found


def summarise_log(name: str, text: str) -> str:
    """Counts of the log's problems: ERROR/CRITICAL/WARNING records and the exceptions that
    tracebacks end with (ids and numbers blanked), most frequent first."""
    import collections
    import re

    counts: collections.Counter[str] = collections.Counter()
    for line in text.splitlines():
        if line.startswith("psycopg."):
            continue  # the cause of the django.db.utils error logged next to it
        if re.search(r"\b(ERROR|CRITICAL|WARNING)\b", line) or re.match(r"^[\w.]+(Error|Exception)\b.*", line):
            line = re.sub(r"^\d\d:\d\d:\d\d ", "", line)
            line = re.sub(r"\(agnost-queue:\w+\) - ", "", line.split(" : Traceback")[0])
            counts[re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "N", line)[:160]] += 1
    if not counts:
        return f"{name}: no errors"
    return f"{name}: " + "; ".join(f"{count}x {line}" for line, count in counts.most_common(8))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", choices=("embedded", "services"), default="services")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20, help="concurrent submitters")
    parser.add_argument("--workers", type=int, default=2, help="django-q2 worker processes (Q_WORKERS)")
    parser.add_argument("--rows", default="raw,agnost",
                        help="comma-separated rows to run, in order: raw (the baseline), agnost, rest "
                             "(the REST row is left out by default to keep a run under ~2 minutes)")
    parser.add_argument("--timeout", type=float, default=300.0, help="most seconds to wait for a row's messages")
    parser.add_argument("--stall", type=float, default=30.0,
                        help="stop waiting for a row's messages after this many seconds without progress")
    parser.add_argument("--warmup-timeout", type=float, default=60.0)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra settings variable of the server and the qcluster, e.g. DATABASE_POOL=0 "
                             "(repeatable)")
    parser.add_argument("--worker-env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra settings variable of the qcluster only, e.g. DATABASE_POOL=0 (repeatable)")
    parser.add_argument("--q-option", action="append", default=[], metavar="KEY=JSON",
                        help="override a Q_CLUSTER option of the run, e.g. save_limit=-1 or recycle=5000 "
                             "(repeatable; the default is the project's Q_CLUSTER)")
    parser.add_argument("--keep", metavar="DIR", help="copy the qcluster and uvicorn logs and the traces here")
    parser.add_argument("--driver", choices=("raw", "agnost"), help=argparse.SUPPRESS)
    parser.add_argument("--log", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.driver:
        driver_main(args)
        return

    from tests.interop.server import InteropServer
    from tests.queues.test_worker import Worker

    modes = [m.strip() for m in args.rows.split(",") if m.strip()]
    labels = {"raw": "django-q2 async_task (baseline)", "agnost": "agnost submit_message",
              "rest": "agnost POST /queue (REST)"}
    began = time.monotonic()
    results = []
    notes = []
    progress(f"starting the {args.stack} stack")
    extra_env = {"DJANGO_SETTINGS_MODULE": SETTINGS, **dict(item.split("=", 1) for item in args.env)}
    q_options = {key: json.loads(value) for key, value in (item.split("=", 1) for item in args.q_option)}
    if q_options:
        extra_env["QUEUE_BENCH_Q_OPTIONS"] = json.dumps(q_options)
    with InteropServer(args.stack, env=extra_env) as server:
        progress("server up; starting the qcluster")
        worker_env = dict(item.split("=", 1) for item in args.worker_env)
        worker = Worker(types.SimpleNamespace(env={**server.env, **worker_env}, tmpdir=server.tmpdir),
                        workers=args.workers)
        try:
            own = os.getpgid(worker.process.pid)
            others = foreign_clusters(own)
            if others:
                notes.append(f"note: other qcluster processes ({len(others)}) were running at the start "
                             "(another test run: a broker list of its own, the same CPUs)")
            db = Database(server.env["DATABASE_URL"])
            try:
                failed_before = 0
                for mode in modes:
                    since = time.time() - 1
                    result = run_row(mode, server, worker.log, args)
                    result["check"] = (check_tracking(db, since, result["last_done"]) + "; "
                                       if mode in ("agnost", "rest") else "")
                    if mode in ("agnost", "rest") and result["lost"]:
                        result["lost_rows"] = lost_rows(db, since, result["lost"][:5])
                    (failed,), = db.rows(f"SELECT COUNT(*) FROM {TASK_TABLE} WHERE NOT success")
                    result["check"] += f"django-q2 failed tasks: {failed - failed_before}"
                    failed_before = failed
                    results.append(result)
                (failed,), = db.rows(f"SELECT COUNT(*) FROM {TASK_TABLE} WHERE NOT success")
                notes.append(f"django-q2 task rows with success = false after all rows: {failed}")
            finally:
                db.close()
            if args.stack == "services":
                import redis

                client = redis.Redis.from_url(server.env["REDIS_URL"])
                key = f"django_q:{server.env['CACHE_KEY_PREFIX']}:q"
                notes.append(f"broker list {key} length at the end: {client.llen(key)}")
                client.close()
            others = foreign_clusters(own)
            if others:
                notes.append(f"note: other qcluster processes ({len(others)}) were running at the end")
        finally:
            progress("stopping the qcluster")
            stopping = time.monotonic()
            worker.stop()  # SIGTERM to its main process, SIGKILL to the group after 15 s
            notes.append(f"qcluster stop: {time.monotonic() - stopping:.1f} s, exit code {worker.process.returncode}"
                         f"{' (killed: it did not stop on SIGTERM within 15 s)' if worker.process.returncode else ''}")
        if args.keep:
            import shutil

            keep = Path(args.keep)
            keep.mkdir(parents=True, exist_ok=True)
            for path in [worker.log, *server.tmpdir.glob("*.log"), *server.tmpdir.glob("trace-*.jsonl")]:
                shutil.copy(path, keep / path.name)
            notes.append(f"logs and traces copied to {keep}")
        progress("stopping the server")
        notes.append(summarise_log("qcluster log", worker.log.read_text(errors="replace")))
        notes.append(summarise_log("uvicorn log", server.log()))

    broker = "Redis broker" if args.stack == "services" else "ORM broker"
    database = "PostgreSQL" if args.stack == "services" else "SQLite"
    print(f"\nqueue benchmark — stack {args.stack} ({database}, django-q2 {broker}), {args.workers} workers "
          f"(one qcluster), {args.messages} messages per row, {args.clients} concurrent submitters, "
          f"{time.monotonic() - began:.0f} s in all")
    changes = [f"{name}={value}" for name, value in extra_env.items()
               if name not in ("DJANGO_SETTINGS_MODULE", "QUEUE_BENCH_Q_OPTIONS")]
    changes += [f"qcluster {name}={value}" for name, value in worker_env.items()]
    changes += [f"Q_CLUSTER {key}={json.dumps(value)}" for key, value in q_options.items()]
    print(f"settings: the interop server's (the project's + test apps, own cluster name)"
          f"{'; changed: ' + ', '.join(changes) if changes else ''}")
    print(f"baseline: django-q2 async_task({RAW_FUNC}) — the echo handler's body, no tracking row\n")
    header = (f"{'row':<34}{'enqueue p50':>12}{'p99 ms':>9}{'submits/s':>11}   {'e2e msg/s':>10}"
              f"{'e2e p50':>10}{'p99 ms':>9}   {'msg/s vs base':>13}{'enq p50 vs base':>16}")
    print(header)
    print("-" * len(header))
    base = next((r for r in results if r["mode"] == "raw"), None)
    for r in results:
        ratio = (f"{r['throughput'] / base['throughput']:>13.2f}{r['enq_p50'] / base['enq_p50']:>16.1f}"
                 if base and r is not base else "")
        print(f"{labels[r['mode']]:<34}{r['enq_p50']:>12.2f}{r['enq_p99']:>9.2f}{r['submit_rate']:>11.0f}   "
              f"{r['throughput']:>10.0f}{r['e2e_p50']:>10.0f}{r['e2e_p99']:>9.0f}   {ratio}")
    print()
    for r in results:
        line = (f"{r['mode']}: submitted {r['submitted']}/{args.messages}, ran {r['ran']}, not run {r['lost_count']}"
                f"{' ' + str(r['lost']) if r['lost'] else ''}, ran twice {r['twice_count']}"
                f"{' ' + str(r['twice']) if r['twice'] else ''}, errors {len(r['errors'])}; {r['check']}")
        print(line)
        for error in r["errors"][:5]:
            print(f"    {error}")
        for row in r.get("lost_rows", []):
            print(f"    {row}")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
