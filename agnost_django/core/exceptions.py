"""The error model shared by the REST face and the server library.

Every failure is an :class:`AgnostAPIError` (a DRF ``APIException``) carrying an HTTP
status, a stable snake_case ``code``, a human ``message``, an ``origin``
(``client_error`` for 4xx, ``server_error`` for 5xx) and optional ``details``. Services
raise them; REST views let :func:`agnost_django.core.api.exception_handler` render them as
``{"errors": [...]}``; the server library turns them into :class:`~agnost_django.core.result.Result`.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


class CoreErrorCode(str, Enum):
    RESOURCE_NOT_FOUND = "resource_not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    INTERNAL_SERVER_ERROR = "internal_server_error"
    BAD_REQUEST = "bad_request"
    INVALID_REQUEST_BODY_SYNTAX = "invalid_request_body_syntax"
    REQUEST_BODY_SIZE_TOO_LARGE = "request_body_size_too_large"
    JSON_TOO_DEEP = "request_body_too_deep"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    VALIDATION_ERROR = "validation_error"
    RATE_LIMIT_EXCEEDED = "rate_limit_exceeded"
    NOT_AUTHENTICATED = "not_authenticated"
    NOT_ALLOWED = "not_allowed"
    CSRF_FAILED = "csrf_failed"
    MISSING_CLIENT_KEY = "missing_client_key"
    INVALID_CLIENT_KEY = "invalid_client_key"
    EXPIRED_CLIENT_KEY = "expired_client_key"
    INACTIVE_CLIENT_KEY = "inactive_client_key"
    OPERATION_NOT_ALLOWED = "operation_not_allowed"
    MISSING_REQUEST_ORIGIN = "missing_request_origin"
    DOMAIN_NOT_AUTHORIZED = "domain_not_authorized"
    MODULE_NOT_INSTALLED = "module_not_installed"
    UNSUPPORTED_FUNCTION = "unsupported_function"
    BACKEND_UNAVAILABLE = "backend_unavailable"
    INVALID_EXPRESSION = "invalid_expression"
    INVALID_FUNCTION = "invalid_function"
    INVALID_FIELD = "invalid_field"


def origin_for(status_code: int) -> str:
    return "server_error" if status_code >= 500 else "client_error"


class AgnostAPIError(APIException):
    """Base of every agnost error: an HTTP status, a code, a message and details."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request could not be processed.")
    default_code = CoreErrorCode.BAD_REQUEST.value

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        status_code: int | None = None,
    ) -> None:
        if status_code is not None:
            self.status_code = status_code
        code = str(code.value if isinstance(code, Enum) else code or self.default_code)
        super().__init__(detail=message if message is not None else self.default_detail, code=code)
        self.code = code
        self.details = details

    @property
    def message(self) -> str:
        return str(self.detail)

    @property
    def origin(self) -> str:
        return origin_for(self.status_code)

    def as_item(self) -> dict[str, Any]:
        """This error as one entry of the ``errors`` array."""
        return error_item(self.status_code, self.code, self.message, self.details)

    def as_items(self) -> list[dict[str, Any]]:
        """Every entry of the ``errors`` array (one, unless a subclass carries several)."""
        return [self.as_item()]

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def error_item(
    status_code: int, code: str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {"origin": origin_for(status_code), "code": code, "message": message}
    if details is not None:
        item["details"] = details
    return item


class ValidationFailed(AgnostAPIError):
    """Input that fails validation (400)."""

    default_detail = _("The input is not valid.")
    default_code = CoreErrorCode.VALIDATION_ERROR.value


class FieldErrors(AgnostAPIError):
    """Several invalid fields at once (400): one ``errors`` entry per field, each with its
    own code and ``details.field``."""

    default_detail = _("Some fields are not valid.")
    default_code = CoreErrorCode.VALIDATION_ERROR.value

    def __init__(self, items: list[dict[str, Any]]) -> None:
        super().__init__(items[0]["message"] if items else None, code=items[0]["code"] if items else None,
                         details=items[0].get("details") if items else None)
        self.items = items

    def as_items(self) -> list[dict[str, Any]]:
        return list(self.items)


class ResourceNotFound(AgnostAPIError):
    """No route or resource matches (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("The requested resource was not found.")
    default_code = CoreErrorCode.RESOURCE_NOT_FOUND.value


class CsrfFailed(AgnostAPIError):
    """A cookie-authenticated unsafe request without a valid CSRF token (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("CSRF verification failed.")
    default_code = CoreErrorCode.CSRF_FAILED.value


class MissingClientKey(AgnostAPIError):
    """The request carries no client key (401)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("The X-Client-Key header is required.")
    default_code = CoreErrorCode.MISSING_CLIENT_KEY.value


class InvalidClientKey(AgnostAPIError):
    """The client key is not known (401)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("The client key is not valid.")
    default_code = CoreErrorCode.INVALID_CLIENT_KEY.value


class ExpiredClientKey(AgnostAPIError):
    """The client key's expiry date has passed (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("The client key has expired.")
    default_code = CoreErrorCode.EXPIRED_CLIENT_KEY.value


class InactiveClientKey(AgnostAPIError):
    """The client key was deactivated (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("The client key is not active.")
    default_code = CoreErrorCode.INACTIVE_CLIENT_KEY.value


class OperationNotAllowed(AgnostAPIError):
    """The client key does not allow this module or operation (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("The client key does not allow this operation.")
    default_code = CoreErrorCode.OPERATION_NOT_ALLOWED.value


class MissingRequestOrigin(AgnostAPIError):
    """The client key restricts origins but the request has no Origin header (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("The client key only accepts requests from its allowed origins.")
    default_code = CoreErrorCode.MISSING_REQUEST_ORIGIN.value


class DomainNotAuthorized(AgnostAPIError):
    """The request's origin is not among the client key's allowed origins (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("The request origin is not allowed for this client key.")
    default_code = CoreErrorCode.DOMAIN_NOT_AUTHORIZED.value


class ModuleNotInstalled(AgnostAPIError):
    """The agnost app behind an accessor is not in INSTALLED_APPS (501)."""

    status_code = status.HTTP_501_NOT_IMPLEMENTED
    default_detail = _("This module is not installed.")
    default_code = CoreErrorCode.MODULE_NOT_INSTALLED.value


class UnsupportedFunction(AgnostAPIError):
    """The configured backend cannot perform this operation (501)."""

    status_code = status.HTTP_501_NOT_IMPLEMENTED
    default_detail = _("This operation is not supported by the configured backend.")
    default_code = CoreErrorCode.UNSUPPORTED_FUNCTION.value


class BackendUnavailable(AgnostAPIError):
    """A backend (cache server, broker, storage) failed to answer (503)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("A backend service is unavailable.")
    default_code = CoreErrorCode.BACKEND_UNAVAILABLE.value


class InvalidExpression(AgnostAPIError):
    """A filter or value expression that cannot be parsed or compiled (400)."""

    default_detail = _("The expression is not valid.")
    default_code = CoreErrorCode.INVALID_EXPRESSION.value


class InvalidFunction(InvalidExpression):
    """An expression calls a function that does not exist (400)."""

    default_detail = _("The expression calls an unknown function.")
    default_code = CoreErrorCode.INVALID_FUNCTION.value


class InvalidField(AgnostAPIError):
    """A field (path) that is unknown, hidden, not allowed here or not writable (400)."""

    default_detail = _("The field is not valid.")
    default_code = CoreErrorCode.INVALID_FIELD.value


class NotAllowed(AgnostAPIError):
    """The caller may not do this (403): an adapter's or a module's refusal (a queue or task
    not open to clients, a disabled sign-in method); the message says which."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("You are not allowed to do this.")
    default_code = CoreErrorCode.NOT_ALLOWED.value
