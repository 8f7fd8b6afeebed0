"""Task handlers, registered from a host app's ``agnost_hooks.py``::

    from agnost_django.schedules import task

    @task("nightly-report", cron="0 2 * * *", overlap=False, timeout=600)
    def nightly_report() -> None:
        ...
"""

from __future__ import annotations

from collections.abc import Callable

from agnost_django.core.registry import Registry

tasks = Registry("task")


def valid_cron(expression: str) -> bool:
    from croniter import croniter

    return isinstance(expression, str) and len(expression.split()) == 5 and croniter.is_valid(expression)


def task(name: str, *, cron: str | None = None, enabled: bool = True, overlap: bool = True, timeout: int = 600,
         clients: bool = False, log_execution: bool = True) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register a handler ``() -> None`` as the task ``name``.

    * ``cron``: five-field cron expression in Django's ``TIME_ZONE`` (``None``: runs only when
      triggered); kept as a django-q2 ``Schedule``, editable in the admin.
    * ``enabled``: whether the schedule fires (``run()`` works either way).
    * ``overlap=False``: never two runs at once, across every worker; a run that finds another
      one going ends at once in ``errors`` with ``task_already_running``.
    * ``timeout``: seconds; django-q2 stops the worker after it.
    * ``clients``: whether the altogic client (``task.runOnce``) may trigger it.
    """
    if cron is not None and not valid_cron(cron):
        raise ValueError(f"{cron!r} is not a five-field cron expression.")
    return tasks.register(name, cron=cron, enabled=enabled, overlap=overlap, timeout=timeout, clients=clients,
                          log_execution=log_execution)
