"""The public file route, mounted at ``/_storage/`` by ``agnost_django.urls``."""

from __future__ import annotations

from django.urls import path

from agnost_django.storage.public_views import PublicFileView

app_name = "agnost_storage_public"

urlpatterns = [
    path("<uuid:file_id>", PublicFileView.as_view(), name="file"),
]
