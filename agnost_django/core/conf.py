"""Settings objects: flat ``AGNOST_<APP>_<NAME>`` settings, read at use time.

Each app's ``conf.py`` subclasses :class:`AppSettings` and exposes one instance
(``core_settings``, ``cache_settings``...). Every setting is a typed property that reads
``django.conf.settings`` at use time, so ``override_settings`` and pytest-django's
``settings`` fixture change a single value without any reload. What ``settings`` answered
is remembered until Django's ``setting_changed`` says otherwise: a missing setting costs
``LazySettings`` a raised ``AttributeError`` per read, and a handshake or request reads dozens.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string


@lru_cache(maxsize=64)
def _imported(setting: str, paths: tuple[str, ...]) -> tuple[Any, ...]:
    """The objects of ``paths`` (read on every request: imported once per value)."""
    result = []
    for path in paths:
        try:
            result.append(import_string(path))
        except ImportError as exc:
            raise ImproperlyConfigured(f"{setting} contains {path!r}, which could not be imported: {exc}") from exc
    return tuple(result)


_ABSENT = object()
# Full setting name -> its value in settings (or _ABSENT), and values derived from settings
# alone (the default authentication classes); all forgotten on setting_changed.
_read: dict[str, Any] = {}


def _forget(**kwargs) -> None:
    _read.clear()


setting_changed.connect(_forget, dispatch_uid="agnost_core_conf_forget")


@lru_cache(maxsize=64)
def _imported_one(path: str) -> Any:
    return import_string(path)


class AppSettings:
    """Base class of the per-app settings objects."""

    prefix = "AGNOST_"

    def _get(self, name: str, default: Any) -> Any:
        full = self.prefix + name
        value = _read.get(full, _ABSENT)
        if value is _ABSENT and full not in _read:
            value = _read[full] = getattr(settings, full, _ABSENT)
        return default if value is _ABSENT else value

    def is_set(self, name: str) -> bool:
        """Whether the host's settings give ``name`` (rather than leaving the default)."""
        return self._get(name, _ABSENT) is not _ABSENT

    def _import(self, name: str, default: str) -> Any:
        path = self._get(name, default)
        try:
            return _imported_one(path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"{self.prefix}{name} = {path!r} could not be imported: {exc}"
            ) from exc

    def _import_list(self, name: str, default: list[str]) -> list[Any]:
        return list(_imported(self.prefix + name, tuple(self._get(name, default))))

    @classmethod
    def setting_names(cls) -> set[str]:
        """The full names of every setting this object knows (used by the W001 check)."""
        return {
            cls.prefix + name
            for klass in cls.__mro__
            for name, value in vars(klass).items()
            if isinstance(value, property)
        }


class APISettings(AppSettings):
    """An app with client REST views: its extra DRF permission and throttle classes."""

    @property
    def PERMISSION_CLASSES(self) -> list[type]:
        """Extra DRF permission classes of the app's views (the client-key check and the app's
        own rules always apply)."""
        return self._import_list("PERMISSION_CLASSES", [])

    @property
    def THROTTLE_CLASSES(self) -> list[type] | None:
        """DRF throttle classes of the app's views; ``None`` uses the host's REST_FRAMEWORK default."""
        value = self._get("THROTTLE_CLASSES", None)
        return None if value is None else self._import_list("THROTTLE_CLASSES", [])


