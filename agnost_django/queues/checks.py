"""System checks of the queues module: django-q2 settings that would lose or loop messages."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register


@register()
def check_q_cluster(app_configs=None, **kwargs):
    from django.apps import apps

    from agnost_django.queues.registry import queues

    conf = getattr(settings, "Q_CLUSTER", {})
    problems = []
    timeouts = [entry.timeout for entry in queues]
    if apps.is_installed("agnost_django.schedules"):
        from agnost_django.schedules import services as schedules

        timeouts += schedules.task_timeouts()
    longest = max(timeouts, default=0)
    retry = conf.get("retry", 60)
    if longest and retry <= longest:
        problems.append(Warning(
            f"Q_CLUSTER['retry'] ({retry}) is not longer than the longest queue timeout ({longest}): the ORM "
            "broker would hand a running message to a second worker.",
            hint="Set Q_CLUSTER['retry'] above every queue's and task's timeout.", id="agnost_queues.W001"))
    if conf.get("max_attempts", 0) == 0:
        problems.append(Warning(
            "Q_CLUSTER['max_attempts'] is 0: django-q2 would redeliver a failing task forever.",
            hint="Set it to 1: agnost retries messages itself.", id="agnost_queues.W002"))
    return problems
