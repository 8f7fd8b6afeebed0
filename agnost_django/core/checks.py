"""System checks of the core app (ids ``agnost_core.E###`` / ``W###``)."""

from __future__ import annotations

import difflib
import re
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

MIDDLEWARE_PATH = "agnost_django.core.middleware.AgnostMiddleware"


def known_setting_names() -> set[str]:
    """Every ``AGNOST_*`` name known to the settings objects of the installed agnost apps."""
    from agnost_django.core.conf import AppSettings

    names: set[str] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("agnost_django."):
            continue
        module_name = f"{config.name}.conf"
        if find_spec(module_name) is None:
            continue
        for value in vars(import_module(module_name)).values():
            if isinstance(value, AppSettings):
                names |= value.setting_names()
    return names


@register(Tags.compatibility)
def check_settings(app_configs=None, **kwargs):
    known = known_setting_names()
    errors = []
    for name in dir(settings):
        if name.startswith("AGNOST_") and name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            errors.append(
                Warning(
                    f"{name} is not a setting of any installed agnost app.",
                    hint=f"Did you mean {close[0]}?" if close else "Check its spelling and INSTALLED_APPS.",
                    id="agnost_core.W001",
                )
            )
    pattern = getattr(settings, "AGNOST_CORE_API_PATH_PATTERN", None)
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            errors.append(
                Error(
                    f"AGNOST_CORE_API_PATH_PATTERN is not a valid regular expression: {exc}",
                    id="agnost_core.E002",
                )
            )
    return errors


@register(Tags.compatibility)
def check_dependencies(app_configs=None, **kwargs):
    errors = []
    if not apps.is_installed("rest_framework"):
        errors.append(
            Error(
                "agnost_django needs Django REST framework.",
                hint="Add 'rest_framework' to INSTALLED_APPS.",
                id="agnost_core.E001",
            )
        )
    if MIDDLEWARE_PATH not in settings.MIDDLEWARE:
        errors.append(
            Warning(
                "AgnostMiddleware is not in MIDDLEWARE: unknown API routes and server errors "
                "will answer HTML, on which the altogic client hangs.",
                hint=f"Add '{MIDDLEWARE_PATH}' first in MIDDLEWARE.",
                id="agnost_core.W002",
            )
        )
    elif settings.MIDDLEWARE[0] != MIDDLEWARE_PATH:
        errors.append(
            Warning(
                f"AgnostMiddleware comes after {settings.MIDDLEWARE[0]} in MIDDLEWARE: errors "
                "raised by the middlewares before it answer HTML on API paths, and under ASGI "
                "client-key origins are not allowed by CORS.",
                hint=f"Make '{MIDDLEWARE_PATH}' the first entry of MIDDLEWARE.",
                id="agnost_core.W003",
            )
        )
    return errors


@register()
def check_worker_leases(app_configs=None, **kwargs):
    from agnost_django.core.conf import core_settings

    if core_settings.WORKER_LEASE <= 2 * core_settings.WORKER_HEARTBEAT_INTERVAL:
        return [Error(
            "AGNOST_CORE_WORKER_LEASE must exceed two AGNOST_CORE_WORKER_HEARTBEAT_INTERVALs, or live workers "
            "would be taken for dead.", hint="Keep the lease about three heartbeats long.", id="agnost_core.E003")]
    return []
