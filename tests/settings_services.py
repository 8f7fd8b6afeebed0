"""Test settings, pass 2: PostgreSQL and Redis, as in production.

``TEST_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/test``) and
``TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379``) point at the services. Each
pytest-xdist worker gets its own Redis database number, so a worker's FLUSHDB never
touches another's keys.
"""

import os

import dj_database_url

from tests.settings import *  # noqa: F403
from tests.settings import XDIST_WORKER

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    )
}
REDIS_BASE_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
REDIS_DB = 1 + int(XDIST_WORKER.removeprefix("gw") or 0) % 14
REDIS_URL = f"{REDIS_BASE_URL}/{REDIS_DB}"
CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
# Redis pub/sub ignores database numbers: each xdist worker's layer has its own prefix.
CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                              "CONFIG": {"hosts": [REDIS_URL], "prefix": f"asgi-tests-{REDIS_DB}"}}}
Q_CLUSTER = {"name": "agnost-tests", "timeout": 600, "retry": 660, "max_attempts": 1, "ack_failures": True,
             "redis": REDIS_URL, "sync": True}
INTEROP_STACK = "services"

# Files on S3, through django-storages, against a local S3 server (tests/s3.py).
from tests import s3  # noqa: E402

S3_ENDPOINT_URL = s3.start()
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3.storage_options(S3_ENDPOINT_URL)},
}
