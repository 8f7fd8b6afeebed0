"""Error codes and exceptions of the queues module."""

from __future__ import annotations

from enum import Enum

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from agnost_django.core.exceptions import AgnostAPIError


class QueueErrorCode(str, Enum):
    QUEUE_NOT_FOUND = "queue_not_found"
    QUEUE_EXECUTION_ERROR = "queue_execution_error"
    INVALID_MESSAGE_ID = "invalid_message_id"
    INVALID_DELAY = "invalid_delay"
    MESSAGE_TOO_LARGE = "message_too_large"
    NOT_ALLOWED = "not_allowed"
    WORKER_LOST = "worker_lost"


class QueueNotFound(AgnostAPIError):
    """No handler is registered under that queue name (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("No such queue.")
    default_code = QueueErrorCode.QUEUE_NOT_FOUND.value


class InvalidMessageId(AgnostAPIError):
    """A message id that is not a message id (400)."""

    default_detail = _("The message id is not valid.")
    default_code = QueueErrorCode.INVALID_MESSAGE_ID.value


class InvalidDelay(AgnostAPIError):
    """A delay that is not a non-negative number of seconds (400)."""

    default_detail = _("The delay must be a non-negative number of seconds.")
    default_code = QueueErrorCode.INVALID_DELAY.value


class MessageTooLarge(AgnostAPIError):
    """A message over ``AGNOST_QUEUES_MAX_PAYLOAD_SIZE`` (413)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The message is too large.")
    default_code = QueueErrorCode.MESSAGE_TOO_LARGE.value

