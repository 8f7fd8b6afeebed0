"""Settings of the interop server: the example project exactly as it runs in production
(``project/settings.py``, configured from the environment), plus the test models that the
data interop tests expose (``tests/dataapp``)."""

from project.settings import *  # noqa: F403
from project.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.dataapp", "tests.jobsapp"]
