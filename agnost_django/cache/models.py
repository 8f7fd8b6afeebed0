"""The cache module keeps no tables: :class:`CacheEntry` is an unmanaged model that gives
the admin a "Cache keys" page (browse, search by pattern, delete) and its permissions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CacheEntry(models.Model):
    key = models.CharField(_("key"), max_length=250, primary_key=True)

    class Meta:
        managed = False
        verbose_name = _("cache key")
        verbose_name_plural = _("cache keys")
        default_permissions = ("view", "delete")

    def __str__(self) -> str:
        return self.key
