"""The smallest install: ``agnost_django.core`` alone (no optional module). Tests marked
``minimal`` run with these settings too (``make test``), to prove core stands on its own."""

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in ("agnost_django.cache", "django_q")]
