"""Queue handlers, registered from a host app's ``agnost_hooks.py``::

    from agnost_django.queues import queue

    @queue("send-welcome-email", retries=3, backoff=2, timeout=60)
    def send_welcome_email(message: dict) -> None:
        ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agnost_django.core.registry import Registry

queues = Registry("queue")


def queue(name: str, *, retries: int = 3, backoff: float = 2.0, timeout: int = 60, clients: bool = False,
          log_execution: bool = True) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Register a handler ``(message) -> None`` for the queue ``name``.

    * ``retries``: further attempts after a failure (so ``retries + 1`` in all), then the
      message is dead-lettered (status ``errors``) until requeued from the admin.
    * ``backoff``: seconds before the first retry, doubled for each further one.
    * ``timeout``: seconds a run may take; django-q2 stops the worker after it and the attempt
      counts as failed.
    * ``clients``: whether the altogic client (``queue.submitMessage``) may submit to it.
    * ``log_execution``: log each run's outcome at INFO (failures are always logged).
    """
    if retries < 0 or timeout <= 0 or backoff < 0:
        raise ValueError("retries and backoff must be >= 0 and timeout > 0.")
    return queues.register(name, retries=retries, backoff=backoff, timeout=timeout, clients=clients,
                           log_execution=log_execution)
