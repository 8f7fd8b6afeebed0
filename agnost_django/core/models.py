"""Client keys: every client REST call carries one in ``X-Client-Key``."""

from __future__ import annotations

import hashlib
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agnost_django.core import modules
from agnost_django.core.origin_patterns import matches, normalise_origin

_OPERATION_RE = re.compile(r"^(\*|(?P<module>[a-z]+)(\.[a-z][a-z0-9_-]*)?)$")
_ORIGIN_RE = re.compile(r"^https?://(\*\.)?[a-z0-9.-]+(:\d{1,5})?$")


def hash_secret(secret: str) -> str:
    # Keys are 240-bit random tokens, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).hexdigest()


class ClientKey(models.Model):
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=16, editable=False, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    allowed_origins = models.JSONField(
        _("allowed origins"),
        default=list,
        blank=True,
        help_text=_(
            "Browser origins allowed to use this key (https://app.example.com, "
            "https://*.example.com). Empty: any caller, including servers without an Origin."
        ),
    )
    allowed_operations = models.JSONField(
        _("allowed operations"),
        default=list,
        blank=True,
        help_text=_(
            "Modules or operations this key may call (cache, cache.get_key). Empty: all."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("client key")
        verbose_name_plural = _("client keys")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked})"

    @property
    def masked(self) -> str:
        return f"{self.prefix}…" if self.prefix else "—"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def clean(self) -> None:
        errors = {}
        origins = self.allowed_origins
        if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
            errors["allowed_origins"] = _("Enter a list of origins.")
        else:
            self.allowed_origins = [normalise_origin(o) for o in origins if o.strip()]
            bad = [o for o in self.allowed_origins if not _ORIGIN_RE.match(o)]
            if "*" in self.allowed_origins:
                errors["allowed_origins"] = _(
                    "“*” is not allowed: it would let every site call the API with this key and "
                    "read the answers. List the origins, or leave the list empty for server and "
                    "mobile clients (which send no Origin).")
            elif bad:
                errors["allowed_origins"] = _("Not an origin (scheme://host[:port]): %(bad)s") % {
                    "bad": ", ".join(bad)
                }
        operations = self.allowed_operations
        if not isinstance(operations, list) or not all(isinstance(o, str) for o in operations):
            errors["allowed_operations"] = _("Enter a list of operations.")
        else:
            self.allowed_operations = [o.strip() for o in operations if o.strip()]
            bad = []
            # The installed modules' wire names (``cache`` or ``cache.increment``).
            names = modules.wire_names()
            for operation in self.allowed_operations:
                match = _OPERATION_RE.match(operation)
                if not match or (match["module"] and match["module"] not in names):
                    bad.append(operation)
            if bad:
                errors["allowed_operations"] = _(
                    "Unknown operation: %(bad)s (use a module among %(modules)s, "
                    "optionally followed by .operation)"
                ) % {"bad": ", ".join(bad), "modules": ", ".join(names)}
        if errors:
            raise ValidationError(errors)

    def allows_operation(self, operation: str) -> bool:
        if not self.allowed_operations or "*" in self.allowed_operations:
            return True
        module = operation.split(".", 1)[0]
        return operation in self.allowed_operations or module in self.allowed_operations

    def allows_origin(self, origin: str) -> bool:
        origin = normalise_origin(origin)
        return any(matches(allowed, origin) for allowed in self.allowed_origins)


class RequestLog(models.Model):
    """One call of the client API or one realtime handshake, written in batches off the
    request's thread (``agnost_django.core.requestlog``); successes may be sampled, and then
    ``weight`` is how many calls the row stands for."""

    created_at = models.DateTimeField(_("time"), db_index=True)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    route = models.CharField(_("route"), max_length=200, blank=True)
    module = models.CharField(_("module"), max_length=20, blank=True, db_index=True)
    operation = models.CharField(_("operation"), max_length=60, blank=True)
    status = models.PositiveSmallIntegerField(_("status"))
    error_code = models.CharField(_("error code"), max_length=80, blank=True)
    duration_ms = models.FloatField(_("duration (ms)"))
    client_key_name = models.CharField(_("client key"), max_length=100, blank=True)
    user_id = models.CharField(_("user id"), max_length=64, blank=True)
    user_label = models.CharField(_("user"), max_length=254, blank=True)
    origin = models.CharField(_("origin"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    weight = models.PositiveIntegerField(_("weight"), default=1)

    class Meta:
        verbose_name = _("request log")
        verbose_name_plural = _("request logs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="agnost_reqlog_status_time")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class Worker(models.Model):
    """A django-q2 worker process that runs jobs, as long as its heartbeat lasts.

    Each worker's loop (:mod:`agnost_django.core.workers`) refreshes ``beat_at`` every
    ``AGNOST_CORE_WORKER_HEARTBEAT_INTERVAL`` seconds. A worker silent for ``WORKER_LEASE``
    seconds (or, on the same machine, whose process is gone) is dead: the runs it held are
    recovered, and once every worker of its cluster (``cluster``: the django-q2 sentinel, host
    and process id) is dead, what the cluster had taken from the broker is handed out again. A
    worker that exits cleanly removes its row."""

    id = models.CharField(_("worker (host:pid)"), max_length=200, primary_key=True)
    cluster = models.CharField(_("cluster (host:pid)"), max_length=200)
    started_at = models.DateTimeField(_("started"))
    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["cluster", "id"]

    def __str__(self) -> str:
        return self.id
