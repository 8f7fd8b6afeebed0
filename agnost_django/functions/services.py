"""Endpoint options, rate limits and helper calls.

**Options rule.** An endpoint's row is created from the code's options the first time the
endpoint is synced (after ``migrate``) or called; from then on the row wins, so options changed
in the admin survive deploys. The admin action "Reset to the code's options" copies the code's
values again. The handler, its method and its path are always the code's.
"""

from __future__ import annotations

from typing import Any

from agnost_django.core.exceptions import AgnostAPIError
from agnost_django.core.registry import NotRegistered
from agnost_django.functions.exceptions import FunctionExecutionError, FunctionNotFound
from agnost_django.functions.models import Endpoint
from agnost_django.functions.registry import endpoints, functions

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
