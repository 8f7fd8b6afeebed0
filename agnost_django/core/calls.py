"""A shorter dispatch for the client's JSON calls to agnost views that opt in (``lean_calls``).

DRF's dispatch wraps each request in its ``Request``, negotiates a parser and a renderer,
asks every authentication, permission and throttle class through that wrapper and renders
the answer through the negotiated renderer. For the client's small JSON calls that costs
more than the query they make (about a third of a served ``get``). Where DRF could only
take one course, :func:`dispatch` takes it directly, to the same answer:

* the method maps to one of the view's actions; the body is JSON or empty; the caller takes
  JSON (no ``Accept``, ``*/*`` or ``application/json``; no ``format`` parameter); the request
  carries a client key and no forced test authentication;
* the host keeps agnost's authentication classes and gives the module no permission,
  throttle or versioning class of its own.

Then the view's own authenticators and permissions run with a :class:`Call` (the few
attributes of DRF's request they and the views read), the action runs, and its ``Response``
is rendered by the view's JSON renderer with DRF's headers. An exception from there on goes,
with a real DRF request carrying what was found, to the view's ``handle_exception`` and
``finalize_response``: error answers are DRF's own. Every other request takes DRF's dispatch.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.http import QueryDict
from django.utils.cache import patch_vary_headers
from django.utils.datastructures import MultiValueDict
from rest_framework.response import Response
from rest_framework.settings import api_settings

from agnost_django.core import requestlog
from agnost_django.core.authentication import StaffSessionAuthentication
from agnost_django.core.conf import core_settings
from agnost_django.core.parsers import LimitedJSONParser, NullJSONRenderer, raw_query_dict

_JSON_ACCEPT = ("*/*", "application/json")
_NOT_PARSED = object()


class Call:
    """A client's call as the agnost views, authenticators and permissions read it (the part
    of DRF's ``Request`` they use); anything else is read from the Django request."""

    def __init__(self, request, view, authenticators: list) -> None:
        self._request = request
        self._view = view
        self.authenticators = authenticators
        self._authenticator = None
        self._data: Any = _NOT_PARSED

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)

    @property
    def data(self) -> Any:
        if self._data is _NOT_PARSED:
            try:
                self._data = self._parse()
            except Exception:
                self._data = QueryDict("", encoding=self._request._encoding)  # as DRF's request does
                raise
        return self._data

    def _parse(self) -> Any:
        meta = self._request.META
        try:
            length = int(meta.get("CONTENT_LENGTH", meta.get("HTTP_CONTENT_LENGTH", 0)))
        except (ValueError, TypeError):
            length = 0
        if length == 0:
            return {}
        context = {"view": self._view, "args": (), "kwargs": {}, "request": self,
                   "encoding": self._request.encoding or settings.DEFAULT_CHARSET}
        return LimitedJSONParser().parse(io.BytesIO(self._request.body), "application/json", context)

    @property
    def query_params(self) -> QueryDict:
        return self._request.GET

    @property
    def user(self):
        return self._user

    @property
    def auth(self):
        return self._auth

    @property
    def successful_authenticator(self):
        return self._authenticator

    def authenticate(self) -> None:
        """As DRF's ``Request._authenticate``: the first authenticator that knows the caller."""
        for authenticator in self.authenticators:
            if type(authenticator) is StaffSessionAuthentication:
                continue  # it stands aside for a request with a client key, which a call has
            try:
                found = authenticator.authenticate(self)
            except Exception:
                self._anonymous()
                raise
            if found is not None:
                self._authenticator = authenticator
                self._set(*found)
                return
        self._anonymous()

    def _anonymous(self) -> None:
        self._authenticator = None
        self._set(api_settings.UNAUTHENTICATED_USER() if api_settings.UNAUTHENTICATED_USER else None,
                  api_settings.UNAUTHENTICATED_TOKEN() if api_settings.UNAUTHENTICATED_TOKEN else None)

    def _set(self, user, auth) -> None:
        self._user, self._auth = user, auth
        self._request.user, self._request.auth = user, auth  # as DRF's request does

    def as_drf_request(self):
        """A DRF request holding what this call found (for DRF's error handling)."""
        request = self._view.initialize_request(self._request)
        if "_user" in self.__dict__:
            request._user, request._auth, request._authenticator = self._user, self._auth, self._authenticator
        if self._data is not _NOT_PARSED:
            request._data = request._full_data = self._data
            request._files = MultiValueDict()
        if "client_key" in self.__dict__:
            request.client_key = self.client_key
        return request


