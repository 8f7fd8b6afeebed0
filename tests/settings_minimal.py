"""The smallest install: ``agnost_django.core`` and ``agnost_django.auth`` only. Tests marked
``minimal`` run with these settings too (``make test``), to prove they stand on their own."""

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [
    app for app in INSTALLED_APPS
    if app not in ("agnost_django.cache", "agnost_django.data", "agnost_django.storage", "agnost_django.realtime",
                   "agnost_django.queues", "agnost_django.schedules", "agnost_django.functions", "tests.dataapp", "tests.jobsapp", "django_q")
]
