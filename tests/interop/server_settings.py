"""Settings of the interop server: the example project exactly as it runs in production
(``project/settings.py``, configured from the environment), plus the test models that the
data interop tests expose (``tests/dataapp``) and the queues, tasks and endpoints of
``tests/jobsapp``."""

import os

from project.settings import *  # noqa: F403
from project.settings import INSTALLED_APPS, Q_CLUSTER

INSTALLED_APPS = [*INSTALLED_APPS, "tests.dataapp", "tests.jobsapp"]
# Servers sharing one Redis database must not take each other's django-q2 tasks: the cluster
# name is the Redis queue's name.
Q_CLUSTER = {**Q_CLUSTER, "name": os.environ.get("CACHE_KEY_PREFIX") or Q_CLUSTER["name"]}
