"""The storage operations, shared by the REST views, the server library and the admin.

Every function takes the caller as ``user`` (a user, ``None`` for anonymous, or
:data:`~agnost_django.storage.adapter.SYSTEM`) and asks the adapter before acting. Bucket and
file identifiers are names or ids, as the client sends them. Bytes are written before the
metadata row and deleted after the change that frees them commits.
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
    MissingFileIdentifier,
    NotAllowed,
    RootBucketProtected,
    StorageQuotaExceeded,
)
from agnost_django.storage.models import Bucket, StoredFile
from agnost_django.storage.names import (
    clean_bucket_name,
    clean_file_name,
    clean_tags,
    merge_tags,
    numbered_name,
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


def bucket_exists(alias: str, ident: Any, user: Any) -> bool:
    require(get_adapter().can_view_buckets(user), user)
    try:
        find_bucket(alias, ident)
    except BucketNotFound:
        return False
    return True


def get_bucket(alias: str, ident: Any, user: Any) -> Bucket:
    require(get_adapter().can_view_buckets(user), user)
    return find_bucket(alias, ident)


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


def storage_stats(alias: str, user: Any) -> dict[str, Any]:
    require(get_adapter().can_view_stats(user), user)
    return {"bucketsCount": Bucket.objects.filter(storage_alias=alias).count(), **bucket_stats(alias=alias)}


def create_bucket(alias: str, user: Any, name: Any, *, is_public: bool = True, tags: Any = None,
                  owner: Any = None) -> Bucket:
    require(get_adapter().can_create_bucket(user), user)
    name = clean_bucket_name(name)
    bucket = Bucket(storage_alias=alias, name=name, is_public=bool(is_public),
                    tags=clean_tags(tags) if tags is not None else [], owner=owner or owner_of(user))
    blobs.backend(alias)  # the alias must exist
    try:
        with transaction.atomic():
            bucket.save(force_insert=True)
    except IntegrityError:
        raise BucketAlreadyExists(f"A bucket named '{name}' already exists.", details={"bucket": name}) from None
    signals.bucket_created.send(sender=Bucket, bucket=bucket, user=owner_of(user))
    return bucket


def list_buckets(alias: str, user: Any, expression: Any = None, options: Any = None, *,
                 search: str | None = None):
    require(get_adapter().can_view_buckets(user), user)
    return listing.apply(Bucket.objects.filter(storage_alias=alias).select_related(None),
                         expression, options, search=search)


def _changeable_bucket(alias: str, ident: Any, user: Any) -> Bucket:
    bucket = find_bucket(alias, ident)
    require(get_adapter().can_change_bucket(user, bucket), user)
    return bucket


def rename_bucket(alias: str, ident: Any, user: Any, new_name: Any) -> Bucket:
    bucket = _changeable_bucket(alias, ident, user)
    return _update_bucket(bucket, name=clean_bucket_name(new_name))


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


def set_bucket_public(alias: str, ident: Any, user: Any, is_public: bool, *, include_files: bool = False) -> Bucket:
    bucket = _changeable_bucket(alias, ident, user)
    return _update_bucket(bucket, is_public=is_public, include_files=bool(include_files))


def add_bucket_tags(alias: str, ident: Any, user: Any, tags: Any) -> Bucket:
    bucket = _changeable_bucket(alias, ident, user)
    return _update_bucket(bucket, tags=merge_tags(bucket.tags, clean_tags(tags)))


def remove_bucket_tags(alias: str, ident: Any, user: Any, tags: Any) -> Bucket:
    bucket = _changeable_bucket(alias, ident, user)
    removed = set(clean_tags(tags))
    return _update_bucket(bucket, tags=[tag for tag in bucket.tags if tag not in removed])


def update_bucket(alias: str, ident: Any, user: Any, *, new_name: Any = None, is_public: Any = None,
                  tags: Any = None, include_files: bool = False) -> Bucket:
    bucket = _changeable_bucket(alias, ident, user)
    return _update_bucket(
        bucket,
        name=clean_bucket_name(new_name) if new_name is not None else None,
        is_public=None if is_public is None else bool(is_public),
        tags=clean_tags(tags) if tags is not None else None,
        include_files=bool(include_files),
    )


def set_bucket_metadata(alias: str, ident: Any, user: Any, metadata: dict[str, Any]) -> Bucket:
    bucket = _changeable_bucket(alias, ident, user)
    bucket.metadata = metadata
    bucket.save(update_fields=["metadata", "updated_at"])
    return bucket


def empty_bucket(alias: str, ident: Any, user: Any) -> int:
    """Delete every file of the bucket (bytes after commit); returns how many."""
    bucket = _changeable_bucket(alias, ident, user)
    with transaction.atomic():
        count, _by_model = bucket.files.all().delete()  # post_delete frees the bytes on commit
    return count


def delete_bucket(alias: str, ident: Any, user: Any, *, only_if_empty: bool = False) -> None:
    bucket = _changeable_bucket(alias, ident, user)
    if bucket.name == ROOT:
        raise RootBucketProtected()
    with transaction.atomic():
        if only_if_empty and bucket.files.exists():
            raise BucketNotEmpty(details={"bucket": bucket.name})
        bucket.files.all().delete()
        bucket.delete()
    signals.bucket_deleted.send(sender=Bucket, bucket=bucket, user=owner_of(user))


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


def file_exists(alias: str, bucket_ident: Any, ident: Any, user: Any) -> bool:
    bucket = find_bucket(alias, bucket_ident)
    try:
        file = find_file(bucket, ident)
    except FileNotFound:
        return False
    require(get_adapter().can_read_file(user, file), user)
    return True


def get_file(alias: str, bucket_ident: Any, ident: Any, user: Any) -> StoredFile:
    file = find_file(find_bucket(alias, bucket_ident), ident)
    require(get_adapter().can_read_file(user, file), user)
    return file


def changeable_file(alias: str, bucket_ident: Any, ident: Any, user: Any) -> StoredFile:
    file = find_file(find_bucket(alias, bucket_ident), ident)
    require(get_adapter().can_change_file(user, file), user)
    return file


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


def upload_target(alias: str, bucket_ident: Any, user: Any, *, create_missing: bool = False) -> Bucket:
    """The bucket an upload goes to, checked before any byte is read; ``create_missing``
    creates it (if the caller may create buckets)."""
    try:
        bucket = find_bucket(alias, bucket_ident)
    except BucketNotFound:
        if not create_missing:
            raise
        try:
            bucket = create_bucket(alias, user, bucket_ident)
        except BucketAlreadyExists:  # created by a concurrent upload
            bucket = find_bucket(alias, bucket_ident)
    require(get_adapter().can_upload(user, bucket), user)
    return bucket


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


def replace_file(alias: str, bucket_ident: Any, ident: Any, user: Any, incoming: Incoming) -> StoredFile:
    return replace(changeable_file(alias, bucket_ident, ident, user), user, incoming)


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


def rename_file(alias: str, bucket_ident: Any, ident: Any, user: Any, new_name: Any) -> StoredFile:
    file = changeable_file(alias, bucket_ident, ident, user)
    return _update_file(file, name=clean_file_name(new_name))


def set_file_public(alias: str, bucket_ident: Any, ident: Any, user: Any, is_public: bool) -> StoredFile:
    return _update_file(changeable_file(alias, bucket_ident, ident, user), is_public=is_public)


def add_file_tags(alias: str, bucket_ident: Any, ident: Any, user: Any, tags: Any) -> StoredFile:
    file = changeable_file(alias, bucket_ident, ident, user)
    return _update_file(file, tags=merge_tags(file.tags, clean_tags(tags)))


def remove_file_tags(alias: str, bucket_ident: Any, ident: Any, user: Any, tags: Any) -> StoredFile:
    file = changeable_file(alias, bucket_ident, ident, user)
    removed = set(clean_tags(tags))
    return _update_file(file, tags=[tag for tag in file.tags if tag not in removed])


def update_file(alias: str, bucket_ident: Any, ident: Any, user: Any, *, new_name: Any = None,
                is_public: Any = None, tags: Any = None) -> StoredFile:
    file = changeable_file(alias, bucket_ident, ident, user)
    return _update_file(
        file,
        name=clean_file_name(new_name) if new_name is not None else None,
        is_public=is_public,
        tags=clean_tags(tags) if tags is not None else None,
    )


def set_file_metadata(file: StoredFile, metadata: dict[str, Any]) -> StoredFile:
    file.metadata = metadata
    file.save(update_fields=["metadata", "updated_at"])
    return file


def delete_file(alias: str, bucket_ident: Any, ident: Any, user: Any) -> None:
    file = changeable_file(alias, bucket_ident, ident, user)
    file.delete()  # post_delete frees the bytes on commit


def delete_files(alias: str, bucket_ident: Any, user: Any, idents: Any) -> int:
    """Delete the named files the caller may change; unknown names are skipped."""
    bucket = find_bucket(alias, bucket_ident)
    if isinstance(idents, str):
        idents = [idents]
    if not isinstance(idents, list) or not all(isinstance(item, str) for item in idents):
        raise MissingFileIdentifier("fileNamesOrIds must be a list of names or ids.")
    ids = [value for value in map(_as_uuid, idents) if value]
    names = [_name_key(name) for name in idents if not _as_uuid(name)]
    adapter = get_adapter()
    files = list(StoredFile.objects.filter(Q(pk__in=ids) | Q(name__in=names), bucket=bucket).select_related("bucket"))
    for file in files:
        require(adapter.can_change_file(user, file), user)
    with transaction.atomic():
        StoredFile.objects.filter(pk__in=[file.pk for file in files]).delete()
    return len(files)


def delete_file_by_url(alias: str, user: Any, url: Any) -> None:
    from agnost_django.storage.exceptions import InvalidFileUrl
    from agnost_django.storage.links import file_id_from_url

    file_id = file_id_from_url(url)
    file = StoredFile.objects.filter(pk=file_id, storage_alias=alias).select_related("bucket").first() if file_id else None
    if file_id is None:
        raise InvalidFileUrl(details={"fileUrl": url})
    if file is None:
        raise FileNotFound(details={"fileUrl": url})
    require(get_adapter().can_change_file(user, file), user)
    file.delete()


def duplicate_file(alias: str, bucket_ident: Any, ident: Any, user: Any, name: Any = None) -> StoredFile:
    file = changeable_file(alias, bucket_ident, ident, user)
    return _copy(file, file.bucket, user, clean_file_name(name) if name is not None else file.name,
                 unique=name is None)


def copy_file(alias: str, bucket_ident: Any, ident: Any, user: Any, target: Any, *,
              name: Any = None, unique: bool = True) -> StoredFile:
    file = changeable_file(alias, bucket_ident, ident, user)
    target_bucket = find_bucket(alias, target)
    require(get_adapter().can_upload(user, target_bucket), user)
    return _copy(file, target_bucket, user, clean_file_name(name) if name is not None else file.name,
                 unique=unique)


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


def move_file(alias: str, bucket_ident: Any, ident: Any, user: Any, target: Any, *,
              name: Any = None, unique: bool = True) -> StoredFile:
    """Move to another bucket (or rename within one with ``name``): metadata only, unless
    the target bucket keeps its bytes in another storage."""
    file = changeable_file(alias, bucket_ident, ident, user)
    target_bucket = find_bucket(alias, target) if target is not None else file.bucket
    if target_bucket.pk != file.bucket_id:
        require(get_adapter().can_upload(user, target_bucket), user)
    new_name = clean_file_name(name) if name is not None else file.name
    if target_bucket.pk == file.bucket_id and new_name == file.name:
        return file
    old_alias, old_key = file.storage_alias, file.blob_key
    if target_bucket.storage_alias != old_alias:
        file.blob_key = blobs.copy(old_alias, old_key, target_bucket.storage_alias)
        file.storage_alias = target_bucket.storage_alias
    file.bucket = target_bucket
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
    raise FileAlreadyExists(f"A file named '{new_name}' already exists in bucket '{target_bucket.name}'.",
                            details={"file": new_name})


def list_files(alias: str, user: Any, expression: Any = None, options: Any = None, *,
               bucket: Any = None, search: str | None = None):
    queryset = StoredFile.objects.filter(storage_alias=alias)
    if bucket is not None:
        queryset = queryset.filter(bucket=find_bucket(alias, bucket))
    if user is not SYSTEM:
        visible = get_adapter().readable_files(user)
        if visible is not None:
            queryset = queryset.filter(visible)
    return listing.apply(queryset, expression, options, search=search)


def open_file(file: StoredFile):
    return blobs.open_blob(file.storage_alias, file.blob_key)
