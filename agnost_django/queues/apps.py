from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agnost_django.core import modules


class QueuesConfig(modules.ModuleConfig):
    name = "agnost_django.queues"
    label = "agnost_queues"
    verbose_name = _("Agnost queues")
    default_auto_field = "django.db.models.BigAutoField"
    wire_name = "queue"
    api_urls = "agnost_django.queues.urls"
    api_root = "agnost_queues:queue"
    accessors = {"queue": modules.Accessor("agnost_django.queues.facade.get_manager", doc="The message queue registered as name.")}

    def ready(self) -> None:
        from agnost_django.core import jobs
        from agnost_django.queues import checks, services  # noqa: F401 (registers checks)
        from agnost_django.queues.conf import queues_settings
        from agnost_django.queues.models import QueueMessage

        # Core's worker loop (in every django-q2 worker) recovers lost messages and, every
        # DISPATCH_INTERVAL (0.25 s; django-q2's scheduler looks only every 30 s, too coarse for
        # message delays), hands due messages to the broker: each hand-over is a conditional
        # UPDATE, so several workers looking at once dispatch a message once per delivery.
        jobs.register(QueueMessage, lost=services.put_back_lost, clusters_lost=services.redispatch_taken)
        jobs.every("queues.dispatch_due", lambda: queues_settings.DISPATCH_INTERVAL, services.dispatch_due)
        jobs.every("queues.purge", lambda: 3600, services.purge)
