"""System checks of the storage module."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

from agnost_django.core.conf import core_settings
from agnost_django.storage.conf import storage_settings


@register()
def check_storage_alias(app_configs=None, **kwargs):
    if storage_settings.ALIAS not in settings.STORAGES:
        return [Error(
            f"AGNOST_STORAGE_ALIAS is {storage_settings.ALIAS!r}, which is not a key of settings.STORAGES.",
            hint="Add that storage to STORAGES or point AGNOST_STORAGE_ALIAS at one that exists.",
            id="agnost_storage.E001",
        )]
    return []


@register()
def check_public_route_errors(app_configs=None, **kwargs):
    import re

    if re.search(core_settings.API_PATH_PATTERN, "/_storage/x") is None:
        return [Warning(
            "AGNOST_CORE_API_PATH_PATTERN does not match /_storage/, so errors of the public file "
            "route are not JSON.",
            hint="Keep _storage in the pattern.",
            id="agnost_storage.W001",
        )]
    return []


@register()
def check_quota_and_cache_settings(app_configs=None, **kwargs):
    errors = []
    quota = storage_settings.USER_QUOTA_BYTES
    if quota is not None and (isinstance(quota, bool) or not isinstance(quota, int) or quota < 0):
        errors.append(Error(
            f"AGNOST_STORAGE_USER_QUOTA_BYTES is {quota!r}; it must be a number of bytes (0 or more) or None.",
            hint="e.g. AGNOST_STORAGE_USER_QUOTA_BYTES = 1024 ** 3, or None for no cap.",
            id="agnost_storage.E002",
        ))
    max_age = storage_settings.PUBLIC_CACHE_MAX_AGE
    if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0:
        errors.append(Error(
            f"AGNOST_STORAGE_PUBLIC_CACHE_MAX_AGE is {max_age!r}; it must be a number of seconds (0 or more).",
            hint="0 (the default) makes caches revalidate public files on every use.",
            id="agnost_storage.E003",
        ))
    return errors
