"""The storage module on the admin console: its ``STORAGES`` backends, buckets, files and bytes."""

from __future__ import annotations

from django.core.files.storage import storages
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from agnost_django.core import health
from agnost_django.core.console import COUNT_CAP, Check, Count, Link, Panel, admin_url, capped_count
from agnost_django.storage.conf import storage_settings
from agnost_django.storage.models import Bucket, StoredFile


def backend(alias: str) -> Check:
    name = _("storage “%(alias)s”") % {"alias": alias}
    try:
        storage = storages[alias]
    except Exception as exc:
        return health.unreachable(name, alias, exc)
    # exists() of a name that is never written: one stat (disk) or one HEAD request (S3).
    return health.with_timeout(name, health.dotted(storage), lambda: storage.exists("agnost-console-probe") and None)


def total_bytes() -> str:
    """The files' total size; beyond ``COUNT_CAP`` files, a lower bound (the size of as many
    files, whichever the database reads first: no sort, no full scan)."""
    files = StoredFile.objects.order_by()
    total = files[:COUNT_CAP].aggregate(total=Sum("size"))["total"] or 0
    more = files[COUNT_CAP : COUNT_CAP + 1].exists()
    return ("≥ " if more else "") + filesizeformat(total)


def panel(request) -> Panel:
    aliases = [storage_settings.ALIAS]
    aliases += [a for a in Bucket.objects.values_list("storage_alias", flat=True).distinct()[:10] if a not in aliases]
    files_url = admin_url("agnost_storage_storedfile_changelist")
    buckets_url = admin_url("agnost_storage_bucket_changelist")
    return Panel(
        checks=[backend(alias) for alias in aliases],
        counts=[
            Count(_("buckets"), capped_count(Bucket.objects.all()), buckets_url),
            Count(_("files"), capped_count(StoredFile.objects.all()), files_url),
            Count(_("bytes stored"), total_bytes(), files_url),
        ],
        links=[link for link in (Link(_("Buckets"), buckets_url), Link(_("Files"), files_url)) if link.url],
    )
