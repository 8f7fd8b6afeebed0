"""Endpoint options, rate limits and helper calls.

**Options rule.** An endpoint's row is created from the code's options the first time the
endpoint is synced (after ``migrate``) or called; from then on the row wins, so options changed
in the admin survive deploys. The admin action "Reset to the code's options" copies the code's
values again. The handler, its method and its path are always the code's.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache

from agnost_django.core.exceptions import AgnostAPIError, CoreErrorCode
from agnost_django.core.registry import NotRegistered
from agnost_django.functions.exceptions import FunctionExecutionError, FunctionNotFound
from agnost_django.functions.models import Endpoint
from agnost_django.functions.registry import endpoints, functions

_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
            "d": 86400, "day": 86400}


def code_options(entry) -> dict[str, Any]:
    return {"key_required": entry.key_required, "session_required": entry.session_required,
            "rate_limit": entry.rate_limit or "", "timeout": entry.timeout, "log_execution": entry.log_execution,
            "middlewares": list(entry.middlewares)}


def options(name: str) -> Endpoint:
    row = Endpoint.objects.filter(name=name).first()
    if row is None:
        row, _created = Endpoint.objects.get_or_create(name=name, defaults=code_options(endpoints.get(name)))
    return row


def sync_all() -> None:
    for entry in endpoints:
        Endpoint.objects.get_or_create(name=entry.name, defaults=code_options(entry))


def reset_to_code(row: Endpoint) -> None:
    for field, value in code_options(endpoints.get(row.name)).items():
        setattr(row, field, value)
    row.save()


def check_rate(name: str, rate: str, ip: str | None) -> None:
    """A fixed-window counter per endpoint and client IP, in the default cache."""
    if not rate:
        return
    count, unit = rate.split("/")
    window = _SECONDS[unit]
    key = f"agnost.endpoint-rate:{name}:{ip}:{int(time.time() // window)}"
    cache.add(key, 0, window + 1)
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 1)
        hits = 1
    if hits > int(count):
        raise AgnostAPIError("Too many requests to this endpoint.", code=CoreErrorCode.RATE_LIMIT_EXCEEDED,
                             status_code=429, details={"rate": rate})


def call_function(name: str, *args: Any, **kwargs: Any) -> Any:
    try:
        helper = functions.get(name).obj
    except NotRegistered:
        raise FunctionNotFound(f"There is no function {name!r}.", details={"function": name}) from None
    try:
        return helper(*args, **kwargs)
    except AgnostAPIError:
        raise
    except Exception as exc:
        import logging

        logging.getLogger("agnost_django.functions").exception("function %s failed", name)
        raise FunctionExecutionError(str(exc) or type(exc).__name__,
                                     details={"function": name, "exception": type(exc).__name__}) from exc
