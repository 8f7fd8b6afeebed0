"""The host's endpoints at their own paths, mounted at the root by ``agnost_django.urls``.

The patterns are built from the registry when the URLconf is first imported (after every
``agnost_hooks.py`` has registered); one pattern per path, whatever its methods."""

from __future__ import annotations

from django.urls import path

from agnost_django.functions.registry import django_route, endpoints
from agnost_django.functions.views import EndpointView

app_name = "agnost_endpoints"


def build() -> list:
    """One pattern per path, named after the (first) endpoint at that path."""
    names: dict[str, str] = {}
    for entry in endpoints:
        names.setdefault(entry.path, entry.name)
    return [path(django_route(route), EndpointView.as_view(route=route), name=names[route].replace(":", "-"))
            for route in sorted(names)]


urlpatterns = build()
