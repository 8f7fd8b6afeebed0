"""The API root: the browsable API's entry point, listing the mounted modules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from agnost_django.core.api import AgnostAPIView


class APIRootView(AgnostAPIView):
    """The modules of agnost_django mounted on this host, with a route of each.

    ``modules`` (given by the URLconf that mounts them: ``as_view(modules=...)``) returns
    the mounted modules, each with a ``name`` and an ``entry_point`` route name."""

    agnost_module = "core"
    modules: Callable[[], Iterable[Any]] = staticmethod(lambda: ())

    def get_permissions(self):
        return [AllowAny()]

    @extend_schema(exclude=True)
    def get(self, request):
        links = {}
        for module in self.modules():
            try:
                links[module.name] = request.build_absolute_uri(reverse(module.entry_point))
            except NoReverseMatch:
                continue
        for name, url_name in (("schema", "agnost-schema"), ("docs", "agnost-docs")):
            links[name] = request.build_absolute_uri(reverse(url_name))
        return Response(links)
