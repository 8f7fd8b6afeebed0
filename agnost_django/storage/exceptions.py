"""Error codes and exceptions of the storage module (Agnost's spellings where they exist)."""

from __future__ import annotations

from enum import Enum

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from agnost_django.core.exceptions import AgnostAPIError, NotAllowed  # noqa: F401 (core's, one class per code)


class StorageErrorCode(str, Enum):
    STORAGE_NOT_FOUND = "storage_not_found"
    BUCKET_NOT_FOUND = "bucket_not_found"
    FILE_NOT_FOUND = "file_not_found"
    INVALID_BUCKET_NAME = "invalid_bucket_name"
    INVALID_FILE_PATH = "invalid_file_path"
    INVALID_TAGS = "invalid_tags"
    BUCKET_ALREADY_EXISTS = "bucket_already_exists"
    FILE_ALREADY_EXISTS = "file_already_exists"
    ROOT_BUCKET_PROTECTED = "root_bucket_protected"
    BUCKET_NOT_EMPTY = "bucket_not_empty"
    FILE_TOO_LARGE = "file_too_large"
    FILE_UPLOAD_ERROR = "file_upload_error"
    MISSING_FILE_IDENTIFIER = "missing_file_identifier"
    INVALID_FILE_IDENTIFIER = "invalid_file_identifier"
    INVALID_FILE_URL = "invalid_file_url"
    NOT_PUBLIC = "not_public"
    INVALID_SIGNATURE = "invalid_signature"
    NOT_ALLOWED = "not_allowed"
    STORAGE_QUOTA_EXCEEDED = "storage_quota_exceeded"


class StorageNotFound(AgnostAPIError):
    """``agnost.storage(alias)`` names no ``settings.STORAGES`` alias (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("No such storage.")
    default_code = StorageErrorCode.STORAGE_NOT_FOUND.value


class BucketNotFound(AgnostAPIError):
    """No bucket has that name or id (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("The bucket cannot be found.")
    default_code = StorageErrorCode.BUCKET_NOT_FOUND.value


class FileNotFound(AgnostAPIError):
    """No file of the bucket has that name or id (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("The file cannot be found.")
    default_code = StorageErrorCode.FILE_NOT_FOUND.value


class InvalidBucketName(AgnostAPIError):
    """An empty, too long, or unsafe bucket name (400)."""

    default_detail = _("The bucket name is not valid.")
    default_code = StorageErrorCode.INVALID_BUCKET_NAME.value


class InvalidFilePath(AgnostAPIError):
    """An empty, too long, or unsafe file name: ``..``, control characters... (400)."""

    default_detail = _("The file name is not valid.")
    default_code = StorageErrorCode.INVALID_FILE_PATH.value


class InvalidTags(AgnostAPIError):
    """Tags that are not a string or a list of strings, or too many (400)."""

    default_detail = _("Tags must be a string or a list of strings.")
    default_code = StorageErrorCode.INVALID_TAGS.value


class BucketAlreadyExists(AgnostAPIError):
    """Another bucket of the storage has that name (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A bucket with this name already exists.")
    default_code = StorageErrorCode.BUCKET_ALREADY_EXISTS.value


class FileAlreadyExists(AgnostAPIError):
    """Another file of the bucket has that name (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A file with this name already exists in the bucket.")
    default_code = StorageErrorCode.FILE_ALREADY_EXISTS.value


class RootBucketProtected(AgnostAPIError):
    """The ``root`` bucket cannot be renamed or deleted (400)."""

    default_detail = _("The root bucket cannot be renamed or deleted.")
    default_code = StorageErrorCode.ROOT_BUCKET_PROTECTED.value


class BucketNotEmpty(AgnostAPIError):
    """``delete(only_if_empty=True)`` on a bucket that holds files (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The bucket is not empty.")
    default_code = StorageErrorCode.BUCKET_NOT_EMPTY.value


class FileTooLarge(AgnostAPIError):
    """An upload larger than the bucket's or the global limit (413)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The file is too large.")
    default_code = StorageErrorCode.FILE_TOO_LARGE.value


class FileUploadError(AgnostAPIError):
    """An upload body that cannot be turned into file bytes (400)."""

    default_detail = _("The uploaded file cannot be read.")
    default_code = StorageErrorCode.FILE_UPLOAD_ERROR.value


class MissingFileIdentifier(AgnostAPIError):
    """A request that names no file (400)."""

    default_detail = _("The file is not specified.")
    default_code = StorageErrorCode.MISSING_FILE_IDENTIFIER.value


class InvalidFileIdentifier(AgnostAPIError):
    """A public file URL whose bucket and file ids match no file (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("No file has this address.")
    default_code = StorageErrorCode.INVALID_FILE_IDENTIFIER.value


class InvalidFileUrl(AgnostAPIError):
    """``delete-file`` with a URL that is not a ``publicPath`` of this server (400)."""

    default_detail = _("The URL is not a file address of this server.")
    default_code = StorageErrorCode.INVALID_FILE_URL.value


class NotPublic(AgnostAPIError):
    """The public route asked for a private file without the owner's or staff's session (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("The file is not public.")
    default_code = StorageErrorCode.NOT_PUBLIC.value


class InvalidSignature(AgnostAPIError):
    """A signed file URL that is forged, for another file, or expired (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("The signed URL is not valid or has expired.")
    default_code = StorageErrorCode.INVALID_SIGNATURE.value


class StorageQuotaExceeded(AgnostAPIError):
    """The files of the user who would own the new bytes would pass their quota (403):
    the request is fine, this user may not store more until they free space."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("Your storage quota is used up.")
    default_code = StorageErrorCode.STORAGE_QUOTA_EXCEEDED.value
