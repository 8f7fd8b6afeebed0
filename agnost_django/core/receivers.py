"""Signal receivers of the core app, connected by ``CoreConfig.ready()``."""

from __future__ import annotations

from django.core.signals import setting_changed


def _allow_cors_for_client_key_origins(sender, request, **kwargs) -> bool:
    """django-cors-headers asks this for origins outside ``CORS_ALLOWED_ORIGINS``: an
    origin listed by an active client key is allowed too."""
    from agnost_django.core.services import origin_allowed_by_any_key

    origin = request.headers.get("Origin")
    return bool(origin) and origin_allowed_by_any_key(origin)


def _reset_facade(sender, setting, **kwargs) -> None:
    if setting.startswith("AGNOST_") or setting in ("CACHES", "INSTALLED_APPS", "STORAGES"):
        from agnost_django.core.facade import agnost

        agnost.reset()


def connect() -> None:
    setting_changed.connect(_reset_facade, dispatch_uid="agnost_core_reset_facade")
    try:
        from corsheaders.signals import check_request_enabled
    except ImportError:  # CORS is optional for hosts that serve the API same-origin only
        return
    check_request_enabled.connect(
        _allow_cors_for_client_key_origins, dispatch_uid="agnost_core_cors_client_keys"
    )
