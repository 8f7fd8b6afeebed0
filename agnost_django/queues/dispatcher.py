"""A thread in every django-q2 worker process that hands due messages to the broker, beats
the process's lease and recovers the messages of lost workers and clusters.

django-q2's scheduler looks for due schedules only every 30 seconds, too coarse for message
delays; this loop looks every ``AGNOST_QUEUES_DISPATCH_INTERVAL`` (0.25 s), so a delay is
honoured within a second. Several workers run the loop at once: each hand-over is a
conditional UPDATE, so a message is dispatched once per delivery.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

from agnost_django.queues.conf import queues_settings

logger = logging.getLogger("agnost_django.queues")
_started = threading.Event()


def start(**kwargs) -> None:
    """Connected to django-q2's ``post_spawn``: start the loop in this worker process (not
    when django-q2 runs a task synchronously in the calling process)."""
    from multiprocessing import current_process

    from django_q.conf import Conf

    if _started.is_set() or Conf.SYNC or current_process().name == "MainProcess":
        return
    _started.set()
    from multiprocessing.util import Finalize

    from agnost_django.queues import services

    try:  # the lease exists before this worker claims anything
        services.heartbeat()
    except Exception:  # noqa: BLE001 - the loop beats again; the worker must start anyway
        logger.exception("queue worker heartbeat")
    finally:
        close_old_connections()
    # Run when the worker returns (django-q2 stopping or recycling it), not when it is killed.
    Finalize(None, _stopped, exitpriority=10)
    threading.Thread(target=loop, name="agnost-queues-dispatcher", daemon=True).start()


def _stopped() -> None:
    from agnost_django.queues import services

    try:
        services.worker_stopped()
    except Exception:  # noqa: BLE001 - the lease then runs out instead
        logger.exception("queue worker stop")


def loop() -> None:
    from agnost_django.queues import services

    last_recovery = last_purge = last_beat = 0.0
    while True:
        try:
            now = time.monotonic()
            if now - last_beat >= queues_settings.HEARTBEAT_INTERVAL:
                services.heartbeat()
                last_beat = now  # a failed beat is tried again on the next turn
            services.dispatch_due()
            if now - last_recovery >= queues_settings.RECOVERY_INTERVAL:
                last_recovery = now
                services.recover()
            if now - last_purge >= 3600:
                last_purge = now
                services.purge()
        except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
            logger.exception("queue dispatcher")
        finally:
            close_old_connections()
        time.sleep(queues_settings.DISPATCH_INTERVAL)
