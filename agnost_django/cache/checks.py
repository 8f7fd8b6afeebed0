"""System checks of the cache module (ids ``agnost_cache.E###`` / ``W###``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.caches)
def check_cache_alias(app_configs=None, **kwargs):
    from agnost_django.cache.conf import cache_settings

    alias = cache_settings.ALIAS
    if alias not in settings.CACHES:
        return [
            Error(
                f"AGNOST_CACHE_ALIAS is {alias!r}, which is not a key of settings.CACHES.",
                hint="Set AGNOST_CACHE_ALIAS to one of: " + ", ".join(settings.CACHES),
                id="agnost_cache.E001",
            )
        ]
    from django.core.cache import caches

    from agnost_django.cache.operations import GenericOperations, operations_for

    if type(operations_for(caches[alias], "")) is GenericOperations:
        return [
            Warning(
                f"The cache {alias!r} cannot list keys or give statistics: list-keys and "
                "stats will answer unsupported_function.",
                hint="Use django-redis (production) or LocMemCache (embedded default).",
                id="agnost_cache.W001",
            )
        ]
    return []
