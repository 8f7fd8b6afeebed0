"""``Result``: what every server-library call returns.

``Result(data, errors)`` mirrors the altogic client's ``{data, errors}``: ``errors`` is
``None`` on success, else ``Errors(status, status_text, items)`` with items shaped like
the REST error body (``origin``, ``code``, ``message``, ``details``). A Result is truthy
when ok, unpacks as ``data, errors = ...``, serialises with ``to_dict()`` and turns back
into Agnost's raising style with ``unwrap()``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, NamedTuple, ParamSpec

from agnost_django.core.exceptions import AgnostAPIError

P = ParamSpec("P")


class ErrorItem(NamedTuple):
    origin: str
    code: str
    message: str
    details: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        item = {"origin": self.origin, "code": self.code, "message": self.message}
        if self.details is not None:
            item["details"] = self.details
        return item


class Errors(NamedTuple):
    status: int
    status_text: str
    items: tuple[ErrorItem, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "statusText": self.status_text,
            "items": [item.to_dict() for item in self.items],
        }


class AgnostError(Exception):
    """Raised by :meth:`Result.unwrap` on a failed Result; ``.result`` holds it."""

    def __init__(self, result: Result) -> None:
        self.result = result
        first = result.errors.items[0] if result.errors and result.errors.items else None
        super().__init__(f"{first.code}: {first.message}" if first else "agnost error")

    @property
    def errors(self) -> Errors | None:
        return self.result.errors


class Result(NamedTuple):
    data: Any = None
    errors: Errors | None = None

    @property
    def ok(self) -> bool:
        return self.errors is None

    def __bool__(self) -> bool:
        return self.ok

    def unwrap(self) -> Any:
        """Return ``data``, or raise :class:`AgnostError` when the call failed."""
        if self.errors is not None:
            raise AgnostError(self)
        return self.data

    def to_dict(self) -> dict[str, Any]:
        return {"data": self.data, "errors": self.errors.to_dict() if self.errors else None}

    @classmethod
    def success(cls, data: Any = None) -> Result:
        return cls(data, None)

    @classmethod
    def failure(cls, exc: AgnostAPIError) -> Result:
        return cls(None, errors_from_exception(exc))


def errors_from_exception(exc: AgnostAPIError) -> Errors:
    status = exc.status_code
    try:
        status_text = HTTPStatus(status).phrase
    except ValueError:
        status_text = ""
    items = tuple(
        ErrorItem(item["origin"], item["code"], item["message"], item.get("details"))
        for item in exc.as_items()
    )
    return Errors(status, status_text, items)


def returns_result(func: Callable[P, Any]) -> Callable[P, Result]:
    """Decorate a server-library method: its return value becomes ``Result.data`` and an
    :class:`AgnostAPIError` it raises becomes ``Result.errors``. Other exceptions propagate,
    as unexpected errors should."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Result:
        try:
            return Result.success(func(*args, **kwargs))
        except AgnostAPIError as exc:
            return Result.failure(exc)

    return wrapper


class FailedAccessor(Result):
    """A failed Result that also stands in for a manager, so that a chain such as
    ``agnost.db("x").model("y").find_many()`` on a missing module or resource still ends
    in this same Result instead of an ``AttributeError``."""

    def __getattr__(self, name: str) -> Callable[..., FailedAccessor]:
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self

    def __call__(self, *args: Any, **kwargs: Any) -> FailedAccessor:
        return self

    @classmethod
    def for_exception(cls, exc: AgnostAPIError) -> FailedAccessor:
        return cls(None, errors_from_exception(exc))
