"""Settings of the example host project.

Without environment variables it runs on the embedded default: SQLite, files under
``media/``, the local-memory cache, the in-memory channel layer and django-q2's ORM broker.
Production reads:

* ``DATABASE_URL`` — e.g. ``postgres://user:pass@host:5432/db`` (dj-database-url);
* ``REDIS_URL`` — e.g. ``redis://host:6379/0``: the cache (django-redis), the Channels
  layer (channels_redis) and the django-q2 broker all move to Redis;
* ``AWS_STORAGE_BUCKET_NAME`` (+ ``AWS_S3_ENDPOINT_URL``, ``AWS_LOCATION``, ``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY``, ``AWS_S3_REGION_NAME``) — files on S3-compatible storage;
* ``DJANGO_SECRET_KEY`` (required unless ``DJANGO_DEBUG=1``), ``DJANGO_DEBUG`` (``0``/``1``,
  off by default), ``DJANGO_ALLOWED_HOSTS`` and ``CORS_ALLOWED_ORIGINS`` (comma-separated);
* ``DJANGO_HTTPS`` (on unless DEBUG: HTTPS redirect, HSTS for ``DJANGO_HSTS_SECONDS``, secure
  cookies; ``DJANGO_HSTS_PRELOAD=1`` to ask browsers' preload lists) and ``TRUSTED_PROXIES``
  (the proxies' addresses or networks, whose ``X-Forwarded-For``/``-Proto`` are believed).

A ``.env`` file beside ``manage.py`` (``NAME=value`` lines) fills variables that are not set:
``make run`` writes one for development (``DJANGO_DEBUG=1`` and a random secret key).
``DJANGO_ENV_FILE`` names another file, or none when empty.
"""

import os
import warnings
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers

from agnost_django.defaults import layer_prefix

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path: str) -> None:
    if path and os.path.isfile(path):
        for line in Path(path).read_text().splitlines():
            name, sep, value = line.partition("=")
            if sep and not name.strip().startswith("#"):
                os.environ.setdefault(name.strip(), value.strip())


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


read_env_file(os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env")))
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or ("insecure-development-key" if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development; make run does).")
# ".localhost" lets the recommended envUrl http://realtime.agnost.app.localhost:8000 in.
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ".localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.postgres",  # full-text and trigram search on PostgreSQL
    "django_q",
    "agnost_django.core",
    "agnost_django.auth",
    "agnost_django.data",
    "agnost_django.storage",
    "agnost_django.realtime",
    "agnost_django.queues",
    "agnost_django.schedules",
    "agnost_django.functions",
    "agnost_django.cache",
    "project.todos",
    "project.demo",
]

MIDDLEWARE = [
    "agnost_django.core.middleware.AgnostMiddleware",  # first: JSON errors from all below
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, also under uvicorn
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get("DATABASE_POOL") == "1":
    # psycopg's connection pool, shared by the server's request threads and its websocket
    # consumers: fewer connections, at the cost of a check-out and return per request. No
    # health check per checkout (a round trip per request): a connection that broke fails one
    # request and the pool replaces it.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "10"))}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # One persistent connection per thread (the server's request threads live as long as it),
    # as apply_defaults sets: 7-15 % more gets and creates per second than the pool on the peer
    # benchmark (bench/README.md), at one connection per request thread and process.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "600"))
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the ASGI server and the qcluster write concurrently.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

REDIS_URL = os.environ.get("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
        }
    }
    # channels_redis's pub/sub layer, as socket.io's Redis adapter works: a message is one
    # PUBLISH, pushed once to each server process subscribed to its group (the list-based
    # RedisChannelLayer costs each process a Redis command per message received, and drops
    # messages past its capacity). The prefix keeps apps sharing one Redis apart, as
    # CACHE_KEY_PREFIX does the cache.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                                  "CONFIG": {"hosts": [REDIS_URL], "prefix": layer_prefix(
                                      REDIS_URL, os.environ.get("CACHE_KEY_PREFIX", ""))}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The in-memory layer of the server process, which the worker and the shell reach through a
    # Unix socket (agnost.realtime.send from a queue handler or a task reaches the browsers).
    CHANNEL_LAYERS = {"default": {"BACKEND": "agnost_django.realtime.layers.LocalChannelLayer",
                                  "CONFIG": {"capacity": 10000, "expiry": 60}}}

