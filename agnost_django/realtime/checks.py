"""System checks of the realtime module."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

from agnost_django.realtime.conf import realtime_settings


@register()
def check_realtime_backends(app_configs=None, **kwargs):
    problems = []
    layers = getattr(settings, "CHANNEL_LAYERS", {})
    layer = layers.get(realtime_settings.CHANNEL_LAYER)
    if layer is None:
        problems.append(Error(
            f"CHANNEL_LAYERS has no {realtime_settings.CHANNEL_LAYER!r} layer.",
            hint="Add one (channels_redis in production, InMemoryChannelLayer for one process).",
            id="agnost_realtime.E001"))
        return problems
    if layer.get("BACKEND") == "channels.layers.InMemoryChannelLayer":
        problems.append(Warning(
            "The realtime channel layer is Channels' InMemoryChannelLayer: messages sent from another "
            "process (the django-q2 worker, manage.py shell) reach no connection.",
            hint="Use 'agnost_django.realtime.layers.LocalChannelLayer' (one server process, no service) "
                 "or channels_redis.",
            id="agnost_realtime.W002"))
    cache = settings.CACHES.get(realtime_settings.PRESENCE_CACHE, {})
    if "redis" in layer.get("BACKEND", "").lower() and "django_redis" not in cache.get("BACKEND", ""):
        problems.append(Warning(
            "The channel layer spans processes but AGNOST_REALTIME_PRESENCE_CACHE is not a django-redis "
            "cache, so each process sees only its own channel members.",
            hint="Point AGNOST_REALTIME_PRESENCE_CACHE at a django-redis cache.",
            id="agnost_realtime.W001"))
    if realtime_settings.HEARTBEAT_INTERVAL >= realtime_settings.PRESENCE_TTL:
        problems.append(Error(
            "AGNOST_REALTIME_HEARTBEAT_INTERVAL must be shorter than AGNOST_REALTIME_PRESENCE_TTL.",
            id="agnost_realtime.E002"))
    rate, burst = realtime_settings.FRAME_RATE, realtime_settings.FRAME_BURST
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate <= 0):
        problems.append(Error(
            f"AGNOST_REALTIME_FRAME_RATE must be a positive number of frames per second, or None; not {rate!r}.",
            id="agnost_realtime.E003"))
    if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        problems.append(Error(
            f"AGNOST_REALTIME_FRAME_BURST must be a whole number of frames, at least 1; not {burst!r}.",
            id="agnost_realtime.E004"))
    return problems
