"""Routes of the cache module, mounted under ``/_api/rest/v1/`` by ``agnost_django.urls``."""

from __future__ import annotations

from django.urls import path

from agnost_django.cache.views import CacheViewSet

app_name = "agnost_cache"

urlpatterns = [
    path(
        "cache",
        CacheViewSet.as_view({"get": "get_key", "post": "set_key", "delete": "delete_keys"}),
        name="cache",
    ),
    path("cache/increment", CacheViewSet.as_view({"post": "increment"}), name="cache-increment"),
    path("cache/decrement", CacheViewSet.as_view({"post": "decrement"}), name="cache-decrement"),
    path("cache/expire", CacheViewSet.as_view({"post": "expire"}), name="cache-expire"),
    path("cache/stats", CacheViewSet.as_view({"get": "stats"}), name="cache-stats"),
    path("cache/list-keys", CacheViewSet.as_view({"post": "list_keys"}), name="cache-list-keys"),
]
