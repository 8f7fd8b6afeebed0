"""Endpoints, middlewares and helper functions, registered from ``agnost_hooks.py``::

    from agnost_django.functions import endpoint, function, middleware

    @middleware("audit")
    def audit(request, call_next):
        response = call_next(request)
        ...
        return response

    @endpoint("get-order", method="GET", path="/orders/:id", session_required=True, middlewares=["audit"])
    def get_order(request, id):
        return {"id": id}

    @function("slugify")
    def slugify(text): ...
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agnost_django.core.registry import Registry

endpoints = Registry("endpoint")
middlewares = Registry("middleware")
functions = Registry("function")

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
_SEGMENT = re.compile(r"^(?::[A-Za-z_][A-Za-z0-9_]*|<(?:[a-z]+:)?[A-Za-z_][A-Za-z0-9_]*>|[A-Za-z0-9_.~-]+)$")
_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def django_route(path: str) -> str:
    """``/orders/:id`` -> ``orders/<str:id>``; Django converters are kept as they are."""
    segments = [f"<str:{segment[1:]}>" if segment.startswith(":") else segment for segment in path.strip("/").split("/")]
    return "/".join(segment for segment in segments if segment)


def validate_path(path: str) -> str | None:
    """What is wrong with an endpoint path, or ``None``."""
    if not isinstance(path, str) or not path.startswith("/"):
        return "must start with '/'"
    if path == "/":
        return None
    names = []
    for segment in path.strip("/").split("/"):
        if not _SEGMENT.match(segment):
            return f"the segment {segment!r} is not a name, ':param' or a Django converter"
        if segment.startswith((":", "<")):
            names.append(segment.strip(":<>").split(":")[-1])
    if len(names) != len(set(names)):
        return "a parameter name is used twice"
    return None


def endpoint(name: str, *, path: str, method: str | list[str] = "GET", key_required: bool = True,
             session_required: bool = False, rate_limit: str | None = None, timeout: float | None = None,
             log_execution: bool = True, middlewares: list[str] | tuple[str, ...] = ()) -> Callable:
    """Serve ``handler(request, **path_params)`` at ``path`` for ``method`` (one or a list).

    The defaults of the options below are the code's; once the endpoint's row exists the
    admin's values win (see :mod:`agnost_django.functions.services`).

    * ``key_required``: the ``X-Client-Key`` check of the REST API (operation ``endpoint.<name>``).
    * ``session_required``: a valid ``Session``; ``request.user`` is its user.
    * ``rate_limit``: ``"<n>/<s|min|hour|day>"`` per client IP.
    * ``timeout``: seconds; an ``async def`` handler is cancelled after it, a sync one is
      answered ``request_timed_out`` (504) while its thread runs on.
    * ``middlewares``: names of ``@middleware`` callables, run in this order.

    A handler returns data (sent as JSON), a :class:`~agnost_django.core.result.Result`, or any
    Django / DRF response (files, streams).
    """
    methods = [method] if isinstance(method, str) else list(method)
    methods = [item.upper() for item in methods]
    problem = validate_path(path)
    if problem:
        raise ValueError(f"Endpoint {name!r}: the path {path!r} {problem}.")
    if not methods or any(item not in METHODS for item in methods):
        raise ValueError(f"Endpoint {name!r}: methods must be among {', '.join(METHODS)}.")
    if rate_limit is not None and not _RATE.match(rate_limit):
        raise ValueError(f"Endpoint {name!r}: rate_limit is like '100/min'.")
    return endpoints.register(name, path=path, methods=methods, key_required=key_required,
                              session_required=session_required, rate_limit=rate_limit, timeout=timeout,
                              log_execution=log_execution, middlewares=list(middlewares))


def middleware(name: str) -> Callable:
    """Register ``callable(request, call_next) -> response`` under ``name``."""
    return middlewares.register(name)


def function(name: str) -> Callable:
    """Register a helper for ``agnost.func(name).run(*args, **kwargs)``."""
    return functions.register(name)
