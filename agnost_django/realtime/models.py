""":class:`ChannelPresence` is an unmanaged model that gives the admin a read-only "Channels"
page (channels and their members right now); the two tables keep the recent messages of
resumable channels when the history is not in Redis (see :mod:`.history`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
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


class ChannelSequence(models.Model):
    """The last message number of a resumable channel (database history only)."""

    channel = models.CharField(_("channel"), max_length=256, primary_key=True)
    last = models.PositiveBigIntegerField(_("last message number"), default=0)

    class Meta:
        verbose_name = _("resumable channel")
        verbose_name_plural = _("resumable channels")

    def __str__(self) -> str:
        return self.channel


class ChannelMessage(models.Model):
    """A message kept for clients resuming a channel (database history only: with a Redis
    ``PRESENCE_CACHE`` the history is a Redis stream per channel)."""

    channel = models.CharField(_("channel"), max_length=256)
    seq = models.PositiveBigIntegerField(_("number"))
    event = models.CharField(_("event"), max_length=128)
    payload = models.BinaryField(_("payload"))  # the pickled layer message (it may hold bytes)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("kept channel message")
        verbose_name_plural = _("kept channel messages")
        ordering = ["channel", "seq"]
        constraints = [models.UniqueConstraint(fields=["channel", "seq"], name="agnost_rt_message_seq")]
        indexes = [models.Index(fields=["created_at"], name="agnost_rt_message_created")]

    def __str__(self) -> str:
        return f"{self.channel} #{self.seq}"
