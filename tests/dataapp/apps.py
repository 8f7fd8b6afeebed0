from django.apps import AppConfig


class DataAppConfig(AppConfig):
    name = "tests.dataapp"
    label = "dataapp"
    default_auto_field = "django.db.models.BigAutoField"
