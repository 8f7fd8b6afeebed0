"""Buckets and files. Names live only here; the bytes live in a ``STORAGES`` backend under
``StoredFile.blob_key``, a random key that no name ever reaches (renames and moves within a
storage never copy bytes, and no name can escape its bucket)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Bucket(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    storage_alias = models.CharField(
        _("storage"), max_length=64, default="default",
        help_text=_("Key of settings.STORAGES holding the bytes of this bucket's files."),
    )
    name = models.CharField(_("name"), max_length=128)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Default privacy of files uploaded to this bucket."),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="agnost_buckets",
    )
    max_file_size = models.PositiveBigIntegerField(
        _("largest file (bytes)"), null=True, blank=True,
        help_text=_("Uploads above this size are refused. Empty: the global AGNOST_STORAGE_MAX_UPLOAD_SIZE."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("bucket")
        verbose_name_plural = _("buckets")
        ordering = ["storage_alias", "name"]
        constraints = [
            models.UniqueConstraint(fields=["storage_alias", "name"], name="agnost_storage_bucket_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class StoredFile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bucket = models.ForeignKey(Bucket, verbose_name=_("bucket"), on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("name"), max_length=1024)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    mime_type = models.CharField(_("content type"), max_length=255, default="application/octet-stream")
    detected_type = models.CharField(
        _("detected type"), max_length=255, default="application/octet-stream",
        help_text=_("Content type sniffed from the bytes; decides how the file is served."),
    )
    encoding = models.CharField(_("encoding"), max_length=32, default="7bit")
    is_public = models.BooleanField(_("public"), default=False)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="agnost_files",
    )
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    storage_alias = models.CharField(_("storage"), max_length=64, default="default", editable=False)
    blob_key = models.CharField(_("backend key"), max_length=255, unique=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["bucket", "name"]
        constraints = [
            models.UniqueConstraint(fields=["bucket", "name"], name="agnost_storage_file_unique_name"),
        ]
        indexes = [models.Index(fields=["bucket", "uploaded_at"], name="agnost_stor_bucket_upl_idx")]

    def __str__(self) -> str:
        return self.name
