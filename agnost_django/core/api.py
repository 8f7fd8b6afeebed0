"""Base DRF views of every agnost module and the one exception handler.

Views subclass :class:`AgnostAPIView` or :class:`AgnostViewSet`. The base classes add the
client-key check, the module's permission and throttle settings, JSON parsing with a size
limit, query strings where ``+`` stays ``+`` (the altogic client splices raw values into
URLs), and render every error as ``{"errors": [{"origin", "code", "message", "details"}]}``
without touching the host's ``REST_FRAMEWORK`` settings.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.viewsets import ViewSet

from agnost_django.core import callers, calls, requestlog
from agnost_django.core.conf import core_settings
from agnost_django.core.exceptions import AgnostAPIError, CoreErrorCode, ValidationFailed, error_item
from agnost_django.core.parsers import LimitedJSONParser, NullJSONRenderer, body_too_large, raw_query_dict
from agnost_django.core.permissions import HasClientKey
from agnost_django.core.schema import AgnostAutoSchema

_DRF_CODES = {
    drf.ParseError: CoreErrorCode.INVALID_REQUEST_BODY_SYNTAX,
    drf.UnsupportedMediaType: CoreErrorCode.UNSUPPORTED_MEDIA_TYPE,
    drf.MethodNotAllowed: CoreErrorCode.METHOD_NOT_ALLOWED,
    drf.NotAcceptable: CoreErrorCode.NOT_ACCEPTABLE,
    drf.NotFound: CoreErrorCode.RESOURCE_NOT_FOUND,
    drf.Throttled: CoreErrorCode.RATE_LIMIT_EXCEEDED,
    drf.NotAuthenticated: CoreErrorCode.NOT_AUTHENTICATED,
    drf.AuthenticationFailed: CoreErrorCode.NOT_AUTHENTICATED,
    drf.PermissionDenied: CoreErrorCode.NOT_ALLOWED,
}


def exception_handler(exc: Exception, context: dict[str, Any]):
    """DRF's handler (headers, rollback, Http404/PermissionDenied mapping), then the
    agnost envelope; a database ``DataError`` is a 400. Unexpected exceptions return
    ``None`` and reach :class:`~agnost_django.core.middleware.AgnostMiddleware` as a 500."""
    if isinstance(exc, RequestDataTooBig):
        exc = body_too_large()
    elif isinstance(exc, Http404):
        exc = drf.NotFound(_("The requested resource was not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DataError):
        # The database refused a value of the request (on PostgreSQL: a NUL character in a
        # text, a number out of range): bad input, not a server fault.
        exc = ValidationFailed(_("A value of the request cannot be stored or compared by the database."),
                               details={"reason": "database"})
    response = drf_exception_handler(exc, context)
    if response is not None:
        items = error_items(exc)
        response.data = {"errors": items}
        if items and context.get("request") is not None:
            requestlog.annotate(context["request"], error_code=str(items[0].get("code", "")))
    return response


def error_items(exc: drf.APIException) -> list[dict[str, Any]]:
    """The ``errors`` array for a DRF exception (one entry per invalid field)."""
    status_code = exc.status_code
    if isinstance(exc, AgnostAPIError):
        return exc.as_items()
    if isinstance(exc, drf.ValidationError):
        return list(_validation_items(exc.detail, status_code))
    if isinstance(exc, drf.Throttled):
        return [
            error_item(
                status_code,
                CoreErrorCode.RATE_LIMIT_EXCEEDED.value,
                str(exc.detail),
                {"wait": exc.wait},
            )
        ]
    code = next(
        (value.value for klass, value in _DRF_CODES.items() if isinstance(exc, klass)),
        None,
    )
    if code is None:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
    return [error_item(status_code, code, str(exc.detail))]


def _validation_items(detail: Any, status_code: int, path: str = ""):
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = f"{path}.{key}" if path else str(key)
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                field = path
            yield from _validation_items(value, status_code, field)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                yield from _validation_items(value, status_code, f"{path}.{index}" if path else str(index))
            else:
                yield from _validation_items(value, status_code, path)
    else:
        details: dict[str, Any] = {"reason": getattr(detail, "code", None) or "invalid"}
        if path:
            details["field"] = path
        yield error_item(status_code, CoreErrorCode.VALIDATION_ERROR.value, str(detail), details)


class JSONBrowsableAPIRenderer(BrowsableAPIRenderer):
    """The browsable API, offering DRF's HTML form only to views that parse forms: posted
    as multipart, it could only get a 415 from a JSON-only view, whose page then shows the
    raw JSON form alone."""

    def get_rendered_html_form(self, data, view, method, request):
        if method not in ("DELETE", "OPTIONS") and not any(
            "form" in parser.media_type for parser in view.get_parsers()
        ):
            return None
        return super().get_rendered_html_form(data, view, method, request)


class AgnostViewMixin:
    """Shared policy of the agnost API views.

    ``agnost_module`` names the module for client-key operation rules; ``app_settings``
    is the module's settings object, whose optional ``PERMISSION_CLASSES`` and
    ``THROTTLE_CLASSES`` properties are read on every request."""

    agnost_module = ""
    app_settings: Any = None
    #: Answer the client's plain JSON calls through :mod:`agnost_django.core.calls` (DRF's
    #: answers, without its per-request machinery); for views whose actions read only
    #: ``request.data``, ``request.user`` and ``request.auth``.
    lean_calls = False
    # drf-spectacular's inspector per view, so the host's DEFAULT_SCHEMA_CLASS is untouched.
    schema = AgnostAutoSchema()

    def dispatch(self, request, *args, **kwargs):
        if self.lean_calls and not args and not kwargs and calls.takes(self, request):
            return calls.dispatch(self, request)
        return super().dispatch(request, *args, **kwargs)

    def get_operation(self) -> str:
        action = getattr(self, "action", None) or self.request.method.lower()
        return f"{self.agnost_module}.{action}"

    def get_exception_handler(self):
        return exception_handler

    # Reading the request. Views only turn the body into service arguments; the services check
    # every argument (type and meaning), since the server library calls them with the same.
    def body(self) -> dict[str, Any]:
        """The JSON object of the body (``{}`` when there is none)."""
        data = self.request.data
        if data in (None, ""):
            return {}
        if not isinstance(data, dict):
            raise ValidationFailed("The body must be a JSON object.")
        return data

    def field(self, name: str, default: Any = None) -> Any:
        return self.body().get(name, default)

    def required(self, name: str, data: dict[str, Any] | None = None) -> Any:
        """A field the call cannot do without (a missing, ``null`` or empty one is refused)."""
        value = (self.body() if data is None else data).get(name)
        if value in (None, ""):
            raise ValidationFailed(f"{name} is required.", details={"field": name, "reason": "required"})
        return value

    def flag(self, name: str, default: Any = False, data: dict[str, Any] | None = None) -> Any:
        """A true/false field (``null`` or missing: ``default``)."""
        value = (self.body() if data is None else data).get(name, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ValidationFailed(f"{name} must be true or false.", details={"field": name, "value": value})
        return value

    # What the request log says of the call: its operation before anything can fail, who
    # called once the call is answered (or fails).
    def initial(self, request, *args, **kwargs):
        requestlog.annotate(request, operation=self.get_operation())
        super().initial(request, *args, **kwargs)

    def _annotate_caller(self, request) -> None:
        if request is None:
            return
        attributes = request.__dict__  # never request.user: that would authenticate now
        found = {name: attributes[attribute] for name, attribute in (("client_key", "client_key"), ("user", "_user"))
                 if attributes.get(attribute) is not None}
        if found:
            requestlog.annotate(request, **found)

    def handle_exception(self, exc):
        request = getattr(self, "request", None)
        self._annotate_caller(request)
        if isinstance(exc, callers.MissingSessionToken) and request is not None and \
                getattr(request._request, "agnost_session_problem", None) == callers.INVALID:
            exc = callers.InvalidSessionToken()  # a session was sent, but it is not (or no longer) valid
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        self._annotate_caller(request)
        return super().finalize_response(request, response, *args, **kwargs)

    def get_authenticators(self):
        return [klass() for klass in core_settings.AUTHENTICATION_CLASSES]

    def get_permissions(self):
        extra = getattr(self.app_settings, "PERMISSION_CLASSES", [])
        return [HasClientKey(), *(klass() for klass in extra)]

    def get_throttles(self):
        classes = getattr(self.app_settings, "THROTTLE_CLASSES", None)
        if classes is None:
            classes = api_settings.DEFAULT_THROTTLE_CLASSES
        return [klass() for klass in classes]

    def get_parsers(self):
        return [LimitedJSONParser()]

    def perform_content_negotiation(self, request, force=False):
        # The client's calls (no Accept, */* or JSON) get the JSON renderer without DRF parsing
        # the header, as DRF would choose it.
        if (request.META.get("HTTP_ACCEPT", "*/*") in ("*/*", "application/json")
                and api_settings.URL_FORMAT_OVERRIDE not in request.query_params):
            renderer = self.get_renderers()[0]
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def get_renderers(self):
        # Fixed rather than the host's defaults: the wire protocol needs JSON first.
        return [NullJSONRenderer(), JSONBrowsableAPIRenderer()]

    def initialize_request(self, request, *args, **kwargs):
        request.GET = raw_query_dict(request.META.get("QUERY_STRING", ""))
        return super().initialize_request(request, *args, **kwargs)


class AgnostAPIView(AgnostViewMixin, APIView):
    """Base class of single-route agnost views."""


class AgnostViewSet(AgnostViewMixin, ViewSet):
    """Base class of agnost ViewSets; the action name is the operation name."""
