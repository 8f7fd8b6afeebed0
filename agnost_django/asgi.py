"""The host's whole ASGI application in one call:

    # mysite/asgi.py
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

    from agnost_django.asgi import get_asgi_application

    application = get_asgi_application()

HTTP goes to Django through :mod:`agnost_django.core.asgi` (each request in one call to a
pool of threads), behind storage's :class:`~agnost_django.storage.asgi.BodySizeLimit` when
storage is installed; websockets go to the realtime consumer (Socket.IO at ``/socket.io/``)
behind the client-key origin check when realtime is installed. A host with websocket routes of its own passes them:
``get_asgi_application(websocket_urlpatterns=[...])``; they come after realtime's, behind
Channels' ``AuthMiddlewareStack`` (``scope["user"]`` from the Django session), which the
realtime socket does without.
"""

from __future__ import annotations

from agnost_django.core.asgi import get_asgi_application as get_django_application


def get_asgi_application(*, websocket_urlpatterns=()):
    http = get_django_application()  # sets Django up: the imports below need it
    from django.apps import apps

    if apps.is_installed("agnost_django.storage"):
        from agnost_django.storage.asgi import BodySizeLimit

        http = BodySizeLimit(http)  # oversized request bodies refused while they arrive
    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from django.urls import re_path

    # The realtime socket authenticates with its client key and session token: only the host's
    # routes get Django's session and user (AuthMiddlewareStack, a few KB per open socket).
    routes = [re_path(r"", AuthMiddlewareStack(URLRouter(list(websocket_urlpatterns))))] if websocket_urlpatterns else []
    if apps.is_installed("agnost_django.realtime"):
        import agnost_django.routing
        from agnost_django.realtime.security import OriginValidator

        routes = [*agnost_django.routing.websocket_urlpatterns, *routes]
    elif routes:
        from channels.security.websocket import AllowedHostsOriginValidator as OriginValidator
    else:
        return http
    return ProtocolTypeRouter({"http": http, "websocket": OriginValidator(URLRouter(routes))})
