from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "agnost_django.core"
    label = "agnost_core"
    verbose_name = _("Agnost core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agnost_django.core import checks, receivers  # noqa: F401 (registers checks)
        from agnost_django.core.registry import autodiscover

        receivers.connect()
        autodiscover()
        _open_admin_on_overview()


def _open_admin_on_overview() -> None:
    """The default admin site's index shows the console overview above Django's app list
    (turned off at render time by ``AGNOST_CORE_ADMIN_OVERVIEW = False``). A site that has its
    own ``index_template`` keeps it, and can ``{% load agnost_admin_console %}{% agnost_overview %}``."""
    from django.apps import apps

    if apps.is_installed("django.contrib.admin"):
        from django.contrib import admin

        if admin.site.index_template is None:
            admin.site.index_template = "agnost_core/admin/index.html"
