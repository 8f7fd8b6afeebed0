"""``manage.py agnost_storage_sweep``: delete backend bytes that no file row points at.

Such orphans appear only when an outer transaction rolls back after bytes were written, or a
deletion on commit failed (both are logged). Bytes younger than ``--min-age`` seconds are left
alone, so that uploads in progress (bytes written, row not yet committed) are never touched.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from agnost_django.storage import blobs
from agnost_django.storage.conf import storage_settings
from agnost_django.storage.models import Bucket, StoredFile


class Command(BaseCommand):
    help = "Delete file bytes in the storage backends that no StoredFile refers to."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the orphans without deleting them.")
        parser.add_argument("--min-age", type=int, default=3600,
                            help="Only bytes older than this many seconds (default 3600).")
        parser.add_argument("--storage", action="append", dest="aliases",
                            help="A STORAGES alias (repeatable); default: every alias buckets use.")

    def handle(self, *args, dry_run: bool, min_age: int, aliases: list[str] | None, **options):
        aliases = aliases or sorted(
            {storage_settings.ALIAS, *Bucket.objects.values_list("storage_alias", flat=True).distinct()}
            & set(settings.STORAGES)
        )
        cutoff = timezone.now() - timedelta(seconds=min_age)
        total = 0
        for alias in aliases:
            backend = blobs.backend(alias)
            known = set(StoredFile.objects.filter(storage_alias=alias).values_list("blob_key", flat=True))
            for key in blobs.list_keys(alias):
                if key in known:
                    continue
                if min_age > 0:
                    try:
                        if backend.get_modified_time(key) > cutoff:
                            continue
                    except (NotImplementedError, OSError):
                        continue
                total += 1
                self.stdout.write(f"{alias}: {key}")
                if not dry_run:
                    blobs.delete_now(alias, key)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(self.style.SUCCESS(f"{verb} {total} orphaned blob(s)"))
