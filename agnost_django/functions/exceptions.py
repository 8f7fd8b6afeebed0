"""Error codes and exceptions of the functions module."""

from __future__ import annotations

from enum import Enum

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from agnost_django.core.exceptions import AgnostAPIError


class FunctionsErrorCode(str, Enum):
    ENDPOINT_NOT_FOUND = "endpoint_not_found"
    ENDPOINT_EXECUTION_ERROR = "endpoint_execution_error"
    MIDDLEWARE_EXECUTION_ERROR = "middleware_execution_error"
    REQUEST_TIMED_OUT = "request_timed_out"
    FUNCTION_NOT_FOUND = "function_not_found"
    FUNCTION_EXECUTION_ERROR = "function_execution_error"


class EndpointNotFound(AgnostAPIError):
    """No enabled endpoint has that name (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("No such endpoint.")
    default_code = FunctionsErrorCode.ENDPOINT_NOT_FOUND.value


class EndpointExecutionError(AgnostAPIError):
    """The handler raised (500); the traceback is in the server log, never in the response."""

    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_detail = _("The endpoint failed.")
    default_code = FunctionsErrorCode.ENDPOINT_EXECUTION_ERROR.value


class MiddlewareExecutionError(AgnostAPIError):
    """A middleware raised (500)."""

    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_detail = _("A middleware of the endpoint failed.")
    default_code = FunctionsErrorCode.MIDDLEWARE_EXECUTION_ERROR.value


class RequestTimedOut(AgnostAPIError):
    """The handler took longer than the endpoint's timeout (504)."""

    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    default_detail = _("The endpoint did not answer in time.")
    default_code = FunctionsErrorCode.REQUEST_TIMED_OUT.value


class FunctionNotFound(AgnostAPIError):
    """No helper function has that name (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("No such function.")
    default_code = FunctionsErrorCode.FUNCTION_NOT_FOUND.value


class FunctionExecutionError(AgnostAPIError):
    """The helper raised (500)."""

    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_detail = _("The function failed.")
    default_code = FunctionsErrorCode.FUNCTION_EXECUTION_ERROR.value
