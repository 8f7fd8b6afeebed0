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
        self.backlog: list[str] = []

    async def open(self) -> dict:
        connected, _code = await self.ws.connect()
        assert connected
        frame = await self.ws.receive_from()
        assert frame[0] == "0"
        return json.loads(frame[1:])

    async def connect(self, **auth) -> str:
        """CONNECT with ``auth``; returns the server's answer frame (``40{sid}`` or ``44{...}``)."""
        await self.open()
        await self.ws.send_to(text_data="40" + json.dumps(auth))
        frame = await self.next_frame()
        if frame.startswith("40{"):
            self.sid = json.loads(frame[2:])["sid"]
        return frame

    async def next_frame(self, timeout: float = 2) -> str:
        if self.backlog:
            return self.backlog.pop(0)
        return await self.read_frame(timeout)

    async def read_frame(self, timeout: float = 2) -> str:
        """The next frame from the socket itself (not the backlog), pings answered."""
        while True:
            frame = await self.ws.receive_from(timeout)
            if frame == "2":  # answer pings
                await self.ws.send_to(text_data="3")
                continue
            return frame

    async def emit(self, event: str, payload) -> None:
        await self.ws.send_to(text_data="42" + json.dumps([event, payload]))

    async def call(self, event: str, payload, timeout: float = 2):
        """Emit with an acknowledgement id and wait for the ack (other frames are kept for
        :meth:`receive_event`); returns the ack's arguments. ``timeout``: for each frame."""
        self.ack_id = getattr(self, "ack_id", 0) + 1
        await self.ws.send_to(text_data=f"42{self.ack_id}" + json.dumps([event, payload]))
        prefix = f"43{self.ack_id}"
        while True:  # events may come before the ack (they are sent by another task)
            frame = await self.read_frame(timeout)
            if frame.startswith(prefix):
                return json.loads(frame[len(prefix):])
            self.backlog.append(frame)

    async def receive_event(self, timeout: float = 2):
        frame = await self.next_frame(timeout)
        assert frame.startswith("42"), frame
        return json.loads(frame[2:])

    async def nothing(self, timeout: float = 0.3) -> bool:
        return not self.backlog and await self.ws.receive_nothing(timeout)

    async def close(self) -> None:
        await self.ws.disconnect()


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def client_key(transactional_db):
    from agnost_django.core.services import create_client_key

    return create_client_key("realtime tests")[1]


@pytest.fixture
async def connect(client_key):
    """``await connect(**auth)`` -> a connected Client (closed after the test)."""
    clients = []

    async def make(**auth):
        client = Client(headers=auth.pop("headers", None))
        auth.setdefault("clientKey", client_key)
        frame = await client.connect(**auth)
        assert frame.startswith("40{"), frame
        clients.append(client)
        return client

    yield make
    for client in clients:
        try:
            await client.close()
        except Exception:  # noqa: BLE001 - already closed by the test
            pass


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """channels_redis binds its locks to the event loop that first used the layer, and every
    async test has its own loop: give each test a new layer object."""
    from channels.layers import channel_layers

    channel_layers.backends = {}
    yield
    channel_layers.backends = {}
