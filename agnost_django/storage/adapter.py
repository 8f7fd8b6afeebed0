"""Who may do what with buckets and files. Subclass :class:`DefaultStorageAdapter` and point
``AGNOST_STORAGE_ADAPTER`` at your class to change a rule.

``user`` is the caller's user, or ``None`` for an anonymous client. The server library acts
as :data:`SYSTEM`, which no rule is asked about. A refusal answers ``not_allowed`` (403), or
``missing_session_token`` (401) to an anonymous caller.

The default rules:

* creating buckets and reading storage statistics: staff;
* listing buckets and reading a bucket's details: signed-in users;
* changing a bucket (rename, privacy, tags, empty, delete): its owner and staff;
* uploading into a bucket: signed-in users (they own what they upload);
* reading a file (get, exists, download, listings): anyone for a public file; its owner and
  staff for a private one;
* changing a file (rename, replace, move, copy, tags, privacy, delete): its owner and staff;
* storage quota: ``AGNOST_STORAGE_USER_QUOTA_BYTES`` for every user.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from agnost_django.storage.conf import storage_settings


class _System:
    def __repr__(self) -> str:
        return "SYSTEM"


#: The caller of server-library code: every rule allows it.
SYSTEM = _System()


def signed_in(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_staff(user: Any) -> bool:
    return signed_in(user) and bool(user.is_staff)


def owns(user: Any, obj: Any) -> bool:
    return signed_in(user) and obj.owner_id is not None and obj.owner_id == user.pk


class DefaultStorageAdapter:
    def can_create_bucket(self, user: Any) -> bool:
        """``create-bucket``, and uploads with ``createBucket: true`` to a missing bucket."""
        return is_staff(user)

    def can_view_stats(self, user: Any) -> bool:
        """``storage/stats``."""
        return is_staff(user)

    def can_view_buckets(self, user: Any) -> bool:
        """``list-buckets``, ``bucket/exists`` and ``bucket/get``."""
        return signed_in(user)

    def can_change_bucket(self, user: Any, bucket) -> bool:
        """Every bucket route that changes the bucket or all of its files."""
        return is_staff(user) or owns(user, bucket)

    def can_upload(self, user: Any, bucket) -> bool:
        """``upload-formdata`` / ``upload-object`` into ``bucket``."""
        return signed_in(user)

    def can_read_file(self, user: Any, file) -> bool:
        """``file/get``, ``file/exists``, ``file/download`` and the public route."""
        return file.is_public or is_staff(user) or owns(user, file)

    def readable_files(self, user: Any) -> Q | None:
        """The files that listings show ``user``, as a filter (``None``: all of them). Keep
        it consistent with :meth:`can_read_file`."""
        if is_staff(user):
            return None
        if signed_in(user):
            return Q(is_public=True) | Q(owner=user)
        return Q(is_public=True)

    def can_change_file(self, user: Any, file) -> bool:
        """Every file route that changes, copies or deletes ``file``."""
        return is_staff(user) or owns(user, file)

    def storage_quota(self, owner: Any) -> int | None:
        """Most bytes the files of ``owner`` (a user) may take in total, or ``None`` for no
        cap. Asked when a client's upload, replacement, copy or duplicate would add bytes to
        files ``owner`` owns (not for server-library or admin changes, which act as
        :data:`SYSTEM`)."""
        return storage_settings.USER_QUOTA_BYTES


def get_adapter() -> DefaultStorageAdapter:
    return storage_settings.ADAPTER()
