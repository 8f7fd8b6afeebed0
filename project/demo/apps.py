from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "project.demo"
    label = "demo"
    verbose_name = _("Demo web app")
    default_auto_field = "django.db.models.BigAutoField"
