"""Sane settings for the agnost apps, filled into a host's settings module in one call:

    # mysite/settings.py, at the end
    from agnost_django.defaults import apply_defaults

    apply_defaults(globals())

Nothing the host set is changed, except that missing entries are added to its lists:

* ``INSTALLED_APPS`` gets DRF, django-cors-headers, drf-spectacular (with its sidecar's
  offline Swagger UI when ``agnost-django[docs]`` is installed), django-q2, the agnost apps
  (``apps=`` chooses them; all by default) and ``django.contrib.postgres`` on PostgreSQL;
* ``MIDDLEWARE`` gets ``AgnostMiddleware`` first, django-cors-headers' middleware second, and
  WhiteNoise after ``SecurityMiddleware`` when it is installed (``agnost-django[server]``):
  static files served by the ASGI server;
* ``DATABASE_URL``, when it is in the environment, becomes ``DATABASES["default"]``
  (dj-database-url; persistent connections);
* a SQLite database's ``OPTIONS`` get ``transaction_mode: "IMMEDIATE"`` and ``timeout: 20``
  where unset: the request threads, the request log's writer and the qcluster write
  concurrently, and SQLite refuses a deferred transaction that read and then wants to write
  while another writes ("database is locked", without waiting);
* settings the host did not set: CORS for the altogic client's headers with credentials,
  ``ASGI_APPLICATION`` (``<project>.asgi.application``, next to ``ROOT_URLCONF``), the cache,
  Channels layer and django-q2 cluster — on Redis when ``REDIS_URL`` is in the environment
  (``agnost-django[redis]``; ``CACHE_KEY_PREFIX`` keeps apps sharing a Redis apart), else the
  embedded default (local-memory cache, :class:`~agnost_django.realtime.layers.LocalChannelLayer`,
  django-q2's ORM broker) — ``STATIC_ROOT``, drf-spectacular's schema class and the Argon2id
  password hasher first in ``PASSWORD_HASHERS``.

Set any of them yourself (before or after the call) to choose otherwise.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

APPS = ["core", "auth", "data", "storage", "realtime", "functions", "queues", "schedules", "cache"]

_HASHERS = [
    "agnost_django.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _add(values: list[str], *names: str, after: str | None = None, first: bool = False) -> list[str]:
    missing = [name for name in names if name not in values]
    if first:
        return [*missing, *values]
    if after in values:
        index = values.index(after) + 1
        return [*values[:index], *missing, *values[index:]]
    return [*values, *missing]


def apply_defaults(settings: dict[str, Any], *, apps: list[str] | None = None) -> None:
    """Fill ``settings`` (a settings module's ``globals()``) for the agnost ``apps`` (names
    from :data:`APPS`; ``core`` is always included)."""
    apps = ["core", *[app for app in (apps or APPS) if app != "core"]]
    unknown = set(apps) - set(APPS)
    if unknown:
        raise ValueError(f"unknown agnost apps {sorted(unknown)}; choose from {APPS}")
    redis_url = os.environ.get("REDIS_URL")
    prefix = os.environ.get("CACHE_KEY_PREFIX", "")
    if os.environ.get("DATABASE_URL"):
        import dj_database_url

        # Persistent connections: the ASGI handler's request threads live as long as the server.
        settings["DATABASES"] = {**settings.get("DATABASES", {}),
                                 "default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)}

    for database in settings.get("DATABASES", {}).values():
        if database.get("ENGINE", "").endswith("sqlite3"):
            options = database.setdefault("OPTIONS", {})
            options.setdefault("transaction_mode", "IMMEDIATE")  # the write lock taken at BEGIN
            options.setdefault("timeout", 20)  # seconds to wait for it

    sidecar = installed("drf_spectacular_sidecar")
    third_party = ["rest_framework", "corsheaders", "drf_spectacular"]
    if sidecar:
        third_party.append("drf_spectacular_sidecar")
    if {"queues", "schedules"} & set(apps):
        third_party.append("django_q")
    engine = settings.get("DATABASES", {}).get("default", {}).get("ENGINE", "")
    if engine.endswith("postgresql"):
        third_party.append("django.contrib.postgres")  # full-text and trigram search
    settings["INSTALLED_APPS"] = _add(list(settings.get("INSTALLED_APPS", [])), *third_party,
                                      *(f"agnost_django.{app}" for app in apps))

    middleware = _add(list(settings.get("MIDDLEWARE", [])), "agnost_django.core.middleware.AgnostMiddleware",
                      "corsheaders.middleware.CorsMiddleware", first=True)
    if middleware[0] != "agnost_django.core.middleware.AgnostMiddleware":  # first: JSON errors from all below
        middleware.remove("agnost_django.core.middleware.AgnostMiddleware")
        middleware.insert(0, "agnost_django.core.middleware.AgnostMiddleware")
    if installed("whitenoise"):
        middleware = _add(middleware, "whitenoise.middleware.WhiteNoiseMiddleware",
                          after="django.middleware.security.SecurityMiddleware")
    settings["MIDDLEWARE"] = middleware

    from corsheaders.defaults import default_headers

    settings.setdefault("CORS_ALLOW_CREDENTIALS", True)
    settings.setdefault("CORS_ALLOW_HEADERS", (*default_headers, "x-client", "x-client-key", "session"))
    root_urlconf = settings.get("ROOT_URLCONF", "")
    if root_urlconf.endswith(".urls"):
        settings.setdefault("ASGI_APPLICATION", root_urlconf.removesuffix(".urls") + ".asgi.application")
    if "BASE_DIR" in settings:
        settings.setdefault("STATIC_ROOT", settings["BASE_DIR"] / "staticfiles")
    rest_framework = settings.setdefault("REST_FRAMEWORK", {})
    rest_framework.setdefault("DEFAULT_SCHEMA_CLASS", "drf_spectacular.openapi.AutoSchema")
    if sidecar:
        spectacular = settings.setdefault("SPECTACULAR_SETTINGS", {})
        spectacular.setdefault("SWAGGER_UI_DIST", "SIDECAR")
        spectacular.setdefault("SWAGGER_UI_FAVICON_HREF", "SIDECAR")
    if "auth" in apps:
        settings.setdefault("PASSWORD_HASHERS", _HASHERS)

    if redis_url:
        if not (installed("django_redis") and installed("channels_redis")):
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured("REDIS_URL is set: the cache, Channels layer and django-q2 broker on Redis "
                                       "need pip install 'agnost-django[redis]'")
        settings.setdefault("CACHES", {"default": {
            "BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": prefix}})
        # The pub/sub layer: one PUBLISH per message, pushed once to each server process (see
        # the README's Realtime section).
        settings.setdefault("CHANNEL_LAYERS", {"default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": layer_prefix(redis_url, prefix)}}})
    else:
        settings.setdefault("CACHES", {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
        settings.setdefault("CHANNEL_LAYERS", {"default": {
            "BACKEND": "agnost_django.realtime.layers.LocalChannelLayer",
            "CONFIG": {"capacity": 10000, "expiry": 60}}})
    if "django_q" in settings["INSTALLED_APPS"]:
        # agnost's queues and tasks track, retry and recover their runs themselves: django-q2
        # attempts each once; `retry` must exceed `timeout` (see the README's Workers section).
        settings.setdefault("Q_CLUSTER", {
            "name": (root_urlconf.partition(".")[0] or "agnost"), "workers": int(os.environ.get("Q_WORKERS", "2")),
            "timeout": 600, "retry": 660, "max_attempts": 1, "ack_failures": True, "save_limit": -1,
            "catch_up": False, **({"redis": redis_url} if redis_url else {"orm": "default"})})


def layer_prefix(redis_url: str, prefix: str = "") -> str:
    """The Channels layer's prefix on Redis: ``CACHE_KEY_PREFIX`` (or ``asgi``), and the
    database number when it is not 0 — Redis pub/sub channels are shared by every database of
    a server, so apps kept apart by database would otherwise hear each other."""
    from urllib.parse import urlsplit

    database = urlsplit(redis_url).path.strip("/")
    return (prefix or "asgi") + (f"-db{database}" if database not in ("", "0") else "")
