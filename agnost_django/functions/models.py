"""A row per registered endpoint (its options, editable in the admin) and execution logs."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Endpoint(models.Model):
    name = models.CharField(_("endpoint"), max_length=150, unique=True,
                            help_text=_("The name of a handler registered in the code."))
    enabled = models.BooleanField(_("enabled"), default=True)
    key_required = models.BooleanField(_("client key required"), default=True)
    session_required = models.BooleanField(_("session required"), default=False)
    rate_limit = models.CharField(_("rate limit"), max_length=32, blank=True, help_text=_("e.g. 100/min, per IP"))
    timeout = models.FloatField(_("timeout (s)"), null=True, blank=True)
    log_execution = models.BooleanField(_("log executions"), default=True)
    middlewares = models.JSONField(_("middlewares"), default=list, blank=True,
                                   help_text=_("Names of registered middlewares, in order."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("endpoint")
        verbose_name_plural = _("endpoints")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from agnost_django.functions.registry import _RATE, endpoints, middlewares

        errors = {}
        if self.name not in endpoints:
            errors["name"] = _("No endpoint with this name is registered in the code.")
        if self.rate_limit and not _RATE.match(self.rate_limit):
            errors["rate_limit"] = _("Use the form 100/min (s, min, hour or day).")
        if self.timeout is not None and self.timeout <= 0:
            errors["timeout"] = _("A timeout is a positive number of seconds.")
        if not isinstance(self.middlewares, list) or any(name not in middlewares for name in self.middlewares):
            errors["middlewares"] = _("A list of registered middleware names: %(names)s.") % {
                "names": ", ".join(middlewares.names()) or "-"}
        if errors:
            raise ValidationError(errors)


class EndpointLog(models.Model):
    endpoint = models.CharField(_("endpoint"), max_length=150, db_index=True)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=2000)
    status = models.PositiveSmallIntegerField(_("status"))
    duration_ms = models.FloatField(_("duration (ms)"))
    error = models.CharField(_("error code"), max_length=100, blank=True)
    user_id = models.CharField(_("user"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("endpoint log")
        verbose_name_plural = _("endpoint logs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
