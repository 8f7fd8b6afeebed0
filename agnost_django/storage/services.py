"""The storage operations, shared by the REST views, the server library and the admin.

``storage(alias, user)`` is one ``STORAGES`` alias as one caller sees it (a user, ``None`` for
anonymous, or :data:`~agnost_django.storage.adapter.SYSTEM`); ``.bucket(ident)`` and
``.file(ident)`` narrow it to a bucket and a file, named or identified as the client sends
them, and their methods ask the adapter before acting::

    storage(alias, user).bucket("photos").file("cat.png").rename("kitten.png")

The module-level functions work on rows already found and checked (uploads, replacing bytes,
quotas, opening a file). Bytes are written before the metadata row and deleted after the change
that frees them commits.
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max, Min, Q, Sum
from django.utils import timezone

from agnost_django.core.callers import MissingSessionToken
from agnost_django.storage import blobs, listing, signals
from agnost_django.storage.adapter import SYSTEM, get_adapter, signed_in
from agnost_django.storage.conf import storage_settings
from agnost_django.storage.exceptions import (
    BucketAlreadyExists,
    BucketNotEmpty,
    BucketNotFound,
    FileAlreadyExists,
    FileNotFound,
    FileTooLarge,
    InvalidFileUrl,
    MissingFileIdentifier,
    NotAllowed,
    RootBucketProtected,
    StorageQuotaExceeded,
)
from agnost_django.storage.links import file_id_from_url
from agnost_django.storage.models import Bucket, StoredFile
from agnost_django.storage.names import (
    clean_bucket_name,
    clean_file_name,
    clean_tags,
    numbered_name,
    with_tags,
    without_tags,
)
from agnost_django.storage.sniffing import sniff, stored_type
from agnost_django.storage.uploads import Incoming

ROOT = "root"
MAX_NUMBERED = 10_000


# -- policy ---------------------------------------------------------------------------------

def require(allowed: bool, user: Any) -> None:
    if user is SYSTEM or allowed:
        return
    if not signed_in(user):
        raise MissingSessionToken()
    raise NotAllowed()


def owner_of(user: Any):
    return user if signed_in(user) and user is not SYSTEM else None


def _name_key(name: str) -> str:
    """A file name as :func:`clean_file_name` stores it (without validating it)."""
    return unicodedata.normalize("NFC", name.strip()).strip("/")


def _as_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# -- buckets --------------------------------------------------------------------------------

def find_bucket(alias: str, ident: Any, *, for_update: bool = False) -> Bucket:
    """The bucket named or identified by ``ident``; ``root`` is created on first use."""
    if isinstance(ident, Bucket):
        return ident
    if not isinstance(ident, str) or not ident.strip():
        raise BucketNotFound("The bucket is not specified.", details={"bucket": ident})
    if "\x00" in ident:  # no name has one (control characters are refused); PostgreSQL rejects it
        raise BucketNotFound("The bucket cannot be found.", details={"bucket": ident})
    queryset = Bucket.objects.select_for_update() if for_update else Bucket.objects.all()
    queryset = queryset.filter(storage_alias=alias)
    bucket_id = _as_uuid(ident)
    found = (queryset.filter(pk=bucket_id) if bucket_id
             else queryset.filter(name=unicodedata.normalize("NFC", ident.strip()))).first()
    if found is None and ident.strip() == ROOT:
        return ensure_root(alias)
    if found is None:
        raise BucketNotFound(f"The bucket '{ident}' cannot be found.", details={"bucket": ident})
    return found


def ensure_root(alias: str) -> Bucket:
    bucket, _created = Bucket.objects.get_or_create(
        storage_alias=alias, name=ROOT, defaults={"is_public": storage_settings.ROOT_BUCKET_PUBLIC}
    )
    return bucket


def bucket_stats(bucket: Bucket | None = None, *, alias: str | None = None) -> dict[str, Any]:
    files = StoredFile.objects.filter(bucket=bucket) if bucket else StoredFile.objects.filter(storage_alias=alias)
    stats = files.aggregate(count=Count("pk"), total=Sum("size"), avg=Avg("size"), min=Min("size"), max=Max("size"))
    return {
        "objectsCount": stats["count"],
        "totalStorageSize": stats["total"] or 0,
        "averageObjectSize": round(stats["avg"] or 0),
        "minObjectSize": stats["min"] or 0,
        "maxObjectSize": stats["max"] or 0,
    }


def _update_bucket(bucket: Bucket, *, name: str | None = None, is_public: bool | None = None,
                   tags: list[str] | None = None, include_files: bool = False) -> Bucket:
    if name is not None and name != bucket.name:
        if bucket.name == ROOT:
            raise RootBucketProtected()
        bucket.name = name
    if is_public is not None:
        bucket.is_public = bool(is_public)
    if tags is not None:
        bucket.tags = tags
    try:
        with transaction.atomic():
            bucket.save()
            if include_files and is_public is not None:
                bucket.files.update(is_public=bool(is_public), updated_at=timezone.now())
    except IntegrityError:
        raise BucketAlreadyExists(f"A bucket named '{name}' already exists.", details={"bucket": name}) from None
    return bucket


# -- files ----------------------------------------------------------------------------------

def find_file(bucket: Bucket, ident: Any) -> StoredFile:
    if isinstance(ident, StoredFile):
        return ident
    if not isinstance(ident, str) or not ident.strip():
        raise MissingFileIdentifier(details={"file": ident})
    if "\x00" in ident:
        raise FileNotFound("The file cannot be found.", details={"file": ident, "bucket": bucket.name})
    file_id = _as_uuid(ident)
    queryset = StoredFile.objects.filter(bucket=bucket).select_related("bucket")
    found = (queryset.filter(pk=file_id) if file_id else queryset.filter(name=_name_key(ident))).first()
    if found is None:
        raise FileNotFound(f"The file '{ident}' under bucket '{bucket.name}' cannot be found.",
                           details={"file": ident, "bucket": bucket.name})
    return found


def upload_limit(bucket: Bucket) -> int:
    limit = storage_settings.MAX_UPLOAD_SIZE
    return min(limit, bucket.max_file_size) if bucket.max_file_size else limit


def bucket_upload_limit(alias: str, ident: Any) -> int:
    """:func:`upload_limit` of the bucket named or identified by ``ident``, looked up
    without side effects (no ``root`` created); the global limit when there is no such
    bucket (the upload then fails on the bucket, or creates it without a limit of its own)."""
    limit = storage_settings.MAX_UPLOAD_SIZE
    if not isinstance(ident, str) or not ident.strip() or "\x00" in ident:
        return limit
    queryset = Bucket.objects.filter(storage_alias=alias)
    bucket_id = _as_uuid(ident)
    queryset = (queryset.filter(pk=bucket_id) if bucket_id
                else queryset.filter(name=unicodedata.normalize("NFC", ident.strip())))
    own = queryset.values_list("max_file_size", flat=True).first()
    return min(limit, own) if own else limit


def _save_unique(file: StoredFile, *, unique: bool) -> None:
    """Insert ``file``; on a name clash number the name (``a (2).png``) or raise."""
    wanted = file.name
    for number in range(1, MAX_NUMBERED):
        if number > 1:
            file.name = numbered_name(wanted, number)
        try:
            with transaction.atomic():
                file.save(force_insert=True)
            return
        except IntegrityError:
            if not unique or not StoredFile.objects.filter(bucket=file.bucket, name=file.name).exists():
                raise FileAlreadyExists(f"A file named '{file.name}' already exists in bucket "
                                        f"'{file.bucket.name}'.", details={"file": file.name}) from None
    raise FileAlreadyExists(details={"file": wanted})


def _check_size(bucket: Bucket, incoming: Incoming) -> None:
    limit = upload_limit(bucket)
    if incoming.size > limit:
        raise FileTooLarge(f"The file is larger than {limit} bytes.", details={"limit": limit})


def reserve_quota(user: Any, owner: Any, size: int, *, replacing: StoredFile | None = None) -> None:
    """Refuse with :class:`StorageQuotaExceeded` when ``size`` more bytes (replacing
    ``replacing``'s) would take ``owner``'s files past their quota. Call it inside the
    transaction that saves the bytes' row: it locks ``owner``'s user row
    (``FOR NO KEY UPDATE``, which inserts of rows referencing the user do not wait for), so
    concurrent reservations for one owner run one after the other, each counting the files
    the previous one committed. Server code (:data:`SYSTEM`) and files without an owner are
    not counted."""
    if user is SYSTEM or owner is None:
        return
    quota = get_adapter().storage_quota(owner)
    if quota is None:
        return
    list(get_user_model()._default_manager.select_for_update(no_key=True).filter(pk=owner.pk).values_list("pk"))
    files = StoredFile.objects.filter(owner=owner)
    if replacing is not None:
        files = files.exclude(pk=replacing.pk)
    used = files.aggregate(total=Sum("size"))["total"] or 0
    if used + size > quota:
        raise StorageQuotaExceeded(
            f"Storing {size} more bytes would pass the storage quota of {quota} bytes ({used} used).",
            details={"quota": quota, "used": used, "size": size},
        )


def upload(bucket: Bucket, user: Any, incoming: Incoming, name: Any, *, is_public: Any = None,
           tags: Any = None, unique: bool = True, upsert: bool = False, owner: Any = None,
           encoding: str = "7bit") -> StoredFile:
    """Store new bytes as ``name`` in ``bucket`` (permission checked by :func:`upload_target`
    or the caller). On a name clash: ``upsert`` replaces the file's content, else ``unique``
    numbers the new name, else ``file_already_exists``."""
    name = clean_file_name(name)
    tags = clean_tags(tags) if tags is not None else None
    _check_size(bucket, incoming)
    if upsert:
        existing = StoredFile.objects.filter(bucket=bucket, name=name).first()
        if existing is not None:
            require(get_adapter().can_change_file(user, existing), user)
            file = replace(existing, user, incoming)
            if is_public is not None or tags is not None:
                file = _update_file(file, is_public=is_public, tags=tags)
            return file
    detected = sniff(incoming.head)
    file = StoredFile(
        bucket=bucket, name=name, size=incoming.size, checksum=incoming.checksum,
        mime_type=stored_type(incoming.declared_type, detected)[:255], detected_type=detected[:255],
        encoding=encoding, is_public=bucket.is_public if is_public is None else bool(is_public),
        tags=tags or [], owner=owner or owner_of(user), storage_alias=bucket.storage_alias,
        uploaded_at=timezone.now(),
    )
    file.blob_key = blobs.save(bucket.storage_alias, incoming.file)
    try:
        with transaction.atomic():
            reserve_quota(user, file.owner, file.size)
            _save_unique(file, unique=unique)
    except BaseException:
        blobs.delete_now(bucket.storage_alias, file.blob_key)
        raise
    transaction.on_commit(lambda: signals.file_uploaded.send(sender=StoredFile, file=file, user=owner_of(user)))
    return file


def replace(file: StoredFile, user: Any, incoming: Incoming) -> StoredFile:
    """New content for ``file`` (same id, name and address); the old bytes go on commit."""
    _check_size(file.bucket, incoming)
    detected = sniff(incoming.head)
    new_key = blobs.save(file.storage_alias, incoming.file)
    old_key = file.blob_key
    try:
        with transaction.atomic():
            reserve_quota(user, file.owner, incoming.size, replacing=file)
            StoredFile.objects.filter(pk=file.pk).update(
                blob_key=new_key, size=incoming.size, checksum=incoming.checksum,
                mime_type=stored_type(incoming.declared_type, detected)[:255], detected_type=detected[:255],
                uploaded_at=timezone.now(), updated_at=timezone.now(),
            )
            blobs.delete_on_commit(file.storage_alias, old_key)
    except BaseException:
        blobs.delete_now(file.storage_alias, new_key)
        raise
    file.refresh_from_db()
    return file


def _update_file(file: StoredFile, *, name: str | None = None, is_public: Any = None,
                 tags: list[str] | None = None) -> StoredFile:
    if name is not None:
        file.name = name
    if is_public is not None:
        file.is_public = bool(is_public)
    if tags is not None:
        file.tags = tags
    try:
        with transaction.atomic():
            file.save()
    except IntegrityError:
        raise FileAlreadyExists(f"A file named '{name}' already exists in bucket '{file.bucket.name}'.",
                                details={"file": name}) from None
    return file


def set_file_metadata(file: StoredFile, metadata: dict[str, Any]) -> StoredFile:
    file.metadata = metadata
    file.save(update_fields=["metadata", "updated_at"])
    return file


def _copy(file: StoredFile, target: Bucket, user: Any, name: str, *, unique: bool) -> StoredFile:
    """A new file with a copy of the bytes (the only byte copies besides replace)."""
    if file.size > upload_limit(target):
        raise FileTooLarge(details={"limit": upload_limit(target)})
    copy = StoredFile(
        bucket=target, name=name, size=file.size, checksum=file.checksum, mime_type=file.mime_type,
        detected_type=file.detected_type, encoding=file.encoding, is_public=file.is_public,
        tags=list(file.tags), metadata=dict(file.metadata), owner=owner_of(user) or file.owner,
        storage_alias=target.storage_alias, uploaded_at=timezone.now(),
    )
    copy.blob_key = blobs.copy(file.storage_alias, file.blob_key, target.storage_alias)
    try:
        with transaction.atomic():
            reserve_quota(user, copy.owner, copy.size)
            _save_unique(copy, unique=unique)
    except BaseException:
        blobs.delete_now(target.storage_alias, copy.blob_key)
        raise
    return copy


def open_file(file: StoredFile):
    return blobs.open_blob(file.storage_alias, file.blob_key)


# -- the caller's view: storage(alias, user).bucket(b).file(f) -------------------------------

class StorageService:
    """One ``STORAGES`` alias as ``user`` sees it."""

    def __init__(self, alias: str, user: Any) -> None:
        self.alias = alias
        self.user = user
        self.adapter = get_adapter()

    def require(self, allowed: bool) -> None:
        require(allowed, self.user)

    def bucket(self, ident: Any) -> BucketService:
        return BucketService(self, ident)

    def stats(self) -> dict[str, Any]:
        self.require(self.adapter.can_view_stats(self.user))
        return {"bucketsCount": Bucket.objects.filter(storage_alias=self.alias).count(),
                **bucket_stats(alias=self.alias)}

    def create_bucket(self, name: Any, *, is_public: bool = True, tags: Any = None, owner: Any = None) -> Bucket:
        self.require(self.adapter.can_create_bucket(self.user))
        name = clean_bucket_name(name)
        bucket = Bucket(storage_alias=self.alias, name=name, is_public=bool(is_public),
                        tags=clean_tags(tags) if tags is not None else [], owner=owner or owner_of(self.user))
        blobs.backend(self.alias)  # the alias must exist
        try:
            with transaction.atomic():
                bucket.save(force_insert=True)
        except IntegrityError:
            raise BucketAlreadyExists(f"A bucket named '{name}' already exists.", details={"bucket": name}) from None
        signals.bucket_created.send(sender=Bucket, bucket=bucket, user=owner_of(self.user))
        return bucket

    def list_buckets(self, expression: Any = None, options: Any = None, *, search: str | None = None):
        self.require(self.adapter.can_view_buckets(self.user))
        return listing.apply(Bucket.objects.filter(storage_alias=self.alias).select_related(None),
                             expression, options, search=search)

    def list_files(self, expression: Any = None, options: Any = None, *, bucket: Any = None,
                   search: str | None = None):
        queryset = StoredFile.objects.filter(storage_alias=self.alias)
        if bucket is not None:
            queryset = queryset.filter(bucket=find_bucket(self.alias, bucket))
        if self.user is not SYSTEM:
            visible = self.adapter.readable_files(self.user)
            if visible is not None:
                queryset = queryset.filter(visible)
        return listing.apply(queryset, expression, options, search=search)

    def delete_file_by_url(self, url: Any) -> None:
        file_id = file_id_from_url(url)
        if file_id is None:
            raise InvalidFileUrl(details={"fileUrl": url})
        file = StoredFile.objects.filter(pk=file_id, storage_alias=self.alias).select_related("bucket").first()
        if file is None:
            raise FileNotFound(details={"fileUrl": url})
        self.require(self.adapter.can_change_file(self.user, file))
        file.delete()


class BucketService:
    """A bucket (by name or id) as the storage's caller sees it; looked up by each call."""

    def __init__(self, storage: StorageService, ident: Any) -> None:
        self.storage = storage
        self.ident = ident

    def file(self, ident: Any) -> FileService:
        return FileService(self, ident)

    def find(self) -> Bucket:
        """The bucket, without a permission check (``root`` is created on first use)."""
        return find_bucket(self.storage.alias, self.ident)

    def exists(self) -> bool:
        self.storage.require(self.storage.adapter.can_view_buckets(self.storage.user))
        try:
            self.find()
        except BucketNotFound:
            return False
        return True

    def get(self) -> Bucket:
        self.storage.require(self.storage.adapter.can_view_buckets(self.storage.user))
        return self.find()

    def changeable(self) -> Bucket:
        bucket = self.find()
        self.storage.require(self.storage.adapter.can_change_bucket(self.storage.user, bucket))
        return bucket

    def upload_target(self, *, create_missing: bool = False) -> Bucket:
        """The bucket an upload goes to, checked before any byte is read; ``create_missing``
        creates it (if the caller may create buckets)."""
        try:
            bucket = self.find()
        except BucketNotFound:
            if not create_missing:
                raise
            try:
                bucket = self.storage.create_bucket(self.ident)
            except BucketAlreadyExists:  # created by a concurrent upload
                bucket = self.find()
        self.storage.require(self.storage.adapter.can_upload(self.storage.user, bucket))
        return bucket

    def rename(self, new_name: Any) -> Bucket:
        bucket = self.changeable()
        return _update_bucket(bucket, name=clean_bucket_name(new_name))

    def set_public(self, is_public: bool, *, include_files: bool = False) -> Bucket:
        return _update_bucket(self.changeable(), is_public=is_public, include_files=bool(include_files))

    def add_tags(self, tags: Any) -> Bucket:
        bucket = self.changeable()
        return _update_bucket(bucket, tags=with_tags(bucket.tags, tags))

    def remove_tags(self, tags: Any) -> Bucket:
        bucket = self.changeable()
        return _update_bucket(bucket, tags=without_tags(bucket.tags, tags))

    def update(self, *, new_name: Any = None, is_public: Any = None, tags: Any = None,
               include_files: bool = False) -> Bucket:
        return _update_bucket(
            self.changeable(),
            name=clean_bucket_name(new_name) if new_name is not None else None,
            is_public=None if is_public is None else bool(is_public),
            tags=clean_tags(tags) if tags is not None else None,
            include_files=bool(include_files),
        )

    def set_metadata(self, metadata: dict[str, Any]) -> Bucket:
        bucket = self.changeable()
        bucket.metadata = metadata
        bucket.save(update_fields=["metadata", "updated_at"])
        return bucket

    def empty(self) -> int:
        """Delete every file of the bucket (bytes after commit); returns how many."""
        bucket = self.changeable()
        with transaction.atomic():
            count, _by_model = bucket.files.all().delete()  # post_delete frees the bytes on commit
        return count

    def delete(self, *, only_if_empty: bool = False) -> None:
        bucket = self.changeable()
        if bucket.name == ROOT:
            raise RootBucketProtected()
        with transaction.atomic():
            if only_if_empty and bucket.files.exists():
                raise BucketNotEmpty(details={"bucket": bucket.name})
            bucket.files.all().delete()
            bucket.delete()
        signals.bucket_deleted.send(sender=Bucket, bucket=bucket, user=owner_of(self.storage.user))

    def delete_files(self, idents: Any) -> int:
        """Delete the named files the caller may change; unknown names are skipped."""
        bucket = self.find()
        if isinstance(idents, str):
            idents = [idents]
        if not isinstance(idents, list) or not all(isinstance(item, str) for item in idents):
            raise MissingFileIdentifier("fileNamesOrIds must be a list of names or ids.")
        ids = [value for value in map(_as_uuid, idents) if value]
        names = [_name_key(name) for name in idents if not _as_uuid(name)]
        files = list(StoredFile.objects.filter(Q(pk__in=ids) | Q(name__in=names), bucket=bucket)
                     .select_related("bucket"))
        for file in files:
            self.storage.require(self.storage.adapter.can_change_file(self.storage.user, file))
        with transaction.atomic():
            StoredFile.objects.filter(pk__in=[file.pk for file in files]).delete()
        return len(files)

    def list_files(self, expression: Any = None, options: Any = None, *, search: str | None = None):
        return self.storage.list_files(expression, options, bucket=self.ident, search=search)


class FileService:
    """A file (by name or id) of a bucket, as the storage's caller sees it."""

    def __init__(self, bucket: BucketService, ident: Any) -> None:
        self.bucket = bucket
        self.storage = bucket.storage
        self.ident = ident

    def find(self) -> StoredFile:
        return find_file(self.bucket.find(), self.ident)

    def exists(self) -> bool:
        bucket = self.bucket.find()
        try:
            file = find_file(bucket, self.ident)
        except FileNotFound:
            return False
        self.storage.require(self.storage.adapter.can_read_file(self.storage.user, file))
        return True

    def get(self) -> StoredFile:
        file = self.find()
        self.storage.require(self.storage.adapter.can_read_file(self.storage.user, file))
        return file

    def changeable(self) -> StoredFile:
        file = self.find()
        self.storage.require(self.storage.adapter.can_change_file(self.storage.user, file))
        return file

    def replace(self, incoming: Incoming) -> StoredFile:
        return replace(self.changeable(), self.storage.user, incoming)

    def rename(self, new_name: Any) -> StoredFile:
        return _update_file(self.changeable(), name=clean_file_name(new_name))

    def set_public(self, is_public: bool) -> StoredFile:
        return _update_file(self.changeable(), is_public=is_public)

    def add_tags(self, tags: Any) -> StoredFile:
        file = self.changeable()
        return _update_file(file, tags=with_tags(file.tags, tags))

    def remove_tags(self, tags: Any) -> StoredFile:
        file = self.changeable()
        return _update_file(file, tags=without_tags(file.tags, tags))

    def update(self, *, new_name: Any = None, is_public: Any = None, tags: Any = None) -> StoredFile:
        return _update_file(
            self.changeable(),
            name=clean_file_name(new_name) if new_name is not None else None,
            is_public=is_public,
            tags=clean_tags(tags) if tags is not None else None,
        )

    def delete(self) -> None:
        self.changeable().delete()  # post_delete frees the bytes on commit

    def duplicate(self, name: Any = None) -> StoredFile:
        file = self.changeable()
        return _copy(file, file.bucket, self.storage.user, clean_file_name(name) if name is not None else file.name,
                     unique=name is None)

    def copy_to(self, target: Any, *, name: Any = None, unique: bool = True) -> StoredFile:
        file = self.changeable()
        target_bucket = find_bucket(self.storage.alias, target)
        self.storage.require(self.storage.adapter.can_upload(self.storage.user, target_bucket))
        return _copy(file, target_bucket, self.storage.user,
                     clean_file_name(name) if name is not None else file.name, unique=unique)

    def move_to(self, target: Any, *, name: Any = None, unique: bool = True) -> StoredFile:
        """Move to another bucket (or rename within one with ``name``): metadata only, unless
        the target bucket keeps its bytes in another storage."""
        file = self.changeable()
        target_bucket = find_bucket(self.storage.alias, target) if target is not None else file.bucket
        if target_bucket.pk != file.bucket_id:
            self.storage.require(self.storage.adapter.can_upload(self.storage.user, target_bucket))
        new_name = clean_file_name(name) if name is not None else file.name
        if target_bucket.pk == file.bucket_id and new_name == file.name:
            return file
        return _move(file, target_bucket, new_name, unique=unique)


def _move(file: StoredFile, target: Bucket, new_name: str, *, unique: bool) -> StoredFile:
    old_alias, old_key = file.storage_alias, file.blob_key
    if target.storage_alias != old_alias:
        file.blob_key = blobs.copy(old_alias, old_key, target.storage_alias)
        file.storage_alias = target.storage_alias
    file.bucket = target
    file.name = new_name
    for number in range(1, MAX_NUMBERED):
        if number > 1:
            file.name = numbered_name(new_name, number)
        try:
            with transaction.atomic():
                file.save()
                if file.blob_key != old_key:
                    blobs.delete_on_commit(old_alias, old_key)
            return file
        except IntegrityError:
            if not unique:
                break
    if file.blob_key != old_key:
        blobs.delete_now(file.storage_alias, file.blob_key)
    raise FileAlreadyExists(f"A file named '{new_name}' already exists in bucket '{target.name}'.",
                            details={"file": new_name})


def storage(alias: str, user: Any) -> StorageService:
    """The storage ``alias`` as ``user`` sees it."""
    return StorageService(alias, user)
