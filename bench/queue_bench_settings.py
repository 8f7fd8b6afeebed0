"""Settings of ``queue_bench.py``'s server, qcluster and submitters: the interop server's
(``tests/interop/server_settings.py``: the example project, the test apps, a cluster name of
the server's own), plus the ``Q_CLUSTER`` options given with ``--q-option KEY=JSON``
(``QUEUE_BENCH_Q_OPTIONS``, a JSON object), e.g. ``save_limit=-1``."""

import json
import os

from tests.interop.server_settings import *  # noqa: F403
from tests.interop.server_settings import Q_CLUSTER

Q_CLUSTER = {**Q_CLUSTER, **json.loads(os.environ.get("QUEUE_BENCH_Q_OPTIONS") or "{}")}
