"""drf-spectacular integration of the agnost views.

:class:`AgnostAutoSchema` (every agnost view's ``schema``) declares what the server really
requires and answers:

* security: the ``X-Client-Key`` header on every operation (scheme ``clientKey``), with the
  ``Session`` header (scheme ``session``) required where a permission of the view has
  ``requires_session = True`` (``IsSignedIn`` of :mod:`.callers`) and optional elsewhere; staff signed in
  to the admin (scheme ``adminSession``, the ``sessionid`` cookie) as an alternative to the
  key, for the browsable API, while ``AGNOST_CORE_STAFF_BROWSABLE_API`` is on;
* error responses: the ``{"errors": [{origin, code, message, details?}]}`` envelope
  (component ``Error``) for the statuses every operation can answer (400, 401, 403, 429,
  and 413/415 where there is a request body). Views add their own with
  ``responses={200: ..., **error_responses(404, 409)}``. Each status is one shared
  response (``#/components/responses/NotFound``).

Views declare their tag (``@extend_schema(tags=["cache"])``) and bodies with serializers or
the raw schemas below.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

CLIENT_KEY_SCHEME = "clientKey"
SESSION_SCHEME = "session"
ADMIN_SCHEME = "adminSession"

ERROR_DESCRIPTIONS = {
    400: "Invalid input: `validation_error` (one entry per field, `details.field`), "
         "`invalid_request_body_syntax`, or the module's own code.",
    401: "`missing_client_key` or `invalid_client_key`; where a session is needed, "
         "`missing_session_token` or `invalid_session_token` (the client then drops its session).",
    403: "The key is inactive or expired, the origin or the operation is not allowed by the key, "
         "or the caller may not do this (`not_allowed`).",
    404: "The named resource does not exist.",
    409: "The name is taken.",
    413: "The request body is too large (`request_body_size_too_large`).",
    415: "The request body is not JSON (`unsupported_media_type`).",
    429: "Throttled (`rate_limit_exceeded`, `details.wait` seconds; `Retry-After`).",
    501: "The backend lacks this operation (`unsupported_function`).",
    502: "An upstream service failed.",
    503: "A backend is unavailable (`backend_unavailable`).",
    504: "The operation timed out.",
}
COMMON_ERRORS = (400, 401, 403, 429)
BODY_ERRORS = (413, 415)

# Raw schemas for bodies that serializers cannot describe.
NULL = {"type": "object", "nullable": True, "enum": [None], "description": "JSON `null`."}
ANY_JSON = {"description": "Any JSON value."}
JSON_OBJECT = {"type": "object", "additionalProperties": True}


class ErrorItemSerializer(serializers.Serializer):
    origin = serializers.ChoiceField(["client_error", "server_error"])
    code = serializers.CharField(help_text="Stable snake_case code.")
    message = serializers.CharField()
    details = serializers.DictField(required=False, help_text="Anything to add, e.g. `field`.")


class ErrorSerializer(serializers.Serializer):
    """Every failure's body."""

    errors = ErrorItemSerializer(many=True)


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """``{status: error response}``, to merge into ``@extend_schema(responses=...)``."""
    return {status: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status]) for status in statuses}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (a reference too) or JSON ``null``."""
    if "$ref" in schema:  # siblings of $ref are ignored in OpenAPI 3.0
        return {"allOf": [schema], "nullable": True}
    return {**schema, "nullable": True}


def listing(item_ref: dict[str, Any]) -> dict[str, Any]:
    """An array of items, or ``{info, data}`` when ``returnCountInfo`` is asked for."""
    return {"oneOf": [
        {"type": "array", "items": item_ref},
        {"type": "object", "required": ["info", "data"], "properties": {
            "info": {"type": "object", "properties": {
                "count": {"type": "integer"}, "totalPages": {"type": "integer"},
                "currentPage": {"type": "integer"}, "pageSize": {"type": "integer"},
            }},
            "data": {"type": "array", "items": item_ref},
        }},
    ]}


class AgnostAutoSchema(AutoSchema):
    def _register_schemes(self) -> None:
        from agnost_django.core.conf import core_settings

        schemes = {
            CLIENT_KEY_SCHEME: {"type": "apiKey", "in": "header", "name": core_settings.CLIENT_KEY_HEADER,
                                "description": "Client key (`agk_...`), managed in the admin."},
            SESSION_SCHEME: {"type": "apiKey", "in": "header", "name": "Session",
                             "description": "Session token of a signed-in user (or the `session_token` cookie)."},
            ADMIN_SCHEME: {"type": "apiKey", "in": "cookie", "name": "sessionid",
                           "description": "Staff signed in to the admin, for the browsable API (unsafe "
                                          "methods need the CSRF token)."},
        }
        for name, definition in schemes.items():
            self.registry.register_on_missing(
                ResolvedComponent(name=name, type=ResolvedComponent.SECURITY_SCHEMA, object=name, schema=definition)
            )

    def requires_session(self) -> bool:
        return any(getattr(permission, "requires_session", False) for permission in self.view.get_permissions())

    def get_auth(self) -> list[dict[str, list]]:
        from agnost_django.core.conf import core_settings

        self._register_schemes()
        key, session, admin = {CLIENT_KEY_SCHEME: []}, {SESSION_SCHEME: []}, {ADMIN_SCHEME: []}
        staff = core_settings.STAFF_BROWSABLE_API
        if self.requires_session():
            return [{**key, **session}, *([{**admin, **session}] if staff else [])]
        return [{**key, **session}, key, *([admin] if staff else [])]

    def _error_response(self, status: int) -> dict[str, str]:
        """A reference to the shared response of ``status`` (``#/components/responses/NotFound``)."""
        name = HTTPStatus(status).phrase.title().replace(" ", "").replace("-", "")
        self.registry.register_on_missing(ResolvedComponent(
            name=name, type=ResolvedComponent.RESPONSE, object=f"error-{status}",
            schema=self._get_response_for_code(
                OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status]), str(status)),
        ))
        return {"$ref": f"#/components/responses/{name}"}

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        statuses = {*COMMON_ERRORS, *(BODY_ERRORS if self._get_request_body() else ())}
        statuses |= {int(status) for status in responses if int(status) in ERROR_DESCRIPTIONS}
        for status in statuses:
            responses[str(status)] = self._error_response(status)
        return dict(sorted(responses.items()))
