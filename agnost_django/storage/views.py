"""The client's StorageManager, BucketManager and FileManager routes under
``/_api/rest/v1/storage``. Thin: read the body, call a service, shape the result."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from agnost_django.core.api import AgnostViewSet
from agnost_django.core.exceptions import ValidationFailed
from agnost_django.core.schema import NULL, error_responses, listing
from agnost_django.storage import serializers as s
from agnost_django.storage import services, uploads
from agnost_django.storage.conf import storage_settings
from agnost_django.storage.exceptions import MissingFileIdentifier
from agnost_django.storage.names import clean_file_name
from agnost_django.storage.responses import file_response

_FORMS = {
    "create_bucket": s.CreateBucketSerializer, "list_buckets": s.ListSerializer,
    "search_files": s.ListSerializer, "delete_file_url": s.DeleteFileUrlSerializer,
    "bucket_get": s.BucketDetailSerializer, "bucket_rename": s.RenameBucketSerializer,
    "bucket_make_public": s.BucketPrivacySerializer, "bucket_make_private": s.BucketPrivacySerializer,
    "bucket_list_files": s.BucketListSerializer, "bucket_delete_files": s.DeleteFilesSerializer,
    "bucket_add_tags": s.BucketTagsSerializer, "bucket_remove_tags": s.BucketTagsSerializer,
    "bucket_update": s.UpdateBucketSerializer, "file_rename": s.RenameFileSerializer,
    "file_duplicate": s.DuplicateFileSerializer, "file_move": s.MoveFileSerializer,
    "file_copy": s.MoveFileSerializer, "file_add_tags": s.FileTagsSerializer,
    "file_remove_tags": s.FileTagsSerializer, "file_update": s.UpdateFileSerializer,
}



_BUCKET_LIST = listing({"$ref": "#/components/schemas/BucketInfo"})
_FILE_LIST = listing({"$ref": "#/components/schemas/FileInfo"})


def _doc(request, response, *errors: int, **kwargs):
    """``extend_schema`` of one action: ``response`` on 200 and the action's own errors
    (404: no such bucket or file, 409: the name is taken, 413: over the upload limit)."""
    return extend_schema(request=request, responses={200: response, **error_responses(*errors)}, **kwargs)


@extend_schema(tags=["storage"])
class StorageViewSet(AgnostViewSet):
    """Buckets and files of the storage alias ``AGNOST_STORAGE_ALIAS``."""

    agnost_module = "storage"

    @property
    def app_settings(self):
        return storage_settings

    @property
    def alias(self) -> str:
        return storage_settings.ALIAS

    @property
    def user(self):
        user = self.request.user
        return user if user is not None and user.is_authenticated else None

    def get_serializer(self, *args, **kwargs):
        if self.action in _FORMS:
            return _FORMS[self.action](*args, **kwargs)
        if self.action.startswith("file_"):
            return s.FileSerializer(*args, **kwargs)
        return s.BucketSerializer(*args, **kwargs)

    # -- helpers --------------------------------------------------------------------------

    def bucket_ident(self, data: dict[str, Any]) -> Any:
        if "bucket" not in data:
            raise ValidationFailed("bucket is required.", details={"field": "bucket"})
        return data["bucket"]

    def file_ident(self, data: dict[str, Any]) -> Any:
        if data.get("file") in (None, ""):
            raise MissingFileIdentifier(details={"field": "file"})
        return data["file"]

    def storage(self) -> services.StorageService:
        return services.storage(self.alias, self.user)

    def bucket(self, data: dict[str, Any]) -> services.BucketService:
        return self.storage().bucket(self.bucket_ident(data))

    def file(self, data: dict[str, Any]) -> services.FileService:
        return self.bucket(data).file(self.file_ident(data))

    def base_url(self) -> str:
        return storage_settings.BASE_URL or self.request.build_absolute_uri("/").rstrip("/")

    def file_out(self, file) -> Response:
        return Response(s.file_json(file, self.base_url()))

    def bucket_out(self, bucket, stats=None) -> Response:
        return Response(s.bucket_json(bucket, stats))

    # -- storage --------------------------------------------------------------------------

    @_doc(s.CreateBucketSerializer, s.BucketInfoSerializer, 404, 409)
    def create_bucket(self, request):
        data = self.body()
        bucket = self.storage().create_bucket(data.get("name"), is_public=self.flag("isPublic", True),
                                              tags=data.get("tags"))
        return self.bucket_out(bucket)

    @_doc(s.ListSerializer, _BUCKET_LIST)
    def list_buckets(self, request):
        data = self.body()
        result = self.storage().list_buckets(data.get("expression"), data.get("options"))
        return Response(s.listing_json(result, s.bucket_json))

    @_doc(None, s.StorageStatsSerializer)
    def stats(self, request):
        return Response(self.storage().stats())

    @_doc(s.ListSerializer, _FILE_LIST)
    def search_files(self, request):
        data = self.body()
        result = self.storage().list_files(data.get("expression"), data.get("options"))
        base = self.base_url()
        return Response(s.listing_json(result, lambda file: s.file_json(file, base)))

    @_doc(s.DeleteFileUrlSerializer, NULL, 404)
    def delete_file_url(self, request):
        self.storage().delete_file_by_url(self.body().get("fileUrl"))
        return Response()

    # -- bucket ---------------------------------------------------------------------------

    @_doc(s.BucketSerializer, OpenApiTypes.BOOL)
    def bucket_exists(self, request):
        return Response(self.bucket(self.body()).exists())

    @_doc(s.BucketDetailSerializer, s.BucketInfoSerializer, 404)
    def bucket_get(self, request):
        data = self.body()
        bucket = self.bucket(data).get()
        return self.bucket_out(bucket, services.bucket_stats(bucket) if self.flag("detailed") else None)

    @_doc(s.BucketSerializer, NULL, 404)
    def bucket_empty(self, request):
        self.bucket(self.body()).empty()
        return Response()

    @_doc(s.RenameBucketSerializer, s.BucketInfoSerializer, 404, 409)
    def bucket_rename(self, request):
        data = self.body()
        return self.bucket_out(self.bucket(data).rename(data.get("newName")))

    @_doc(s.BucketSerializer, NULL, 404)
    def bucket_delete(self, request):
        self.bucket(self.body()).delete()
        return Response()

    def _bucket_privacy(self, is_public: bool) -> Response:
        data = self.body()
        return self.bucket_out(self.bucket(data).set_public(is_public, include_files=self.flag("includeFiles")))

    @_doc(s.BucketPrivacySerializer, s.BucketInfoSerializer, 404)
    def bucket_make_public(self, request):
        return self._bucket_privacy(True)

    @_doc(s.BucketPrivacySerializer, s.BucketInfoSerializer, 404)
    def bucket_make_private(self, request):
        return self._bucket_privacy(False)

    @_doc(s.BucketListSerializer, _FILE_LIST, 404)
    def bucket_list_files(self, request):
        data = self.body()
        result = self.bucket(data).list_files(data.get("expression"), data.get("options"))
        base = self.base_url()
        return Response(s.listing_json(result, lambda file: s.file_json(file, base)))

    @_doc(s.DeleteFilesSerializer, NULL, 404)
    def bucket_delete_files(self, request):
        data = self.body()
        self.bucket(data).delete_files(data.get("fileNamesOrIds"))
        return Response()

    @_doc(s.BucketTagsSerializer, s.BucketInfoSerializer, 404)
    def bucket_add_tags(self, request):
        data = self.body()
        return self.bucket_out(self.bucket(data).add_tags(data.get("tags")))

    @_doc(s.BucketTagsSerializer, s.BucketInfoSerializer, 404)
    def bucket_remove_tags(self, request):
        data = self.body()
        return self.bucket_out(self.bucket(data).remove_tags(data.get("tags")))

    @_doc(s.UpdateBucketSerializer, s.BucketInfoSerializer, 404, 409)
    def bucket_update(self, request):
        data = self.body()
        bucket = self.bucket(data).update(new_name=data.get("newName"), is_public=self.flag("isPublic", None),
                                          tags=data.get("tags"), include_files=self.flag("includeFiles"))
        return self.bucket_out(bucket)

    # -- uploads --------------------------------------------------------------------------

    def upload_options(self) -> dict[str, Any]:
        raw = self.request.query_params.get("options")
        if not raw:
            return {}
        try:
            options = json.loads(raw)
        except (ValueError, RecursionError):
            raise ValidationFailed("options must be a JSON object.", details={"field": "options"}) from None
        if not isinstance(options, dict):
            raise ValidationFailed("options must be a JSON object.", details={"field": "options"})
        for key in ("isPublic", "createBucket"):
            if options.get(key) is not None and not isinstance(options[key], bool):
                raise ValidationFailed(f"options.{key} must be true or false.", details={"field": f"options.{key}"})
        return options

    def _upload(self, multipart: bool) -> Response:
        params = self.request.query_params
        options = self.upload_options()
        name = clean_file_name(params.get("fileName"))
        bucket = self.storage().bucket(params.get("bucket") or "root").upload_target(
            create_missing=bool(options.get("createBucket")))
        limit = services.upload_limit(bucket)
        django_request = self.request._request
        incoming = (uploads.from_multipart(django_request, limit) if multipart
                    else uploads.from_raw_request(django_request, limit, options.get("contentType")))
        try:
            file = services.upload(bucket, self.user, incoming, name, is_public=options.get("isPublic"),
                                   tags=options.get("tags"))
        finally:
            incoming.close()
        return self.file_out(file)

    def _replace(self, multipart: bool) -> Response:
        params = self.request.query_params
        options = self.upload_options()
        if not params.get("file"):
            raise MissingFileIdentifier(details={"field": "file"})
        file = self.storage().bucket(params.get("bucket") or "root").file(params["file"]).changeable()
        limit = services.upload_limit(file.bucket)
        django_request = self.request._request
        incoming = (uploads.from_multipart(django_request, limit) if multipart
                    else uploads.from_raw_request(django_request, limit, options.get("contentType")))
        try:
            file = services.replace(file, self.user, incoming)
        finally:
            incoming.close()
        return self.file_out(file)

    _upload_parameters = [
        OpenApiParameter("bucket", str, description="Bucket name or id."),
        OpenApiParameter("fileName", str, required=True),
        OpenApiParameter("options", str, description='JSON: {"contentType", "isPublic", "tags", "createBucket"}'),
    ]

    @_doc({"multipart/form-data": s.UploadFormSerializer}, s.FileInfoSerializer, 404, 409, 413,
          parameters=_upload_parameters)
    def bucket_upload_formdata(self, request):
        return self._upload(multipart=True)

    @_doc(OpenApiTypes.ANY, s.FileInfoSerializer, 404, 409, 413, parameters=_upload_parameters,
          description="A JSON body as the altogic client sends it (a string, a Node Buffer, a typed "
                      "array, any JSON), or raw bytes with a non-JSON content type.")
    def bucket_upload_object(self, request):
        return self._upload(multipart=False)

    # -- file -----------------------------------------------------------------------------

    _replace_parameters = [
        OpenApiParameter("bucket", str, description="Bucket name or id."),
        OpenApiParameter("file", str, required=True, description="File name or id."),
        OpenApiParameter("options", str, description='JSON: {"contentType"}'),
    ]

    @_doc(s.FileSerializer, OpenApiTypes.BOOL, 404)
    def file_exists(self, request):
        data = self.body()
        return Response(self.file(data).exists())

    @_doc(s.FileSerializer, s.FileInfoSerializer, 404)
    def file_get(self, request):
        data = self.body()
        return self.file_out(self.file(data).get())

    def _file_privacy(self, is_public: bool) -> Response:
        data = self.body()
        return self.file_out(self.file(data).set_public(is_public))

    @_doc(s.FileSerializer, s.FileInfoSerializer, 404)
    def file_make_public(self, request):
        return self._file_privacy(True)

    @_doc(s.FileSerializer, s.FileInfoSerializer, 404)
    def file_make_private(self, request):
        return self._file_privacy(False)

    @extend_schema(request=s.FileSerializer, description="The file's bytes, with its own content type.",
                   responses={(200, "*/*"): OpenApiTypes.BINARY, **error_responses(404)})
    def file_download(self, request):
        data = self.body()
        file = self.file(data).get()
        return file_response(file, request, attachment=True)

    @_doc(s.RenameFileSerializer, s.FileInfoSerializer, 404, 409)
    def file_rename(self, request):
        data = self.body()
        return self.file_out(self.file(data).rename(data.get("newName")))

    @_doc(s.DuplicateFileSerializer, s.FileInfoSerializer, 404, 409)
    def file_duplicate(self, request):
        data = self.body()
        return self.file_out(self.file(data).duplicate(data.get("duplicateName")))

    @_doc(s.FileSerializer, NULL, 404)
    def file_delete(self, request):
        data = self.body()
        self.file(data).delete()
        return Response()

    @_doc({"multipart/form-data": s.UploadFormSerializer}, s.FileInfoSerializer, 404, 413,
          parameters=_replace_parameters)
    def file_replace_formdata(self, request):
        return self._replace(multipart=True)

    @_doc(OpenApiTypes.ANY, s.FileInfoSerializer, 404, 413, parameters=_replace_parameters)
    def file_replace_object(self, request):
        return self._replace(multipart=False)

    @_doc(s.MoveFileSerializer, s.FileInfoSerializer, 404, 409)
    def file_move(self, request):
        data = self.body()
        return self.file_out(self.file(data).move_to(data.get("bucketNameOrId")))

    @_doc(s.MoveFileSerializer, s.FileInfoSerializer, 404, 409)
    def file_copy(self, request):
        data = self.body()
        return self.file_out(self.file(data).copy_to(data.get("bucketNameOrId")))

    @_doc(s.FileTagsSerializer, s.FileInfoSerializer, 404)
    def file_add_tags(self, request):
        data = self.body()
        return self.file_out(self.file(data).add_tags(data.get("tags")))

    @_doc(s.FileTagsSerializer, s.FileInfoSerializer, 404)
    def file_remove_tags(self, request):
        data = self.body()
        return self.file_out(self.file(data).remove_tags(data.get("tags")))

    @_doc(s.UpdateFileSerializer, s.FileInfoSerializer, 404, 409)
    def file_update(self, request):
        data = self.body()
        return self.file_out(self.file(data).update(new_name=data.get("newName"),
                                                    is_public=self.flag("isPublic", None), tags=data.get("tags")))
