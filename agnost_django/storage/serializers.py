"""The wire shapes of buckets and files (spec 3.4), and input serializers for the
browsable API's forms."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agnost_django.core.wire import iso
from agnost_django.storage.links import public_url
from agnost_django.storage.models import Bucket, StoredFile
from agnost_django.storage.names import MAX_BUCKET_NAME, MAX_TAG_LENGTH, MAX_TAGS


def bucket_json(bucket: Bucket, stats: dict[str, Any] | None = None) -> dict[str, Any]:
    data = {
        "_id": str(bucket.pk),
        "name": bucket.name,
        "isPublic": bucket.is_public,
        "tags": list(bucket.tags),
        "userId": str(bucket.owner_id) if bucket.owner_id is not None else None,
        "createdAt": iso(bucket.created_at),
        "updatedAt": iso(bucket.updated_at),
    }
    if bucket.metadata:
        data["metadata"] = dict(bucket.metadata)
    if stats is not None:
        data["stats"] = stats
    return data


def file_json(file: StoredFile, base_url: str | None = None) -> dict[str, Any]:
    data = {
        "_id": str(file.pk),
        "bucketId": str(file.bucket_id),
        "fileName": file.name,
        "size": file.size,
        "encoding": file.encoding,
        "mimeType": file.mime_type,
        "publicPath": public_url(file, base_url),
        "isPublic": file.is_public,
        "tags": list(file.tags),
        "userId": str(file.owner_id) if file.owner_id is not None else None,
        "checksum": file.checksum,
        "uploadedAt": iso(file.uploaded_at),
        "updatedAt": iso(file.updated_at),
    }
    if file.metadata:
        data["metadata"] = dict(file.metadata)
    return data


def listing_json(result, to_json) -> Any:
    if isinstance(result, dict):
        return {"info": result["info"], "data": [to_json(item) for item in result["data"]]}
    return [to_json(item) for item in result]


# Input forms (the browsable API and the OpenAPI schema); views validate with the services.

# The rules of names.py, for the schema: printable characters, not only spaces.
_CONTROLS = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
TAG = {"type": "string", "minLength": 1, "maxLength": MAX_TAG_LENGTH,
       "pattern": rf"^[^{_CONTROLS}]*[^\s{_CONTROLS}][^{_CONTROLS}]*$"}
BUCKET_NAME = {"type": "string", "minLength": 1, "maxLength": MAX_BUCKET_NAME,
               "pattern": rf"^[^/\\{_CONTROLS}]*[^\s/\\{_CONTROLS}][^/\\{_CONTROLS}]*$",
               "description": "Printable, without / or \\, not shaped like an id."}


@extend_schema_field({"oneOf": [TAG, {"type": "array", "items": TAG, "maxItems": MAX_TAGS}]})
class TagsField(serializers.JSONField):
    """A tag or a list of tags."""


@extend_schema_field(BUCKET_NAME)
class BucketNameField(serializers.CharField):
    """A new bucket's name."""


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})
class NamesOrIdsField(serializers.JSONField):
    """A file name or id, or a list of them."""


class BucketSerializer(serializers.Serializer):
    bucket = serializers.CharField(help_text="Name or id of the bucket.")


class CreateBucketSerializer(serializers.Serializer):
    name = BucketNameField()
    isPublic = serializers.BooleanField(required=False, default=True)
    tags = TagsField(required=False)


class ListSerializer(serializers.Serializer):
    expression = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    options = serializers.JSONField(required=False, help_text="{page, limit, sort: {field, direction}, returnCountInfo}")


class BucketListSerializer(BucketSerializer, ListSerializer):
    pass


class BucketDetailSerializer(BucketSerializer):
    detailed = serializers.BooleanField(required=False, default=False)


class RenameBucketSerializer(BucketSerializer):
    newName = BucketNameField()


class BucketPrivacySerializer(BucketSerializer):
    includeFiles = serializers.BooleanField(required=False, default=False)


class BucketTagsSerializer(BucketSerializer):
    tags = TagsField()


class UpdateBucketSerializer(BucketSerializer):
    newName = BucketNameField(required=False, allow_null=True)
    isPublic = serializers.BooleanField(required=False, allow_null=True)
    tags = TagsField(required=False)
    includeFiles = serializers.BooleanField(required=False, default=False)


class DeleteFilesSerializer(BucketSerializer):
    fileNamesOrIds = NamesOrIdsField()


class FileSerializer(BucketSerializer):
    file = serializers.CharField(help_text="Name or id of the file.")


class RenameFileSerializer(FileSerializer):
    newName = serializers.CharField()


class DuplicateFileSerializer(FileSerializer):
    duplicateName = serializers.CharField(required=False, allow_null=True)


class MoveFileSerializer(FileSerializer):
    bucketNameOrId = serializers.CharField()


class FileTagsSerializer(FileSerializer):
    tags = TagsField()


class UpdateFileSerializer(FileSerializer):
    newName = serializers.CharField(required=False, allow_null=True)
    isPublic = serializers.BooleanField(required=False, allow_null=True)
    tags = TagsField(required=False)


class DeleteFileUrlSerializer(serializers.Serializer):
    fileUrl = serializers.CharField()


# Output shapes (the OpenAPI schema): what bucket_json() and file_json() write.

class BucketStatsSerializer(serializers.Serializer):
    objectsCount = serializers.IntegerField()
    totalStorageSize = serializers.IntegerField()
    averageObjectSize = serializers.IntegerField()
    minObjectSize = serializers.IntegerField()
    maxObjectSize = serializers.IntegerField()


class StorageStatsSerializer(BucketStatsSerializer):
    bucketsCount = serializers.IntegerField()


class BucketInfoSerializer(serializers.Serializer):
    _id = serializers.CharField()
    name = serializers.CharField()
    isPublic = serializers.BooleanField()
    tags = serializers.ListField(child=serializers.CharField())
    userId = serializers.CharField(allow_null=True)
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
    metadata = serializers.DictField(required=False)
    stats = BucketStatsSerializer(required=False, help_text="With detailed: true.")


class FileInfoSerializer(serializers.Serializer):
    _id = serializers.CharField()
    bucketId = serializers.CharField()
    fileName = serializers.CharField()
    size = serializers.IntegerField()
    encoding = serializers.CharField(allow_null=True, allow_blank=True)
    mimeType = serializers.CharField(allow_blank=True)
    publicPath = serializers.CharField()
    isPublic = serializers.BooleanField()
    tags = serializers.ListField(child=serializers.CharField())
    userId = serializers.CharField(allow_null=True)
    checksum = serializers.CharField(allow_null=True, allow_blank=True)
    uploadedAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
    metadata = serializers.DictField(required=False)


class UploadFormSerializer(serializers.Serializer):
    """The multipart body of upload-formdata and replace-formdata: the part ``file`` (else
    the first file part)."""

    file = serializers.FileField()