# django-q2: agnost's queues and tasks track, retry and recover their runs themselves, so a
# task is attempted once by django-q2 (max_attempts 1, failures acknowledged). `timeout` is the
# longest any run may take (each queue and task sets its own below it); `retry` must exceed it,
# or the ORM broker would hand a running task to a second worker.
Q_CLUSTER = {
    "name": "agnost",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 600,
    "retry": 660,
    "max_attempts": 1,
    "ack_failures": True,
    "save_limit": -1,  # agnost keeps its own tracking rows; django-q2 keeps only failures
    "catch_up": False,
    **({"redis": REDIS_URL} if REDIS_URL else {"orm": "default"}),
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # WhiteNoise serves static files from the ASGI process. With DEBUG it finds them in the
    # apps (no collectstatic); without, run `manage.py collectstatic` at deploy: files get
    # content-hashed names, are compressed, and are cached by browsers for a year.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
                    else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def _s3_transfer_config():
    from boto3.s3.transfer import TransferConfig

    config = TransferConfig(max_concurrency=4)
    config.max_in_memory_upload_chunks = 4
    return config


if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY"),
            "location": os.environ.get("AWS_LOCATION", ""),  # a folder of the bucket
            # boto3 keeps up to 10 parts of 8 MB in memory per upload by default.
            "transfer_config": _s3_transfer_config(),
        },
    }

# Argon2id first, at OWASP's cost and a bounded concurrency (agnost_django.auth.hashers): new
# and changed passwords are hashed with it, older hashes still verify and are upgraded at sign-in.
PASSWORD_HASHERS = [
    "agnost_django.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT") or BASE_DIR / "static"  # collectstatic's output
if DEBUG:  # WhiteNoise finds the files in the apps; an empty STATIC_ROOT is expected
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
MEDIA_URL = "media/"
MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or BASE_DIR / "media"  # uploaded files (local file system)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "agnost_django example API",
    "DESCRIPTION": "The altogic client REST API served by agnost_django.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Behind a proxy or load balancer, list its addresses or networks (comma-separated): only
# their X-Forwarded-For is believed, by the throttles and by `manage.py agnost_serve`.
AGNOST_CORE_TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# HTTPS in production: redirect, HSTS, cookies sent over HTTPS only. Behind a TLS-terminating
# proxy (listed in TRUSTED_PROXIES) the scheme comes from its X-Forwarded-Proto.
if env_bool("DJANGO_HTTPS", not DEBUG):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    if AGNOST_CORE_TRUSTED_PROXIES:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SECURE_HSTS_PRELOAD:  # joining the browsers' preload lists is the domain owner's call
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# CORS for browser apps: the origins below, plus any origin listed by an active client key.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/(_api|_auth|_storage|socket\.io)(/|$)"  # never the admin; endpoints: by key
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = (*default_headers, "x-client", "x-client-key", "session")

# Auth: emails and SMS go to the console unless configured (EMAIL_URL-style settings are
# the host's: EMAIL_BACKEND, EMAIL_HOST, ...).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH")  # for the file email backend
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@agnost.app.localhost")
AGNOST_AUTH_REDIRECT_URL = os.environ.get("AGNOST_AUTH_REDIRECT_URL", "http://localhost:3000/auth-redirect")
AGNOST_AUTH_EMAIL_CONFIRMATION = os.environ.get("AGNOST_AUTH_EMAIL_CONFIRMATION", "0") == "1"
AGNOST_AUTH_PHONE_CONFIRMATION = os.environ.get("AGNOST_AUTH_PHONE_CONFIRMATION", "1") == "1"
AGNOST_AUTH_SMS_BACKEND = os.environ.get("AGNOST_AUTH_SMS_BACKEND", "agnost_django.auth.sms.ConsoleBackend")
AGNOST_AUTH_SMS_FILE_PATH = os.environ.get("AGNOST_AUTH_SMS_FILE_PATH")
if os.environ.get("AGNOST_AUTH_THROTTLE_RATES"):
    import json

    AGNOST_AUTH_THROTTLE_RATES = json.loads(os.environ["AGNOST_AUTH_THROTTLE_RATES"])

