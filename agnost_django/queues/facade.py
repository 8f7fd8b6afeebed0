"""``agnost.queue(name)``: submit messages and read their status from server code.

    r = agnost.queue("send-welcome-email").submit_message({"email": e}, delay=60)   # or .send(...)
    agnost.queue("send-welcome-email").get_message_status(r.data["messageId"])

Messages submitted inside a transaction are handed to the workers when it commits.
"""

from __future__ import annotations

from typing import Any

from agnost_django.core.result import FailedAccessor, returns_result
from agnost_django.queues import services
from agnost_django.queues.exceptions import QueueNotFound


class QueueManager:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<QueueManager {self.name!r}>"

    @returns_result
    def submit_message(self, message: Any = None, delay: float | None = None) -> dict[str, Any]:
        """``delay`` in seconds (Agnost's library took milliseconds; the client takes seconds)."""
        return services.info_json(services.submit(self.name, message, delay=delay))

    send = submit_message

    @returns_result
    def get_message_status(self, message_id: Any) -> dict[str, Any] | None:
        return services.info_json(services.message_info(message_id))


def get_manager(name: str) -> QueueManager | FailedAccessor:
    try:
        services.get_queue(name)
    except QueueNotFound as exc:
        return FailedAccessor.for_exception(exc)
    return QueueManager(name)
