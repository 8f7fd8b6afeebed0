"""Data benchmark: the client db REST API over real HTTP, next to its baselines.

Starts the example project with uvicorn (one process, through the interop harness, which
installs the test models of ``tests/dataapp``), seeds ``--products`` products across a few
categories (every fourth one with a review) through ``manage.py shell``, then N threads with
keep-alive connections send the requests an altogic client would: create, get by id, a
filtered and sorted page of 20 with ``returnCountInfo``, and an increment through
``object/update-fields``. Creates run last, so that the list rows see the seeded table.

Baseline A runs the same operations straight on the server's database with the driver
(psycopg on PostgreSQL, sqlite3 on the embedded stack's file), one connection per thread,
returning the same data: the product row(s), their reviews and details (the API nests the
sub-models), the count. Baseline B is the framework floor, ``GET /_api/rest/v1``. A line
above the table gives the SQL of the list alone, on one connection: the page, a plain
``COUNT(*)`` and the capped count the API runs for ``returnCountInfo``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cache_bench import run_threads  # noqa: E402
from tests.interop.server import InteropServer  # noqa: E402

CATEGORIES = 5
EXPRESSION = "quantity > 10 && in_stock == true"
PAGE_SIZE = 20
PRICE = 9.99  # a JSON number for a DecimalField(decimal_places=2)
EXACT_COUNT_CAP = 10_000  # AGNOST_DATA_EXACT_COUNT_CAP's default (the interop server's value)
SQL_TIMING_RUNS = 30

# The seed runs inside the server's settings (manage.py shell), so the rows are exactly what
# the ORM writes. Deterministic: the same products on every run.
SEED = """
import random
from tests.dataapp.models import Category, Product, Review
rng = random.Random(42)
categories = Category.objects.bulk_create(
    Category(name=f"Category {{n}}", code=f"C{{n}}") for n in range({categories}))
for start in range(0, {products}, 1000):
    batch = Product.objects.bulk_create(
        Product(name=f"product {{n}}", description=f"seeded product number {{n}}",
                quantity=rng.randint(0, 100), price=rng.randint(100, 100000) / 100,
                weight=rng.random() * 10, in_stock=rng.random() < 0.7, tags=["seed"],
                category=categories[n % len(categories)])
        for n in range(start, min(start + 1000, {products})))
    Review.objects.bulk_create(
        Review(product=product, rating=rng.randint(1, 5), text="seeded")
        for product in batch[::4])
print(",".join(str(c.pk) for c in categories))
"""

PRODUCT_COLUMNS = ("id, name, description, quantity, price, weight, in_stock, tags, category_id, "
                   "maker_id, owner_id, released_at, release_date, created_at, updated_at")
SQL = {
    "insert": "INSERT INTO dataapp_product (name, description, quantity, price, weight, in_stock, "
              "tags, category_id, secret, created_at, updated_at) "
              f"VALUES (%s, '', %s, %s, NULL, %s, '[]', %s, '', %s, %s) RETURNING {PRODUCT_COLUMNS}",
    "get": f"SELECT {PRODUCT_COLUMNS} FROM dataapp_product WHERE id = %s",
    "reviews": "SELECT id, product_id, rating, text, created_at FROM dataapp_review WHERE product_id IN ({ids})",
    "details": "SELECT id, product_id, color, width FROM dataapp_productdetail WHERE product_id IN ({ids})",
    "page": f"SELECT {PRODUCT_COLUMNS} FROM dataapp_product WHERE quantity > 10 AND in_stock "
            f"ORDER BY price DESC, id ASC LIMIT {PAGE_SIZE}",
    "count": "SELECT COUNT(*) FROM dataapp_product WHERE quantity > 10 AND in_stock",
    # What agnost_django.data.query.count_matches sends first; above the cap it then asks
    # PostgreSQL's planner for an estimate (EXPLAIN), or counts again in full on SQLite.
    "capped count": "SELECT COUNT(*) FROM (SELECT id FROM dataapp_product WHERE quantity > 10 AND in_stock "
                    f"LIMIT {EXACT_COUNT_CAP + 1}) subquery",
    "increment": f"UPDATE dataapp_product SET quantity = quantity + 1 WHERE id = %s RETURNING {PRODUCT_COLUMNS}",
}


def seed(server: InteropServer, products: int) -> list[str]:
    """Seed through the server's own settings; returns the category ids."""
    output = server.manage("shell", "-c", SEED.format(categories=CATEGORIES, products=products),
                           timeout=600).stdout
    return output.strip().splitlines()[-1].split(",")


