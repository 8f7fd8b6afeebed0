"""The cache module on the admin console: the ``CACHES`` alias clients use."""

from __future__ import annotations

from django.utils.translation import gettext as _

from agnost_django.cache.conf import cache_settings
from agnost_django.core import health
from agnost_django.core.console import Check, Link, Panel, admin_url


def panel(request) -> Panel:
    keys = admin_url("agnost_cache_cacheentry_changelist")
    return Panel(
        checks=[health.cache(cache_settings.ALIAS), Check(_("key namespace"), cache_settings.NAMESPACE)],
        links=[Link(_("Cache keys"), keys)] if keys else [],
    )
