"""Scheduled tasks: ``@task("name", cron="0 2 * * *")`` handlers run by django-q2."""

from agnost_django.schedules.registry import task

__all__ = ["task"]
