"""The test settings with the agnost apps listed before ``django.contrib.auth`` and
``django_q`` (whose admin modules then register after agnost's): the user page still gets the
agnost inlines and django-q2's schedule page is still hidden (tests/core/test_admin_display.py)."""

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS

_LATE = ("django.contrib.auth", "django_q")
INSTALLED_APPS = [
    *(app for app in INSTALLED_APPS if app.startswith("django.contrib.") and app not in _LATE),
    *(app for app in INSTALLED_APPS if not app.startswith("django.contrib.") and app not in _LATE),
    *_LATE,
]
