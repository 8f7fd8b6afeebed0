"""The view behind every endpoint path, and ``GET /_api/rest/v1/endpoints``.

Order of the checks (as Agnost): enabled -> rate limit -> client key -> session -> the
endpoint's middlewares in order -> the handler. Every error is the JSON envelope."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import logging
import time
from typing import Any

from asgiref.sync import async_to_sync
from django.http import HttpResponseBase
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import APIException, MethodNotAllowed
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework import serializers
from rest_framework.response import Response

from agnost_django.core.api import AgnostAPIView
from agnost_django.core.callers import require_signed_in
from agnost_django.core.conf import core_settings
from agnost_django.core.exceptions import AgnostAPIError
from agnost_django.core.parsers import LimitedJSONParser
from agnost_django.core.result import Result
from agnost_django.core.services import check_client_key, request_origin
from agnost_django.functions import services
from agnost_django.functions.exceptions import (
    EndpointExecutionError,
    EndpointNotFound,
    MiddlewareExecutionError,
    RequestTimedOut,
)
from agnost_django.functions.models import EndpointLog
from agnost_django.functions.registry import endpoints, middlewares
from agnost_django.functions.throttles import EndpointRateThrottle

logger = logging.getLogger("agnost_django.functions")
_threads = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="agnost-endpoint")


class EndpointView(AgnostAPIView):
    """Serves every endpoint registered at one path (``route``), dispatching on the method."""

    agnost_module = "endpoint"
    schema = None
    route: str = ""

    def get_permissions(self):
        return []  # the endpoint's own options decide

    def get_throttles(self):
        return []

    def get_parsers(self):
        return [LimitedJSONParser(), FormParser(), MultiPartParser()]

    @property
    def allowed_methods(self) -> list[str]:
        methods = {method for entry in endpoints if entry.path == self.route for method in entry.methods}
        return sorted(methods) + ["OPTIONS"]

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method)

    def _entry(self, method: str):
        for entry in endpoints:
            if entry.path == self.route and method in entry.methods:
                return entry
        return None

    def dispatch(self, request, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        started = time.monotonic()
        entry = self._entry(request.method.upper())
        try:
            self.initial(request, *args, **kwargs)
            if entry is None:
                if any(item.path == self.route for item in endpoints):
                    raise MethodNotAllowed(request.method)
                raise EndpointNotFound()
            response = self.serve(request, entry, kwargs)
        except Exception as exc:  # noqa: BLE001 - every error is JSON
            if not isinstance(exc, APIException):
                logger.exception("endpoint %s failed", entry.name if entry else self.route)
                exc = EndpointExecutionError(details={"exception": type(exc).__name__})
            response = self.handle_exception(exc)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        if entry is not None:
            self.log(entry, request, self.response, started)
        return self.response

    def serve(self, request, entry, params: dict[str, Any]):
        row = services.options(entry.name)
        if not row.enabled:
            raise EndpointNotFound()
        if row.rate_limit:
            throttle = EndpointRateThrottle(entry.name, row.rate_limit)
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())
        if row.key_required:
            request.client_key = check_client_key(
                request.headers.get(core_settings.CLIENT_KEY_HEADER), operation=f"endpoint.{entry.name}",
                origin=request_origin(request))
        if row.session_required:
            require_signed_in(request)

        def handler(req):
            return self.run_handler(entry, req, params, row.timeout)

        chain = handler
        for name in reversed(row.middlewares):
            chain = _wrap(name, chain)
        return chain(request)

    def run_handler(self, entry, request, params: dict[str, Any], timeout: float | None):
        func = entry.obj
        try:
            if inspect.iscoroutinefunction(func):
                result = async_to_sync(_with_timeout)(func(request, **params), timeout)
            elif timeout:
                future = _threads.submit(func, request, **params)
                try:
                    result = future.result(timeout)
                except concurrent.futures.TimeoutError:
                    raise RequestTimedOut(details={"timeout": timeout}) from None
            else:
                result = func(request, **params)
        except AgnostAPIError:
            raise
        except Exception as exc:
            logger.exception("endpoint %s failed", entry.name)
            raise EndpointExecutionError(details={"endpoint": entry.name, "exception": type(exc).__name__}) from exc
        return to_response(result)

    def log(self, entry, request, response, started: float) -> None:
        try:
            if not services.options(entry.name).log_execution:
                return
            error = ""
            if response.status_code >= 400 and isinstance(getattr(response, "data", None), dict):
                errors = response.data.get("errors") or [{}]
                error = str(errors[0].get("code", ""))[:100]
            user = getattr(request, "user", None)
            EndpointLog.objects.create(
                endpoint=entry.name, method=request.method, path=request.path[:2000], status=response.status_code,
                duration_ms=(time.monotonic() - started) * 1000, error=error,
                user_id=str(user.pk) if user is not None and user.is_authenticated else "")
        except Exception:  # noqa: BLE001 - logging never breaks a response
            logger.exception("could not log endpoint %s", entry.name)


async def _with_timeout(coroutine, timeout: float | None):
    if not timeout:
        return await coroutine
    try:
        return await asyncio.wait_for(coroutine, timeout)
    except asyncio.TimeoutError:
        raise RequestTimedOut(details={"timeout": timeout}) from None


def _wrap(name: str, call_next):
    def step(request):
        function = middlewares.get(name).obj
        try:
            return function(request, call_next)
        except AgnostAPIError:
            raise
        except Exception as exc:
            logger.exception("middleware %s failed", name)
            raise MiddlewareExecutionError(details={"middleware": name, "exception": type(exc).__name__}) from exc

    return step


def to_response(result: Any):
    if isinstance(result, HttpResponseBase):
        return result
    if isinstance(result, Result):
        if result.ok:
            return Response(result.data)
        return Response({"errors": [item.to_dict() for item in result.errors.items]}, status=result.errors.status)
    return Response(result)


class EndpointInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    methods = serializers.ListField(child=serializers.CharField())
    path = serializers.CharField()


@extend_schema(tags=["endpoints"])
class EndpointListView(AgnostAPIView):
    """``GET /_api/rest/v1/endpoints``: the enabled endpoints, for discovery."""

    agnost_module = "endpoint"

    @extend_schema(responses=EndpointInfoSerializer(many=True), description="The enabled endpoints.")
    def get(self, request):
        from agnost_django.functions.models import Endpoint

        disabled = set(Endpoint.objects.filter(enabled=False).values_list("name", flat=True))
        return Response([{"name": entry.name, "methods": entry.methods, "path": entry.path}
                         for entry in endpoints if entry.name not in disabled])