def takes(view, request) -> bool:
    """Whether DRF could only take the one course :func:`dispatch` takes."""
    method = request.method.lower()
    if method not in view.action_map or method in ("options", "head"):
        return False
    meta = request.META
    content_type = meta.get("CONTENT_TYPE", "")
    if content_type and content_type.partition(";")[0].strip().lower() != "application/json":
        return False
    if meta.get("HTTP_ACCEPT", "*/*") not in _JSON_ACCEPT or api_settings.URL_FORMAT_OVERRIDE in request.GET:
        return False
    if not meta.get("HTTP_" + core_settings.CLIENT_KEY_HEADER.upper().replace("-", "_")):
        return False
    if getattr(request, "_force_auth_user", None) is not None or getattr(request, "_force_auth_token", None) is not None:
        return False
    return _plain_policy(type(view), view)


def _plain_policy(view_class, view) -> bool:
    """Whether lean calls are on and the view runs with agnost's own authentication and no
    permission, throttle or versioning class of the host's (remembered per view class until
    the settings change)."""
    known = _policies.get(view_class)
    if known is None:
        known = _policies[view_class] = (
            core_settings.LEAN_CALLS
            and view.versioning_class is None
            and not getattr(view.app_settings, "PERMISSION_CLASSES", [])
            and not view.get_throttles()
            and not core_settings.is_set("AUTHENTICATION_CLASSES"))
    return known


_policies: dict[type, bool] = {}
setting_changed.connect(lambda **kwargs: _policies.clear(), weak=False, dispatch_uid="agnost_core_calls_policies")


def dispatch(view, request):
    """The call's response: DRF's answer, reached directly (see the module docstring)."""
    view.args, view.kwargs = (), {}
    view.format_kwarg = None
    view.action = view.action_map[request.method.lower()]
    query_string = request.META.get("QUERY_STRING", "")
    if query_string:
        request.GET = raw_query_dict(query_string)  # as the view's initialize_request does
    call = Call(request, view, view.get_authenticators())
    view.request = call
    view.headers = view.default_response_headers
    try:
        requestlog.annotate(call, operation=view.get_operation())
        call.authenticate()
        view.check_permissions(call)
        response = getattr(view, view.action)(call)
    except Exception as exc:
        return _drf_error(view, call, exc)
    if (type(response) is not Response or response.exception or response.template_name is not None
            or response.content_type is not None):
        return view.finalize_response(_drf_request(view, call), response)
    view._annotate_caller(call)
    renderer = NullJSONRenderer()
    response.accepted_renderer, response.accepted_media_type = renderer, renderer.media_type
    response.renderer_context = view.get_renderer_context()
    response["Content-Type"] = renderer.media_type
    response.content = renderer.render(response.data, renderer.media_type, response.renderer_context)
    headers = view.headers
    vary = headers.pop("Vary", None)
    if vary is not None:
        patch_vary_headers(response, [part.strip() for part in vary.split(",")])
    for name, value in headers.items():
        response[name] = value
    return response


def _drf_error(view, call, exc):
    drf_request = _drf_request(view, call)
    return view.finalize_response(drf_request, view.handle_exception(exc))


def _drf_request(view, call):
    """The call as DRF's request, made the view's, with DRF's negotiated renderer."""
    drf_request = view.request = call.as_drf_request()
    drf_request.accepted_renderer, drf_request.accepted_media_type = view.perform_content_negotiation(drf_request)
    return drf_request
