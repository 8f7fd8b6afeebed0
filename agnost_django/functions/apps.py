from __future__ import annotations

from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from agnost_django.core import modules


class FunctionsConfig(modules.ModuleConfig):
    name = "agnost_django.functions"
    label = "agnost_functions"
    verbose_name = _("Agnost functions")
    default_auto_field = "django.db.models.BigAutoField"
    wire_name = "endpoint"
    api_urls = "agnost_django.functions.urls"
    api_root = "agnost_functions:endpoints"
    browser_urls = ("", "agnost_django.functions.endpoint_urls")
    accessors = {
        "func": modules.Accessor("agnost_django.functions.facade.get_manager", doc="The helper function registered as name."),
        "endpoint": modules.Accessor("agnost_django.functions.facade.get_endpoint", memoise=False,
                             doc="The endpoint registered as name (its URL and options)."),
    }

    def ready(self) -> None:
        from agnost_django.functions import checks  # noqa: F401 (registers checks)

        post_migrate.connect(_sync, sender=self, dispatch_uid="agnost_functions_sync")


def _sync(sender, **kwargs) -> None:
    from agnost_django.functions.services import sync_all

    sync_all()
