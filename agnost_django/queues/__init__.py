"""Message queues: ``@queue("name")`` handlers run by django-q2 workers, at least once."""

from agnost_django.queues.registry import queue

__all__ = ["queue"]
