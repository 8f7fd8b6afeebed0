"""``AgnostMiddleware``: every error under the API paths is JSON.

The altogic client waits forever for a non-JSON error body, so on the paths matched by
``AGNOST_CORE_API_PATH_PATTERN`` (``/_api/``, ``/_auth/``, ``/_storage/``, ``/socket.io/``),
and on any request that carries the client's ``X-Client`` or client-key header (its calls
to the host's endpoints, including paths where no endpoint is), this middleware:

* answers an unexpected exception with a JSON 500 ``internal_server_error`` (logged with
  its traceback and sent through ``got_request_exception``; the exception text is shown
  only when ``DEBUG``);
* rewrites any non-JSON error response (Django's 404 for an unknown route, 405, a CSRF
  failure page, a 400 for a bad Host, ...) into ``{"errors": [...]}`` with the same
  status.

Make it the first entry of ``MIDDLEWARE`` (before ``corsheaders.middleware.CorsMiddleware``),
so that a failure in any other middleware is JSON too and the CORS headers of the response
it rewrites are kept. Under ASGI it also looks up, off the event loop, whether a client key
allows the request's ``Origin``, for django-cors-headers' synchronous signal.

It also hands every such request (but CORS preflights) to the request log
(:mod:`agnost_django.core.requestlog`) as its response leaves, with what the views noted.
"""

from __future__ import annotations

import logging
import re
import time
from http import HTTPStatus

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.signals import got_request_exception
from django.core.exceptions import BadRequest, DisallowedHost, PermissionDenied, SuspiciousOperation
from django.http import Http404, JsonResponse

from agnost_django.core import origins, requestlog
from agnost_django.core.clients import client_ip
from agnost_django.core.conf import core_settings
from agnost_django.core.exceptions import CoreErrorCode, error_item

logger = logging.getLogger("agnost_django.request")

_CODES_BY_STATUS = {
    400: CoreErrorCode.BAD_REQUEST,
    401: CoreErrorCode.NOT_AUTHENTICATED,
    403: CoreErrorCode.NOT_ALLOWED,
    404: CoreErrorCode.RESOURCE_NOT_FOUND,
    405: CoreErrorCode.METHOD_NOT_ALLOWED,
    406: CoreErrorCode.NOT_ACCEPTABLE,
    413: CoreErrorCode.REQUEST_BODY_SIZE_TOO_LARGE,
    415: CoreErrorCode.UNSUPPORTED_MEDIA_TYPE,
    429: CoreErrorCode.RATE_LIMIT_EXCEEDED,
    500: CoreErrorCode.INTERNAL_SERVER_ERROR,
    503: CoreErrorCode.BACKEND_UNAVAILABLE,
}

# Exceptions Django itself turns into 4xx responses; they are rewritten on the way out.
_HTTP_EXCEPTIONS = (Http404, PermissionDenied, SuspiciousOperation, BadRequest)


def _is_cross_origin(request, origin: str) -> bool:
    try:
        return origin != origins.own_origin(request)
    except DisallowedHost:  # answered later, as JSON
        return True


def json_error_response(status: int, code: str, message: str, details=None) -> JsonResponse:
    return JsonResponse({"errors": [error_item(status, code, message, details)]}, status=status)


def is_api_path(path: str) -> bool:
    return re.search(core_settings.API_PATH_PATTERN, path) is not None


def is_api_request(request) -> bool:
    """An API path, or a request of the altogic client anywhere (its ``X-Client`` or
    client-key header), e.g. to a path where the host has no endpoint."""
    return (is_api_path(request.path) or bool(request.headers.get("X-Client"))
            or bool(request.headers.get(core_settings.CLIENT_KEY_HEADER)))


class AgnostMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        started = time.perf_counter()
        response = self.process_response(request, self.get_response(request))
        _log_safely(request, response, started)
        return response

    async def __acall__(self, request):
        started = time.perf_counter()
        origin = request.headers.get("Origin")
        if origin and _is_cross_origin(request, origin):
            request.agnost_key_origin_allowed = await origins.aallowed(
                origin, request.headers.get(core_settings.CLIENT_KEY_HEADER))
        response = self.process_response(request, await self.get_response(request))
        _log_safely(request, response, started)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, _HTTP_EXCEPTIONS) or not is_api_request(request):
            return None
        logger.error(
            "Internal Server Error: %s", request.path, exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        got_request_exception.send(sender=None, request=request)
        requestlog.annotate(request, error_code=CoreErrorCode.INTERNAL_SERVER_ERROR.value)
        message = str(exception) if settings.DEBUG else "Internal server error."
        return json_error_response(500, CoreErrorCode.INTERNAL_SERVER_ERROR.value, message)

    def process_response(self, request, response):
        status = response.status_code
        if status < 400 or not is_api_request(request):
            return response
        content_type = response.get("Content-Type", "")
        if "json" in content_type or getattr(response, "streaming", False):
            return response
        if getattr(response, "accepted_renderer", None) is not None:
            return response  # DRF's browsable API, which only a browser asking for HTML gets
        code = _CODES_BY_STATUS.get(status)
        code = code.value if code else ("server_error" if status >= 500 else "client_error")
        requestlog.annotate(request, error_code=code)
        try:
            message = HTTPStatus(status).phrase
        except ValueError:
            message = "Error"
        new = json_error_response(status, code, message)
        for header, value in response.items():  # Allow, Retry-After, CORS headers, ...
            if header.lower() not in ("content-type", "content-length"):
                new[header] = value
        return new


def _log_safely(request, response, started: float) -> None:
    try:
        log_request(request, response, started)
    except Exception:  # noqa: BLE001 - the request log never breaks a response
        logger.exception("request log: could not record %s", request.path)


def log_request(request, response, started: float) -> None:
    """Queue the request log's row of a client API request (see :mod:`.requestlog`)."""
    if not core_settings.REQUEST_LOG or not is_api_request(request):
        return
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return  # a CORS preflight: the browser's, not the client's, call
    notes = request.__dict__.get("agnost_log") or {}
    status = response.status_code
    error_code = notes.get("error_code", "") if status >= 400 else ""
    if status >= 400 and not error_code:
        error_code = requestlog.error_code_of(response)
    match = getattr(request, "resolver_match", None)
    key = notes.get("client_key")
    requestlog.record(
        method=request.method, path=request.path, status=status,
        duration_ms=(time.perf_counter() - started) * 1000,
        route=match.route if match is not None else "", operation=notes.get("operation", ""),
        error_code=error_code, client_key_name=key.name if key is not None else "",
        user=notes.get("user"), origin=request.headers.get("Origin", ""), ip=client_ip(request),
    )
