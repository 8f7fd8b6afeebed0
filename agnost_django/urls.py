"""The one ``include()`` a host needs: ``path("", include("agnost_django.urls"))``.

It mounts the client REST API of every *installed* agnost app under ``/_api/rest/v1/``
(routes without trailing slashes, as the altogic client calls them), the API root at
``/_api/rest/v1``, the OpenAPI schema at ``/_api/schema``, its browsable docs at
``/_api/docs`` and the admin console's pages at ``/_console/``. The admin and ``rest_framework.urls`` stay the host's.
"""

from __future__ import annotations

from typing import NamedTuple

from django.apps import apps
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from agnost_django.core.views import APIRootView

API_PREFIX = "_api/rest/v1/"


class Module(NamedTuple):
    name: str
    app: str
    entry_point: str  # a route name, for the API root
    browser_urls: tuple[str, str] | None = None  # (prefix, urlconf) outside the API


MODULES = [
    Module("auth", "agnost_django.auth", "agnost_auth:user", ("_auth/", "agnost_django.auth.link_urls")),
    Module("db", "agnost_django.data", "agnost_data:stats"),
    Module("storage", "agnost_django.storage", "agnost_storage:stats",
           ("_storage/", "agnost_django.storage.public_urls")),
    Module("endpoint", "agnost_django.functions", "agnost_functions:endpoints",
           ("", "agnost_django.functions.endpoint_urls")),
    Module("queue", "agnost_django.queues", "agnost_queues:queue"),
    Module("task", "agnost_django.schedules", "agnost_schedules:task"),
    Module("realtime", "agnost_django.realtime", "agnost_realtime:get-members"),
    Module("cache", "agnost_django.cache", "agnost_cache:cache-stats"),
]


def installed_modules() -> list[Module]:
    return [module for module in MODULES if apps.is_installed(module.app)]


urlpatterns = [
    path(API_PREFIX.rstrip("/"), APIRootView.as_view(modules=installed_modules), name="agnost-api-root"),
    path("", include("agnost_django.core.console_urls")),  # the admin console's pages
    *(path(API_PREFIX, include(f"{module.app}.urls")) for module in installed_modules()),
    *(path(module.browser_urls[0], include(module.browser_urls[1]))
      for module in installed_modules() if module.browser_urls),
    path("_api/schema", SpectacularAPIView.as_view(urlconf="agnost_django.urls"), name="agnost-schema"),
    path("_api/docs", SpectacularSwaggerView.as_view(url_name="agnost-schema"), name="agnost-docs"),
]