class CoreSettings(AppSettings):
    prefix = "AGNOST_CORE_"

    @property
    def API_PATH_PATTERN(self) -> str:
        """Regular expression (searched in the request path) of the paths whose errors are
        always answered as JSON ``{"errors": [...]}`` by :class:`AgnostMiddleware`."""
        return self._get("API_PATH_PATTERN", r"(^|/)(_api|_auth|_storage|socket\.io)(/|$)")

    @property
    def CLIENT_KEY_HEADER(self) -> str:
        """HTTP header carrying the client key (``X-Client-Key`` for the altogic client)."""
        return self._get("CLIENT_KEY_HEADER", "X-Client-Key")

    @property
    def STAFF_BROWSABLE_API(self) -> bool:
        """Whether a staff user signed in to the admin may use the API without a client key."""
        return self._get("STAFF_BROWSABLE_API", True)

    @property
    def AUTHENTICATION_CLASSES(self) -> list[type]:
        """DRF authentication classes of every agnost view (dotted paths)."""
        default = _read.get("agnost:default-authentication-classes")  # forgotten with the settings
        if default is None:
            from agnost_django.core import modules

            default = ["agnost_django.core.authentication.StaffSessionAuthentication"]
            for config in modules.installed():  # auth's session tokens
                default += [path for path in config.authentication_classes if path not in default]
            _read["agnost:default-authentication-classes"] = default
        return self._import_list("AUTHENTICATION_CLASSES", default)

    @property
    def TRUSTED_PROXIES(self) -> list[str]:
        """Addresses or networks (``"10.0.0.0/8"``) of the proxies in front of the server,
        whose ``X-Forwarded-For`` is believed; empty: the peer address is the client's."""
        return self._get("TRUSTED_PROXIES", [])

    @property
    def ADMIN_USER_INLINES(self) -> bool:
        """Whether the admin's user page shows the user's agnost profile, sessions and files
        (inlines the agnost apps add to the host's registered user admin, at start-up)."""
        return self._get("ADMIN_USER_INLINES", True)

    @property
    def CACHE(self) -> str:
        """``CACHES`` alias holding what every request asks (client keys and their origins,
        sessions, quota counters): shared by every process when it is Redis."""
        return self._get("CACHE", "default")

    @property
    def EXPRESSION_MAX_LENGTH(self) -> int:
        """Longest filter/value expression (in characters) that the expression parser accepts."""
        return self._get("EXPRESSION_MAX_LENGTH", 4096)

    @property
    def JSON_MAX_DEPTH(self) -> int:
        """Deepest nesting of arrays and objects accepted in a JSON request body."""
        return self._get("JSON_MAX_DEPTH", 64)

    @property
    def EXPRESSION_MAX_DEPTH(self) -> int:
        """Deepest nesting (operators, calls, parentheses, lists) an expression may have."""
        return self._get("EXPRESSION_MAX_DEPTH", 32)


    @property
    def HTTP_THREADS(self) -> int:
        """Threads of the ASGI handler (:mod:`agnost_django.core.asgi`) that run requests'
        middleware and views, per server process; each holds a database connection while it
        serves a request."""
        return int(self._get("HTTP_THREADS", 8))

    @property
    def DIRECT_LANE(self) -> bool:
        """Serve client calls to the data and cache routes through the direct lane
        (:mod:`agnost_django.core.direct`): the middleware of ``DIRECT_MIDDLEWARE`` only."""
        return bool(self._get("DIRECT_LANE", True))

    @property
    def LEAN_CALLS(self) -> bool:
        """Answer the client's plain JSON calls to the data routes without DRF's per-request
        machinery (:mod:`agnost_django.core.calls`), to the same answers."""
        return bool(self._get("LEAN_CALLS", True))

    @property
    def DIRECT_MIDDLEWARE(self) -> list[str]:
        """The host's ``MIDDLEWARE`` entries that the direct lane runs (in the host's order)."""
        return self._get("DIRECT_MIDDLEWARE", [
            "agnost_django.core.middleware.AgnostMiddleware",
            "corsheaders.middleware.CorsMiddleware",
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.gzip.GZipMiddleware",
        ])

    # -- background job runs (queue messages, task runs): :mod:`agnost_django.core.workers` ----

    @property
    def WORKER_HEARTBEAT_INTERVAL(self) -> float:
        """Seconds between two heartbeats of each django-q2 worker process."""
        return self._get("WORKER_HEARTBEAT_INTERVAL", 3.0)

    @property
    def WORKER_LEASE(self) -> float:
        """Seconds without a heartbeat after which a worker is presumed dead: the runs it held
        are recovered, and when its whole cluster is dead, what the cluster had taken from the
        broker is handed out again. Keep it a few heartbeats long."""
        return self._get("WORKER_LEASE", 10.0)

    @property
    def WORKER_RECOVERY_INTERVAL(self) -> float:
        """Seconds between two looks, by each worker, for the runs of lost workers."""
        return self._get("WORKER_RECOVERY_INTERVAL", 2.0)

    @property
    def JOB_LEASE_GRACE(self) -> int:
        """Seconds past a run's timeout after which it is recovered even though its worker
        still beats (a handler stuck past django-q2's timeout)."""
        return self._get("JOB_LEASE_GRACE", 30)

    @property
    def ENV_URL(self) -> str | None:
        """The envUrl the admin console tells clients to use; ``None``: the scheme and host the
        admin was opened on."""
        return self._get("ENV_URL", None)

    @property
    def ADMIN_OVERVIEW(self) -> bool:
        """Whether the admin's index opens on the console overview (modules, health, counts,
        last errors); off: Django's plain index. Only set when the site has no ``index_template``."""
        return self._get("ADMIN_OVERVIEW", True)

    # -- the request log (agnost_django.core.requestlog) -----------------------------------

    @property
    def REQUEST_LOG(self) -> bool:
        """Whether client API calls and realtime handshakes are written to the request log."""
        return bool(self._get("REQUEST_LOG", True))

    @property
    def REQUEST_LOG_SAMPLE_RATE(self) -> float:
        """Share (0 to 1) of successful calls logged; errors (4xx, 5xx) are always logged. A
        sampled row stands for ``round(1 / rate)`` calls (its ``weight``)."""
        return float(self._get("REQUEST_LOG_SAMPLE_RATE", 1.0))

    @property
    def REQUEST_LOG_RETENTION_DAYS(self) -> float:
        """Age (days) after which the scheduled purge deletes rows; 0 keeps them forever."""
        return float(self._get("REQUEST_LOG_RETENTION_DAYS", 7))

    @property
    def REQUEST_LOG_BUFFER(self) -> int:
        """Rows waiting to be written, per process, beyond which new rows are dropped (and
        counted) rather than slowing requests down."""
        return int(self._get("REQUEST_LOG_BUFFER", 10_000))

    @property
    def REQUEST_LOG_FLUSH_INTERVAL(self) -> float:
        """Seconds between two batches of each process's writer thread; 0: no thread, rows
        wait for ``requestlog.flush()`` (tests, scripts)."""
        return float(self._get("REQUEST_LOG_FLUSH_INTERVAL", 1.0))

    @property
    def REQUEST_LOG_PURGE_SCHEDULE(self) -> str | None:
        """Cron expression of the django-q2 schedule (``agnost_core.purge_request_log``,
        made by ``migrate``) that deletes old rows; ``None``: no schedule (the row is removed)."""
        return self._get("REQUEST_LOG_PURGE_SCHEDULE", "17 * * * *")


core_settings = CoreSettings()