def direct_backend(stack: str, server: InteropServer):
    """``connect()`` for one driver connection on the server's database, its SQL placeholder,
    ``now()`` for timestamp parameters and the baseline's name."""
    url = server.env["DATABASE_URL"]
    if stack == "services":
        import psycopg

        return ((lambda: psycopg.connect(url, autocommit=True)), "%s", lambda: datetime.now(UTC),
                "psycopg, same PostgreSQL database")
    path = url.removeprefix("sqlite:///")
    # Autocommit (isolation_level=None) and a busy timeout, as the server's connection has;
    # timestamps as Django stores them on SQLite (UTC, text).
    return ((lambda: sqlite3.connect(path, timeout=20, isolation_level=None)), "?",
            lambda: str(datetime.now(UTC).replace(tzinfo=None)), "sqlite3, same SQLite file (WAL)")


def direct_operations(connect, placeholder: str, now, product_ids: list[int], categories: list[str], per_thread: int):
    """``{operation: factory(thread) -> (call(i), close)}``; each thread opens its connection."""

    def sql(name: str, ids: int = 0) -> str:
        text = SQL[name].format(ids=", ".join(["%s"] * ids)) if ids else SQL[name]
        return text.replace("%s", placeholder)

    def with_children(cursor, rows):
        ids = [row[0] for row in rows]
        if ids:
            cursor.execute(sql("reviews", len(ids)), ids).fetchall()
            cursor.execute(sql("details", len(ids)), ids).fetchall()
        return rows

    def operation(body):
        def factory(index: int):
            connection = connect()
            cursor = connection.cursor()
            return (lambda i: body(cursor, index, i)), connection.close
        return factory

    def create(cursor, t, i):
        stamp = now()
        cursor.execute(sql("insert"), (f"bench {t}-{i}", i % 100, PRICE, True,
                                       categories[i % len(categories)], stamp, stamp)).fetchall()

    def get(cursor, t, i):
        with_children(cursor, cursor.execute(sql("get"), (pick(product_ids, t, i, per_thread),)).fetchall())

    def page_count(cursor, t, i):
        with_children(cursor, cursor.execute(sql("page")).fetchall())
        cursor.execute(sql("count")).fetchone()

    def increment(cursor, t, i):
        with_children(cursor, cursor.execute(sql("increment"), (pick(product_ids, t, i, per_thread),)).fetchall())

    return {"create": operation(create), "get by id": operation(get), "list + count": operation(page_count),
            "increment": operation(increment)}


def sql_timings(connection) -> dict[str, float]:
    """Median ms of the list's statements, one at a time on one connection."""
    timings = {}
    for name in ("page", "count", "capped count"):
        samples = []
        for _ in range(SQL_TIMING_RUNS):
            started = time.perf_counter()
            connection.execute(SQL[name]).fetchall()
            samples.append(time.perf_counter() - started)
        timings[name] = statistics.median(samples) * 1000
    return timings


