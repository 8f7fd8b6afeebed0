"""``get_asgi_application()``: Django's ASGI handler, serving the synchronous middleware
chain and view in one thread hop per request.

Django's own handler runs the middleware chain in async mode under ASGI: each synchronous
part (every middleware's ``process_request``/``process_response``, CSRF's ``process_view``,
the view) hops from the event loop to a thread and back, about fourteen hops per request, and
a synchronous-only middleware (WhiteNoise) adds two more around the chain below it. Here the
chain is loaded in sync mode and the whole of it runs in the request's thread at once, as
under WSGI; the event loop keeps the connection, the body, streaming and websockets. An
``async def`` view of the host still works (Django runs it with ``async_to_sync``), at the
cost of that one hop back.

    # asgi.py
    from agnost_django.core.asgi import get_asgi_application
    django_asgi_app = get_asgi_application()
"""

from __future__ import annotations

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler


class ASGIHandler(DjangoASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_asgi_application() -> ASGIHandler:
    django.setup(set_prefix=False)
    return ASGIHandler()
