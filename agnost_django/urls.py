"""The one ``include()`` a host needs: ``path("", include("agnost_django.urls"))``.

It mounts the client REST API of every *installed* agnost module (as its AppConfig declares:
:mod:`agnost_django.core.modules`) under ``/_api/rest/v1/``
(routes without trailing slashes, as the altogic client calls them), the API root at
``/_api/rest/v1``, the OpenAPI schema at ``/_api/schema``, its browsable docs at
``/_api/docs`` and the admin console's pages at ``/_console/``. The admin and ``rest_framework.urls`` stay the host's.
"""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from agnost_django.core import modules
from agnost_django.core.views import APIRootView

API_PREFIX = "_api/rest/v1/"

urlpatterns = [
    path(API_PREFIX.rstrip("/"), APIRootView.as_view(), name="agnost-api-root"),
    path("", include("agnost_django.core.console_urls")),  # the admin console's pages
    *(path(API_PREFIX, include(config.api_urls)) for config in modules.installed() if config.api_urls),
    *(path(config.browser_urls[0], include(config.browser_urls[1]))
      for config in modules.installed() if config.browser_urls),
    path("_api/schema", SpectacularAPIView.as_view(urlconf="agnost_django.urls"), name="agnost-schema"),
    path("_api/docs", SpectacularSwaggerView.as_view(url_name="agnost-schema"), name="agnost-docs"),
]