def run_http(port: int, key: str, make_request, total: int, concurrency: int) -> dict:
    """``cache_bench.run_http``, with the response body in the error of a failed request."""
    headers = {"X-Client-Key": key, "X-Client": "altogic-js", "Content-Type": "application/json",
               "Host": f"realtime.agnost.app.localhost:{port}"}

    def factory(index: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def call(i: int) -> None:
            method, path, body = make_request(index, i)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            if response.status != 200:
                raise RuntimeError(f"{method} {path} {body}: HTTP {response.status} {content[:500]!r}")

        return call, connection.close

    return run_threads(factory, total, concurrency)


def pick(product_ids: list[int], thread: int, i: int, per_thread: int) -> int:
    """A different product for every request of the run (threads do not share rows)."""
    return product_ids[(thread * per_thread + i) % len(product_ids)]


def api_requests(product_ids: list[int], categories: list[str], per_thread: int):
    db = "/_api/rest/v1/db"
    query = {"expression": EXPRESSION, "lookups": None, "page": 1, "limit": PAGE_SIZE,
             "sort": [{"field": "price", "direction": "desc"}], "omit": None, "group": None}

    def post(route: str, body: dict):
        return "POST", f"{db}/{route}", json.dumps(body)

    return {
        "create": lambda t, i: post("create", {"model": "products", "values": {
            "name": f"bench {t}-{i}", "quantity": i % 100, "price": PRICE, "in_stock": True,
            "category": categories[i % len(categories)]}}),
        "get by id": lambda t, i: post("object/get", {
            "model": "products", "id": str(pick(product_ids, t, i, per_thread))}),
        "list + count": lambda t, i: post("get-list", {"model": "products", "query": query, "returnCountInfo": True}),
        "increment": lambda t, i: post("object/update-fields", {
            "model": "products", "id": str(pick(product_ids, t, i, per_thread)),
            "updates": [{"field": "quantity", "updateType": "increment", "value": 1}]}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", choices=("embedded", "services"), default="services")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--products", type=int, default=10_000)
    args = parser.parse_args()
    per_thread = args.requests // args.concurrency

    with InteropServer(args.stack) as server:
        started = time.perf_counter()
        categories = seed(server, args.products)
        connect, placeholder, now, direct_name = direct_backend(args.stack, server)
        connection = connect()
        product_ids = [row[0] for row in connection.execute("SELECT id FROM dataapp_product ORDER BY id")]
        matching = connection.execute(SQL["count"]).fetchone()[0]
        connection.execute("ANALYZE")
        seconds = time.perf_counter() - started
        timings = sql_timings(connection)
        connection.close()
        random.Random(7).shuffle(product_ids)

        direct = direct_operations(connect, placeholder, now, product_ids, categories, per_thread)
        requests = api_requests(product_ids, categories, per_thread)
        floor = run_http(server.port, server.client_key,
                         lambda t, i: ("GET", "/_api/rest/v1", None), args.requests, args.concurrency)
        results = {}
        for name in ("get by id", "list + count", "increment", "create"):
            base = run_threads(direct[name], args.requests, args.concurrency)
            api = run_http(server.port, server.client_key, requests[name], args.requests, args.concurrency)
            results[name] = (base, api)

    print(f"\ndata benchmark — stack {args.stack}, {len(product_ids)} products seeded in {seconds:.1f} s "
          f"({matching} match the filter), {args.requests} requests per row, "
          f"{args.concurrency} concurrent clients, 1 uvicorn process")
    print(f"list + count: get-list {EXPRESSION!r}, sort price desc, page 1 of {PAGE_SIZE}, returnCountInfo")
    print(f"its SQL alone, median of {SQL_TIMING_RUNS} on one connection: page {timings['page']:.2f} ms, "
          f"COUNT(*) {timings['count']:.2f} ms, the API's capped count (LIMIT {EXACT_COUNT_CAP + 1}) "
          f"{timings['capped count']:.2f} ms")
    print(f"baseline A: {direct_name}; baseline B: GET /_api/rest/v1 (Django + DRF floor)\n")
    header = (f"{'operation':<14}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}   {'baseline A req/s':>16}"
              f"{'p50 ms':>9}   {'API / A':>8}   {'API / B':>8}")
    print(header)
    print("-" * len(header))
    print(f"{'floor (B)':<14}{floor['rps']:>10.0f}{floor['p50']:>9.2f}{floor['p99']:>9.2f}")
    for name in ("create", "get by id", "list + count", "increment"):
        base, api = results[name]
        print(f"{name:<14}{api['rps']:>10.0f}{api['p50']:>9.2f}{api['p99']:>9.2f}   "
              f"{base['rps']:>16.0f}{base['p50']:>9.3f}   {api['rps'] / base['rps']:>8.3f}   "
              f"{api['rps'] / floor['rps']:>8.2f}")


if __name__ == "__main__":
    main()