# Cache: what one client may write through the client API (rate; bytes per hour, "" for none).
if os.environ.get("AGNOST_CACHE_WRITE_RATE"):
    AGNOST_CACHE_WRITE_RATE = os.environ["AGNOST_CACHE_WRITE_RATE"]
if os.environ.get("AGNOST_CACHE_CLIENT_WRITE_QUOTA"):
    AGNOST_CACHE_CLIENT_WRITE_QUOTA = int(os.environ["AGNOST_CACHE_CLIENT_WRITE_QUOTA"])

# Storage: the largest upload in bytes (100 MB by default; a bucket may lower it in the admin).
if os.environ.get("AGNOST_STORAGE_MAX_UPLOAD_SIZE"):
    AGNOST_STORAGE_MAX_UPLOAD_SIZE = int(os.environ["AGNOST_STORAGE_MAX_UPLOAD_SIZE"])

# Request log (admin: Agnost core > Request logs): "0" switches it off; SAMPLE_RATE keeps that
# share of successful calls (errors are always kept); FLUSH_INTERVAL: seconds between batches.
if os.environ.get("AGNOST_CORE_REQUEST_LOG"):
    AGNOST_CORE_REQUEST_LOG = env_bool("AGNOST_CORE_REQUEST_LOG", True)
if os.environ.get("AGNOST_CORE_REQUEST_LOG_SAMPLE_RATE"):
    AGNOST_CORE_REQUEST_LOG_SAMPLE_RATE = float(os.environ["AGNOST_CORE_REQUEST_LOG_SAMPLE_RATE"])
if os.environ.get("AGNOST_CORE_DIRECT_LANE"):
    AGNOST_CORE_DIRECT_LANE = env_bool("AGNOST_CORE_DIRECT_LANE", True)
if os.environ.get("AGNOST_CORE_LEAN_CALLS"):
    AGNOST_CORE_LEAN_CALLS = env_bool("AGNOST_CORE_LEAN_CALLS", True)
if os.environ.get("AGNOST_CORE_REQUEST_LOG_FLUSH_INTERVAL"):
    AGNOST_CORE_REQUEST_LOG_FLUSH_INTERVAL = float(os.environ["AGNOST_CORE_REQUEST_LOG_FLUSH_INTERVAL"])

# Realtime: members of a crashed process disappear PRESENCE_TTL seconds after their last heartbeat.
if os.environ.get("AGNOST_REALTIME_PRESENCE_TTL"):
    AGNOST_REALTIME_PRESENCE_TTL = float(os.environ["AGNOST_REALTIME_PRESENCE_TTL"])
if os.environ.get("AGNOST_REALTIME_HEARTBEAT_INTERVAL"):
    AGNOST_REALTIME_HEARTBEAT_INTERVAL = float(os.environ["AGNOST_REALTIME_HEARTBEAT_INTERVAL"])
if os.environ.get("AGNOST_REALTIME_SEND_BUFFER"):
    AGNOST_REALTIME_SEND_BUFFER = int(os.environ["AGNOST_REALTIME_SEND_BUFFER"])
# Resumable channels: comma-separated name patterns, e.g. "chat-*,feed" (README: Realtime).
if os.environ.get("AGNOST_REALTIME_RESUMABLE_CHANNELS"):
    AGNOST_REALTIME_RESUMABLE_CHANNELS = os.environ["AGNOST_REALTIME_RESUMABLE_CHANNELS"].split(",")
