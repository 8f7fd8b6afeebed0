"""Routes of the data module, mounted under ``/_api/rest/v1/`` by ``agnost_django.urls``."""

from __future__ import annotations

from django.urls import path

from agnost_django.data.views import DataViewSet

app_name = "agnost_data"

ROUTES = {
    "stats": {"get": "stats"},
    "create": {"post": "create"},
    "set": {"post": "set"},
    "append": {"post": "append"},
    "get-list": {"post": "get_list"},
    "compute": {"post": "compute"},
    "get-single": {"post": "get_single"},
    "get-random": {"post": "get_random"},
    "update": {"post": "update"},
    "update-fields": {"post": "update_fields"},
    "delete": {"post": "delete"},
    "search-text": {"post": "search_text"},
    "fuzzy-search": {"post": "fuzzy_search"},
    "object/get": {"post": "object_get"},
    "object/create": {"post": "object_create"},
    "object/set": {"post": "object_set"},
    "object/append": {"post": "object_append"},
    "object/delete": {"post": "object_delete"},
    "object/update": {"post": "object_update"},
    "object/update-fields": {"post": "object_update_fields"},
}

urlpatterns = [path(f"db/{route}", DataViewSet.as_view(actions), name=route) for route, actions in ROUTES.items()]
