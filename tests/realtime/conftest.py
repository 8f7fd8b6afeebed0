from __future__ import annotations

import json

import pytest
from asgiref.testing import ApplicationCommunicator

from agnost_django.realtime.security import OriginValidator
from agnost_django.routing import websocket_urlpatterns
from channels.routing import URLRouter

PATH = "/socket.io/?EIO=4&transport=websocket"


class WebsocketCommunicator(ApplicationCommunicator):
    """An ASGI websocket test client (what channels.testing offers, without its daphne
    dependency)."""

    def __init__(self, app, path: str, headers=None) -> None:
        route, _sep, query = path.partition("?")
        super().__init__(app, {"type": "websocket", "path": route, "query_string": query.encode(),
                               "headers": headers or [], "subprotocols": []})

    async def connect(self, timeout: float = 2):
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        return response["type"] == "websocket.accept", response.get("code")

    async def send_to(self, text_data=None, bytes_data=None) -> None:
        message = {"type": "websocket.receive"}
        message["text" if text_data is not None else "bytes"] = text_data if text_data is not None else bytes_data
        await self.send_input(message)

    async def receive_from(self, timeout: float = 2):
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            raise ConnectionError(f"closed with {response.get('code')}")
        return response.get("text") if response.get("text") is not None else response.get("bytes")

    async def receive_nothing(self, timeout: float = 0.1) -> bool:
        return await super().receive_nothing(timeout)

    async def disconnect(self, code: int = 1000, timeout: float = 2) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def application():
    return OriginValidator(URLRouter(websocket_urlpatterns))


class Client:
    """A Socket.IO client speaking the frames socket.io-client 4 sends."""

    def __init__(self, headers=None) -> None:
        self.ws = WebsocketCommunicator(application(), PATH, headers=headers or [])
        self.sid = None
        self.events: list = []

    async def open(self) -> dict:
        connected, _code = await self.ws.connect()
        assert connected
        frame = await self.ws.receive_from()
        assert frame[0] == "0"
        return json.loads(frame[1:])

    async def connect(self, **auth) -> str:
        await self.open()
        await self.ws.send_to(text_data="40" + json.dumps(auth))
        frame = await self.next_frame()
        return frame

    async def next_frame(self, timeout: float = 2) -> str:
        while True:
            frame = await self.ws.receive_from(timeout)
            if frame == "2":  # answer pings
                await self.ws.send_to(text_data="3")
                continue
            return frame

    async def emit(self, event: str, payload) -> None:
        await self.ws.send_to(text_data="42" + json.dumps([event, payload]))

    async def receive_event(self, timeout: float = 2):
        frame = await self.next_frame(timeout)
        assert frame.startswith("42"), frame
        return json.loads(frame[2:])

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.ws.receive_nothing(timeout)

    async def close(self) -> None:
        await self.ws.disconnect()


@pytest.fixture
def anyio_backend():
    return "asyncio"
