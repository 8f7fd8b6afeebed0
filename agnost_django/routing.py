"""Websocket routes of the installed agnost apps, for the host's ASGI router:

    "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(
        URLRouter(agnost_django.routing.websocket_urlpatterns)))
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps

websocket_urlpatterns: list = []

if apps.is_installed("agnost_django.realtime"):
    websocket_urlpatterns += import_module("agnost_django.realtime.routing").websocket_urlpatterns
