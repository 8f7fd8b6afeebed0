"""Error codes and exceptions of the schedules module."""

from __future__ import annotations

from enum import Enum

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from agnost_django.core.exceptions import AgnostAPIError


class TaskErrorCode(str, Enum):
    TASK_NOT_FOUND = "task_not_found"
    TASK_EXECUTION_ERROR = "task_execution_error"
    TASK_ALREADY_RUNNING = "task_already_running"
    INVALID_TASK_ID = "invalid_task_id"
    NOT_ALLOWED = "not_allowed"
    WORKER_LOST = "worker_lost"


class TaskNotFound(AgnostAPIError):
    """No handler is registered under that task name (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("No such task.")
    default_code = TaskErrorCode.TASK_NOT_FOUND.value


class InvalidTaskId(AgnostAPIError):
    """A run id that is not a run id (400)."""

    default_detail = _("The task run id is not valid.")
    default_code = TaskErrorCode.INVALID_TASK_ID.value

