"""Every way a file row disappears (services, the admin, a bucket's cascade, a queryset
delete) frees its bytes once the deletion commits."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_migrate
from django.dispatch import receiver

from agnost_django.storage import blobs
from agnost_django.storage.models import StoredFile


@receiver(post_delete, sender=StoredFile, dispatch_uid="agnost_storage_free_bytes")
def free_bytes(sender, instance: StoredFile, using: str, **kwargs) -> None:
    if instance.blob_key:
        from django.db import transaction

        transaction.on_commit(lambda: blobs.delete_now(instance.storage_alias, instance.blob_key), using=using)


@receiver(post_migrate, dispatch_uid="agnost_storage_root_bucket")
def create_root_bucket(sender, app_config=None, using: str = "default", **kwargs) -> None:
    if app_config is None or app_config.label != "agnost_storage":
        return
    from django.conf import settings

    from agnost_django.storage.conf import storage_settings
    from agnost_django.storage.models import Bucket

    if storage_settings.ALIAS in settings.STORAGES:
        Bucket.objects.using(using).get_or_create(
            storage_alias=storage_settings.ALIAS, name="root",
            defaults={"is_public": storage_settings.ROOT_BUCKET_PUBLIC},
        )
