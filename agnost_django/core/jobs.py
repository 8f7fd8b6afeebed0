"""One engine for background runs (queue messages, task runs): the run record and its life.

A run is ``pending`` until a worker *claims* it with a conditional UPDATE (so a duplicate or
stale delivery does nothing), ``processing`` under a lease (its worker's heartbeat, see
:mod:`agnost_django.core.workers`, and ``lease_until``), then ``completed`` or ``errors``. An
app declares its run model by subclassing :class:`JobRun` and registers it with
:func:`register`, saying what recovering a lost run means for it (retry, or end it); the
worker loop then recovers the runs of dead workers and expired leases for every registered
model, and runs the apps' periodic work (:func:`every`).
"""

from __future__ import annotations

import datetime
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agnost_django.core.exceptions import error_item

WORKER_LOST = "worker_lost"


class JobStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    PROCESSING = "processing", _("processing")
    COMPLETED = "completed", _("completed")
    ERRORS = "errors", _("errors")


def worker_id() -> str:
    """This process as a worker: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def exception_item(exc: BaseException, code: str, **details: Any) -> dict[str, Any]:
    """The error item of a handler that raised (its traceback only when ``DEBUG``); call it
    in the ``except`` block."""
    details = {"exception": type(exc).__name__, **details}
    if settings.DEBUG:
        details["traceback"] = traceback.format_exc()
    return error_item(500, code, str(exc) or type(exc).__name__, details)


class JobRun(models.Model):
    """A run's status, errors, worker and lease; subclasses add what they run and when."""

    Status = JobStatus
    #: What the run is called in its errors ("The worker running the <noun> stopped").
    noun = "run"

    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    worker = models.CharField(_("worker (host:pid)"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def claim(cls, pk: Any, *, lease: float, match: dict[str, Any] | None = None, **updates: Any) -> bool:
        """Take a pending run for this worker, under a lease of ``lease`` seconds; False when
        another worker has it, or it is not pending (any more)."""
        now = timezone.now()
        return bool(cls._default_manager.filter(pk=pk, status=JobStatus.PENDING, **(match or {})).update(
            status=JobStatus.PROCESSING, started_at=now, worker=worker_id(),
            lease_until=now + datetime.timedelta(seconds=lease), **updates))

    def _processing(self, match: dict[str, Any] | None):
        return type(self)._default_manager.filter(pk=self.pk, status=JobStatus.PROCESSING, **(match or {}))

    def finish(self, *, match: dict[str, Any] | None = None) -> bool:
        """Completed; False when the run moved on meanwhile (recovered)."""
        return bool(self._processing(match).update(
            status=JobStatus.COMPLETED, completed_at=timezone.now(), lease_until=None))

    def fail(self, item: dict[str, Any], *, retry: dict[str, Any] | None = None,
             match: dict[str, Any] | None = None) -> bool:
        """Record a failed attempt: pending again with the ``retry`` updates, or ended in
        ``errors``. False when the run moved on meanwhile (completed, recovered)."""
        errors = [*self.errors, item]
        if retry is not None:
            return bool(self._processing(match).update(status=JobStatus.PENDING, errors=errors, lease_until=None,
                                                       **retry))
        return bool(self._processing(match).update(status=JobStatus.ERRORS, errors=errors,
                                                   completed_at=timezone.now(), lease_until=None))

    def lost_item(self, **details: Any) -> dict[str, Any]:
        """The error item of a run whose worker stopped."""
        return error_item(500, WORKER_LOST,
                          f"The worker running the {self.noun} stopped (killed, or past its timeout).",
                          {"worker": self.worker, **details})


# -- what the worker loop does for the apps ----------------------------------------------------

@dataclass(frozen=True)
class JobKind:
    model: type[JobRun]
    #: Recover one processing run whose worker is gone or whose lease ran out (retry it or end
    #: it); True when it did, False when the run had moved on meanwhile.
    lost: Callable[[JobRun], bool]
    #: Hand out again the pending runs that dead clusters may have taken from the broker;
    #: returns how many.
    clusters_lost: Callable[[datetime.datetime], int] | None = None


@dataclass(frozen=True)
class Periodic:
    func: Callable[[], Any]
    interval: Callable[[], float]  # seconds, read at each turn (settings are read at use time)


kinds: dict[type[JobRun], JobKind] = {}
periodic: dict[str, Periodic] = {}


def register(model: type[JobRun], *, lost: Callable[[JobRun], bool],
             clusters_lost: Callable[[datetime.datetime], int] | None = None) -> None:
    """Declare a run model to the worker loop (from the app's ``ready()``)."""
    kinds[model] = JobKind(model, lost, clusters_lost)


def every(name: str, interval: Callable[[], float], func: Callable[[], Any]) -> None:
    """Have every django-q2 worker process call ``func`` every ``interval()`` seconds."""
    periodic[name] = Periodic(func, interval)
