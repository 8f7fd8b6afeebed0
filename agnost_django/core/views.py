"""The API root: the browsable API's entry point, listing the mounted modules."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from agnost_django.core import modules
from agnost_django.core.api import AgnostAPIView


class APIRootView(AgnostAPIView):
    """The installed agnost modules, with a route of each (their ``api_root``)."""

    agnost_module = "core"

    def get_permissions(self):
        return [AllowAny()]

    @extend_schema(exclude=True)
    def get(self, request):
        links = {}
        for config in modules.installed():
            if not (config.wire_name and config.api_root):
                continue
            try:
                links[config.wire_name] = request.build_absolute_uri(reverse(config.api_root))
            except NoReverseMatch:
                continue
        for name, url_name in (("schema", "agnost-schema"), ("docs", "agnost-docs")):
            links[name] = request.build_absolute_uri(reverse(url_name))
        return Response(links)
