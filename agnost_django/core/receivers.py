"""Signal receivers of the core app, connected by ``CoreConfig.ready()``."""

from __future__ import annotations

import asyncio
import logging

from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.urls import Resolver404, resolve

logger = logging.getLogger("agnost_django.core")


def _allow_cors_for_client_key_origins(sender, request, **kwargs) -> bool:
    """django-cors-headers asks this for origins outside ``CORS_ALLOWED_ORIGINS``: on the
    client API's views only (never the admin), an origin listed by the request's client key
    (a preflight carries none: by any active key) is allowed too. Under ASGI this runs on
    the event loop, so the answer was fetched beforehand by ``AgnostMiddleware``."""
    from agnost_django.core import origins
    from agnost_django.core.conf import core_settings

    origin = request.headers.get("Origin")
    if not origin or not is_client_api_view(request):
        return False
    allowed = getattr(request, "agnost_key_origin_allowed", None)
    if allowed is not None:
        return allowed
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # a synchronous request (WSGI, or a thread): ask directly
        return origins.allowed(origin, request.headers.get(core_settings.CLIENT_KEY_HEADER))
    logger.warning(
        "CORS for client-key origins needs AgnostMiddleware before CorsMiddleware in "
        "MIDDLEWARE under ASGI; %s was not allowed.", origin)
    return False


def is_client_api_view(request) -> bool:
    """An API path, or a path served by an agnost view (the host's endpoints)."""
    from agnost_django.core.api import AgnostViewMixin
    from agnost_django.core.middleware import is_api_path

    if is_api_path(request.path):
        return True
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    view_class = getattr(match.func, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, AgnostViewMixin)


def _client_key_changed(sender, **kwargs) -> None:
    from agnost_django.core import keycache

    transaction.on_commit(keycache.invalidate)
    keycache.invalidate()  # also now: a reader inside this transaction must not keep the old


def _reset_facade(sender, setting, **kwargs) -> None:
    from agnost_django.core import modules

    if setting.startswith("AGNOST_") or setting == "INSTALLED_APPS" or any(
            setting in config.facade_settings for config in modules.installed()):
        from agnost_django.core.facade import agnost

        agnost.reset()


def _ensure_purge_schedule(sender, using="default", **kwargs) -> None:
    """After ``migrate``: the django-q2 schedule that purges the request log (when django-q2
    is installed)."""
    from django.apps import apps
    from django.db import DatabaseError, router

    from agnost_django.core import requestlog

    if not apps.is_installed("django_q"):
        return
    from django_q.models import Schedule

    if not router.allow_migrate_model(using, Schedule):
        return
    try:
        requestlog.ensure_purge_schedule(using)
    except DatabaseError:  # django-q2's tables are not migrated (yet) on this database
        logger.warning("The request log's purge schedule could not be saved on %r.", using, exc_info=True)


def connect() -> None:
    from django.apps import apps

    from agnost_django.core.models import ClientKey

    post_migrate.connect(_ensure_purge_schedule, sender=apps.get_app_config("agnost_core"),
                         dispatch_uid="agnost_core_request_log_purge")
    setting_changed.connect(_reset_facade, dispatch_uid="agnost_core_reset_facade")
    post_save.connect(_client_key_changed, sender=ClientKey, dispatch_uid="agnost_core_key_saved")
    post_delete.connect(_client_key_changed, sender=ClientKey, dispatch_uid="agnost_core_key_deleted")
    try:
        from corsheaders.signals import check_request_enabled
    except ImportError:  # CORS is optional for hosts that serve the API same-origin only
        return
    check_request_enabled.connect(
        _allow_cors_for_client_key_origins, dispatch_uid="agnost_core_cors_client_keys"
    )
