"""Signal receivers of the core app, connected by ``CoreConfig.ready()``."""

from __future__ import annotations

import asyncio
import logging

from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger("agnost_django.core")


def _allow_cors_for_client_key_origins(sender, request, **kwargs) -> bool:
    """django-cors-headers asks this for origins outside ``CORS_ALLOWED_ORIGINS``: an
    origin listed by an active client key is allowed too. Under ASGI this runs on the event
    loop, so the answer was fetched beforehand by ``AgnostMiddleware``."""
    from agnost_django.core import origins

    origin = request.headers.get("Origin")
    if not origin:
        return False
    allowed = getattr(request, "agnost_key_origin_allowed", None)
    if allowed is not None:
        return allowed
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # a synchronous request (WSGI, or a thread): ask directly
        return origins.allowed_by_any_key(origin)
    logger.warning(
        "CORS for client-key origins needs AgnostMiddleware before CorsMiddleware in "
        "MIDDLEWARE under ASGI; %s was not allowed.", origin)
    return False


def _client_key_changed(sender, **kwargs) -> None:
    from agnost_django.core import origins

    transaction.on_commit(origins.invalidate)
    origins.invalidate()  # also now: a reader inside this transaction must not keep the old


def _reset_facade(sender, setting, **kwargs) -> None:
    if setting.startswith("AGNOST_") or setting in ("CACHES", "INSTALLED_APPS", "STORAGES"):
        from agnost_django.core.facade import agnost

        agnost.reset()


def connect() -> None:
    from agnost_django.core.models import ClientKey

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
