"""``agnost.realtime``: publish to connected clients from any server code (views, queue
handlers, tasks, signals), sync or async. Every method returns a
:class:`~agnost_django.core.result.Result`.

    agnost.realtime.send("room1", "chat", {"text": "hi"})      # members get {channel, message}
    agnost.realtime.broadcast("notice", "maintenance at 6")     # everyone gets {channel: None, message}
    agnost.realtime.get_members("room1").data                   # [{"id": socket id, "data": profile}]
    await agnost.realtime.asend(...)

Messages announcing a database change should be sent after it commits:
``transaction.on_commit(lambda: agnost.realtime.send(...))``.
"""

from __future__ import annotations

from typing import Any

from agnost_django.core.result import Result, returns_result
from agnost_django.realtime import services


class RealtimeManager:
    def __repr__(self) -> str:
        return "<RealtimeManager>"

    @returns_result
    def broadcast(self, event_name: str, message: Any = None) -> None:
        services.broadcast(event_name, message)

    @returns_result
    def send(self, channel: str, event_name: str, message: Any = None) -> None:
        services.send(channel, event_name, message)

    @returns_result
    def get_members(self, channel: str) -> list[dict[str, Any]]:
        return services.get_members(channel)

    @returns_result
    def send_to_user(self, user_id: Any, event_name: str, *args: Any) -> None:
        """Every connection signed in as the user gets ``event_name`` with ``args``."""
        services.send_to_user(user_id, event_name, *args)

    async def abroadcast(self, event_name: str, message: Any = None) -> Result:
        return await _async_result(services.abroadcast, event_name, message)

    async def asend(self, channel: str, event_name: str, message: Any = None) -> Result:
        return await _async_result(services.asend, channel, event_name, message)

    async def aget_members(self, channel: str) -> Result:
        return await _async_result(services.aget_members, channel)


async def _async_result(function, *args) -> Result:
    from agnost_django.core.exceptions import AgnostAPIError

    try:
        return Result.success(await function(*args))
    except AgnostAPIError as exc:
        return Result.failure(exc)


def get_manager(name: str) -> RealtimeManager:
    return RealtimeManager()

