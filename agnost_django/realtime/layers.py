"""``LocalChannelLayer``: Channels' in-memory layer, reachable from the machine's other
processes — the embedded default's way for the django-q2 worker and ``manage.py shell`` to
publish to the sockets of the server process, with no service to run.

The process that serves websockets (the first to open a consumer channel) listens on a Unix
socket. Any other process finds it there and hands over its ``send``/``group_send``; the
server delivers them to its consumers as if they were its own. A process with no
consumers and no server to reach raises :class:`NoRealtimeServer` instead of dropping the
message: the server library turns it into an error ``Result``.

The socket sits in a per-user directory (mode 0700) and is itself 0600: only processes of
the same OS user — who can already run code as the server — can connect, which is why the
frames may be pickles (messages hold anything the in-memory layer accepts).

One machine, one server process: several server processes need a shared engine
(channels_redis), as in production.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import pickle
import struct
import tempfile
from contextlib import suppress
from pathlib import Path

from channels.layers import InMemoryChannelLayer
from django.conf import settings

logger = logging.getLogger("agnost_django.realtime")

_HEADER = struct.Struct("!I")
_OK, _FAILED = b"\x00", b"\x01"
MAX_FRAME = 16 * 1024 * 1024
CONNECT_TIMEOUT = 2.0


class NoRealtimeServer(ConnectionError):
    """No process serves realtime connections that this process could reach."""


def default_socket_path() -> str:
    """One socket per database: the server, the worker and the shell of one project share
    it, two projects (or two test servers) on the machine do not."""
    database = settings.DATABASES.get("default", {})
    identity = f"{settings.SETTINGS_MODULE}|{database.get('NAME')}|{database.get('HOST')}"
    directory = Path(tempfile.gettempdir()) / f"agnost-{os.getuid()}"
    directory.mkdir(mode=0o700, exist_ok=True)
    stat = directory.stat()
    if stat.st_uid != os.getuid() or stat.st_mode & 0o077:
        raise PermissionError(f"{directory} must belong to this user with mode 0700")
    return str(directory / f"rt-{hashlib.sha256(identity.encode()).hexdigest()[:16]}.sock")


def _frame(payload: object) -> bytes:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


class LocalChannelLayer(InMemoryChannelLayer):
    """``CHANNEL_LAYERS = {"default": {"BACKEND": "agnost_django.realtime.layers.LocalChannelLayer"}}``;
    ``CONFIG`` takes InMemoryChannelLayer's options and ``path`` (the Unix socket)."""

    def __init__(self, path: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._path = path
        self._server: asyncio.AbstractServer | None = None
        self._has_consumers = False

    @property
    def path(self) -> str:
        if self._path is None:
            self._path = default_socket_path()
        return self._path

    # -- the serving process ------------------------------------------------------------

    async def new_channel(self, prefix: str = "specific.") -> str:
        self._has_consumers = True
        await self.listen()
        return await super().new_channel(prefix)

    async def listen(self) -> None:
        """Serve the other processes from this one (idempotent): called by ``agnost_serve``
        when the server starts, else at the first websocket connection."""
        if self._server is not None:
            return
        try:
            await self._forward("ping", "", {})
        except NoRealtimeServer:
            pass
        else:
            logger.warning("Another process already serves realtime at %s: sends from other processes "
                           "reach its connections, not this process's.", self.path)
            self._server = False  # do not try again
            return
        with suppress(FileNotFoundError):
            os.unlink(self.path)  # left by a server that died
        self._server = await asyncio.start_unix_server(self._serve, path=self.path)
        os.chmod(self.path, 0o600)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    (size,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
                except asyncio.IncompleteReadError:
                    return
                if size > MAX_FRAME:
                    return
                operation, name, message = pickle.loads(await reader.readexactly(size))
                try:
                    if operation == "group_send":
                        await super().group_send(name, message)
                    elif operation == "send":
                        await super().send(name, message)
                    writer.write(_OK)
                except Exception:  # noqa: BLE001 - reported to the sender, the server goes on
                    logger.exception("realtime message from another process failed")
                    writer.write(_FAILED)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def close(self) -> None:
        if self._server:
            self._server.close()
            with suppress(FileNotFoundError):
                os.unlink(self.path)
        self._server = None
        await super().close()

    # -- any process --------------------------------------------------------------------

    async def send(self, channel: str, message: dict) -> None:
        await self._deliver("send", channel, message)

    async def group_send(self, group: str, message: dict) -> None:
        self.require_valid_group_name(group)
        await self._deliver("group_send", group, message)

    async def _deliver(self, operation: str, name: str, message: dict) -> None:
        local = getattr(super(), operation)
        if self._server:
            return await local(name, message)
        if self._has_consumers:  # a second server process: its own connections too
            await local(name, message)
        try:
            await self._forward(operation, name, message)
        except NoRealtimeServer:
            if not self._has_consumers:
                raise

    async def _forward(self, operation: str, name: str, message: dict) -> None:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(self.path), CONNECT_TIMEOUT)
        except (OSError, asyncio.TimeoutError) as exc:
            raise NoRealtimeServer(f"no process serves realtime connections at {self.path}") from exc
        try:
            writer.write(_frame((operation, name, message)))
            await writer.drain()
            answer = await asyncio.wait_for(reader.readexactly(1), CONNECT_TIMEOUT)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError) as exc:
            raise NoRealtimeServer(f"the realtime server at {self.path} did not answer") from exc
        finally:
            writer.close()
        if answer != _OK:
            raise NoRealtimeServer(f"the realtime server at {self.path} could not deliver the message")
