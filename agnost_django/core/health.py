"""Cheap health probes for the admin console: each answers a :class:`~agnost_django.core.console.Check`
and never raises; a probe that may block on the network runs with a timeout."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.core.cache import caches
from django.db import connections
from django.utils.translation import gettext as _

from agnost_django.core.console import ERROR, OK, Check

#: Seconds a probe may take before it is reported unreachable.
TIMEOUT = 2.0

_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="agnost-probe")


def dotted(obj: object) -> str:
    klass = obj if isinstance(obj, type) else type(obj)
    return f"{klass.__module__}.{klass.__qualname__}"


def unreachable(name: str, value: str, exc: BaseException | str) -> Check:
    reason = exc if isinstance(exc, str) else (str(exc) or type(exc).__name__)
    return Check(name, value, ERROR, _("unreachable: %(reason)s") % {"reason": reason})


def with_timeout(name: str, value: str, probe: Callable[[], str | None], timeout: float = TIMEOUT) -> Check:
    """Run ``probe`` (which returns a detail or ``None``, or raises) within ``timeout`` seconds,
    in a thread, so that a host that does not answer costs the page ``timeout`` at most."""
    future = _executor.submit(probe)
    try:
        detail = future.result(timeout=timeout)
    except FutureTimeout:
        return unreachable(name, value, _("no answer within %(seconds)ss") % {"seconds": timeout})
    except Exception as exc:
        return unreachable(name, value, exc)
    return Check(name, value, OK, detail or _("reachable"))


def database(alias: str) -> Check:
    """``SELECT 1`` on a ``DATABASES`` alias, in the request's own connection (a database that
    does not answer has taken the admin down already)."""
    name = _("database “%(alias)s”") % {"alias": alias}
    try:
        connection = connections[alias]
        value = f"{connection.vendor} · {connection.settings_dict.get('NAME')}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return unreachable(name, locals().get("value", alias), exc)
    return Check(name, value, OK, _("reachable"))


def cache(alias: str) -> Check:
    """Set and read back a probe key on a ``CACHES`` alias."""
    name = _("cache “%(alias)s”") % {"alias": alias}
    try:
        backend = caches[alias]
    except Exception as exc:
        return unreachable(name, alias, exc)
    value = dotted(backend)

    def probe() -> str | None:
        key, token = f"agnost-console-probe-{secrets.token_hex(4)}", secrets.token_hex(4)
        backend.set(key, token, 10)
        try:
            if backend.get(key) != token:
                raise RuntimeError(_("a value set could not be read back"))
        finally:
            backend.delete(key)
        if "locmem" in value.lower():
            return _("reachable · local to each process")
        return None

    return with_timeout(name, value, probe)
