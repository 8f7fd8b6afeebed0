"""Routes of the storage module, mounted under ``/_api/rest/v1/`` by ``agnost_django.urls``
(34 routes, spec 3.3 and 3.4). The public file route is in :mod:`.public_urls`."""

from __future__ import annotations

from django.urls import path

from agnost_django.storage.views import StorageViewSet

app_name = "agnost_storage"


def _post(route: str, action: str):
    return path(route, StorageViewSet.as_view({"post": action}), name=route.replace("/", "-"))


urlpatterns = [
    _post("storage/create-bucket", "create_bucket"),
    _post("storage/list-buckets", "list_buckets"),
    path("storage/stats", StorageViewSet.as_view({"get": "stats"}), name="stats"),
    _post("storage/search-files", "search_files"),
    _post("storage/delete-file", "delete_file_url"),
    *(
        _post(f"storage/bucket/{route}", f"bucket_{route.replace('-', '_')}")
        for route in (
            "exists", "get", "empty", "rename", "delete", "make-public", "make-private", "list-files",
            "upload-formdata", "upload-object", "delete-files", "add-tags", "remove-tags", "update",
        )
    ),
    *(
        _post(f"storage/bucket/file/{route}", f"file_{route.replace('-', '_')}")
        for route in (
            "exists", "get", "make-public", "make-private", "download", "rename", "duplicate", "delete",
            "replace-formdata", "replace-object", "move", "copy", "add-tags", "remove-tags", "update",
        )
    ),
]
