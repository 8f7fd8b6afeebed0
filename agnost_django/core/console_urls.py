"""Routes of the admin console's pages, staff only (the admin's own login and permission check)."""

from __future__ import annotations

from django.apps import apps
from django.urls import path

urlpatterns = []

if apps.is_installed("django.contrib.admin"):
    from django.contrib import admin

    from agnost_django.core.console_views import console_page

    urlpatterns = [
        path("_console/<slug:app_label>/<slug:slug>", admin.site.admin_view(console_page), name="agnost-console-page"),
    ]
