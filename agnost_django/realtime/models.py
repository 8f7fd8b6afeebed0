"""The realtime module keeps no tables: :class:`ChannelPresence` is an unmanaged model that
gives the admin a read-only "Channels" page (channels and their members right now)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelPresence(models.Model):
    channel = models.CharField(_("channel"), max_length=256, primary_key=True)

    class Meta:
        managed = False
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return self.channel
