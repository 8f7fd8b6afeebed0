"""``agnost_django.asgi.get_asgi_application(websocket_urlpatterns=...)``: the host's own
websocket routes get Django's session and user (Channels' ``AuthMiddlewareStack``); the
realtime socket, which authenticates with its client key and session token, goes without."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import re_path

from agnost_django.asgi import get_asgi_application
from tests.realtime.conftest import PATH, WebsocketCommunicator

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


class WhoAmI(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        user = self.scope["user"]
        await self.send(text_data=user.get_username() if user.is_authenticated else "anonymous")


async def test_host_routes_get_the_session_user_and_realtime_does_without(client, user_factory):
    user = await sync_to_async(user_factory)(email="ws@example.com")
    await sync_to_async(client.force_login)(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    app = get_asgi_application(websocket_urlpatterns=[re_path(r"^ws/whoami/$", WhoAmI.as_asgi())])

    for headers, expected in (([(b"cookie", cookie)], user.get_username()), ([], "anonymous")):
        host = WebsocketCommunicator(app, "/ws/whoami/", headers)
        assert (await host.connect())[0]
        assert await host.receive_from() == expected
        await host.disconnect()

    realtime = WebsocketCommunicator(app, PATH, [(b"cookie", cookie)])
    assert (await realtime.connect())[0]
    assert (await realtime.receive_from()).startswith("0{")  # Engine.IO open
    await realtime.disconnect()
