"""Exit 0 when PostgreSQL and Redis for tests.settings_services are reachable, else say
which one is not and exit 1 (``make test`` then skips the second pass)."""

import os
import sys

import psycopg
import redis

database_url = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")

problems = []
try:
    psycopg.connect(database_url, connect_timeout=3).close()
except psycopg.Error as exc:
    problems.append(f"PostgreSQL at {database_url}: {exc}".strip())
try:
    redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
except redis.RedisError as exc:
    problems.append(f"Redis at {redis_url}: {exc}")

for problem in problems:
    print("not reachable:", problem)
sys.exit(1 if problems else 0)
