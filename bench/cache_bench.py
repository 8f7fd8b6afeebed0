"""Cache benchmark: the client REST API over real HTTP, next to its baselines.

Starts the example project with uvicorn (one process, through the interop harness), then
N threads with keep-alive connections send the same requests an altogic client would. The
rows are printed side by side with ratios to the direct-backend baseline.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.interop.server import InteropServer  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_threads(worker_factory, total: int, concurrency: int) -> dict:
    """Run ``concurrency`` threads, each doing ``total // concurrency`` timed calls of the
    callable ``worker_factory(thread_index)`` returns; any error stops the benchmark."""
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    per_thread = total // concurrency

    def worker(index: int) -> None:
        try:
            call, close = worker_factory(index)
            mine = []
            for i in range(per_thread):
                started = time.perf_counter()
                call(i)
                mine.append(time.perf_counter() - started)
            close()
            with lock:
                latencies.extend(mine)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return summarise(latencies, time.perf_counter() - started)


def run_http(port: int, key: str, make_request, total: int, concurrency: int) -> dict:
    headers = {"X-Client-Key": key, "X-Client": "altogic-js",
               "Host": f"realtime.agnost.app.localhost:{port}"}

    def factory(index: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def call(i: int) -> None:
            method, path, body = make_request(index, i)
            extra = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, path, body=body, headers={**headers, **extra})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: HTTP {response.status}")

        return call, connection.close

    return run_threads(factory, total, concurrency)


def run_direct(operation, total: int, concurrency: int) -> dict:
    return run_threads(lambda index: ((lambda i: operation(index, i)), lambda: None), total, concurrency)


def summarise(latencies: list[float], elapsed: float) -> dict:
    return {
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.50) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "mean": statistics.fmean(latencies) * 1000,
    }


def direct_backend(stack: str, server: InteropServer):
    """get/set/incr straight on the backend the server uses (Redis), or on an in-process
    LocMem cache for the embedded stack (whose server cache lives in the server process)."""
    if stack == "services":
        import redis

        client = redis.Redis.from_url(server.env["REDIS_URL"])
        prefix = server.env.get("CACHE_KEY_PREFIX", "") + ":bench:"
        return {
            "set": lambda t, i: client.set(f"{prefix}{t}:{i % 50}", json.dumps({"n": i})),
            "get": lambda t, i: client.get(f"{prefix}{t}:{i % 50}"),
            "increment": lambda t, i: client.incrby(f"{prefix}counter", 1),
        }, "redis-py"
    from django.conf import settings

    if not settings.configured:
        settings.configure(CACHES={"default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100_000}}})
    from django.core.cache import caches

    cache = caches["default"]
    cache.set("counter", 0, None)
    return {
        "set": lambda t, i: cache.set(f"{t}:{i % 50}", {"n": i}, None),
        "get": lambda t, i: cache.get(f"{t}:{i % 50}"),
        "increment": lambda t, i: cache.incr("counter"),
    }, "Django LocMem (in-process)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", choices=("embedded", "services"), default="embedded")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    requests = {
        "set": lambda t, i: ("POST", "/_api/rest/v1/cache",
                             json.dumps({"key": f"bench:{t}:{i % 50}", "value": {"n": i}})),
        "get": lambda t, i: ("GET", f"/_api/rest/v1/cache?key=bench:{t}:{i % 50}", None),
        "increment": lambda t, i: ("POST", "/_api/rest/v1/cache/increment",
                                   json.dumps({"key": "bench:counter", "increment": 1})),
    }
    with InteropServer(args.stack) as server:
        direct, direct_name = direct_backend(args.stack, server)
        floor = run_http(server.port, server.client_key,
                         lambda t, i: ("GET", "/_api/rest/v1", None), args.requests, args.concurrency)
        rows = []
        for name, make_request in requests.items():
            base = run_direct(direct[name], args.requests, args.concurrency)
            api = run_http(server.port, server.client_key, make_request, args.requests, args.concurrency)
            rows.append((name, base, api))

    print(f"\ncache benchmark — stack {args.stack}, {args.requests} requests per row, "
          f"{args.concurrency} concurrent clients, 1 uvicorn process")
    print(f"baseline A: {direct_name}; baseline B: GET /_api/rest/v1 (Django + DRF floor)\n")
    header = f"{'operation':<11}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}   {'baseline A req/s':>16}{'p50 ms':>9}   {'API / A':>8}   {'API / B':>8}"
    print(header)
    print("-" * len(header))
    print(f"{'floor (B)':<11}{floor['rps']:>10.0f}{floor['p50']:>9.2f}{floor['p99']:>9.2f}")
    for name, base, api in rows:
        print(f"{name:<11}{api['rps']:>10.0f}{api['p50']:>9.2f}{api['p99']:>9.2f}   "
              f"{base['rps']:>16.0f}{base['p50']:>9.3f}   {api['rps'] / base['rps']:>8.3f}   "
              f"{api['rps'] / floor['rps']:>8.2f}")


if __name__ == "__main__":
    main()
