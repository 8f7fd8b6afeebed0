"""Settings of the README test server: the example project exactly as ``make run`` serves it
(``project/settings.py``; the test server gives it a fresh database and, in pass 2, PostgreSQL,
Redis and S3 through the environment), plus ``myapp``, the package that ``test_readme.py``
writes from the README's ``hooks`` blocks (``myapp/agnost_hooks.py``) and puts on
``PYTHONPATH``."""

import os

from project.settings import *  # noqa: F403
from project.settings import INSTALLED_APPS, Q_CLUSTER

INSTALLED_APPS = [*INSTALLED_APPS, "myapp"]
# Servers sharing one Redis database must not take each other's django-q2 tasks (as in
# tests/interop/server_settings.py): the cluster name is the Redis queue's name.
Q_CLUSTER = {**Q_CLUSTER, "name": os.environ.get("CACHE_KEY_PREFIX") or Q_CLUSTER["name"]}
# The README's Resumable channels settings.
AGNOST_REALTIME_RESUMABLE_CHANNELS = ["chat-*", "feed"]
