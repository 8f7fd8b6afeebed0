"""ASGI entry point: HTTP through Django, websockets through the Channels router."""

import os

from agnost_django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
# Django's handler, with the synchronous middleware chain and view in one thread hop per
# request; it sets Django up before the imports below.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

import agnost_django.routing  # noqa: E402
from agnost_django.realtime.security import OriginValidator  # noqa: E402
from agnost_django.storage.asgi import BodySizeLimit  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodySizeLimit(django_asgi_app),  # oversized bodies refused while they arrive
        "websocket": OriginValidator(
            AuthMiddlewareStack(URLRouter(agnost_django.routing.websocket_urlpatterns))
        ),
    }
)
