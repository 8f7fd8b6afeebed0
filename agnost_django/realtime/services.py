"""Publishing and members, shared by the consumer, the REST view and the server library."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer

from agnost_django.realtime import history, names
from agnost_django.realtime.conf import realtime_settings
from agnost_django.realtime.exceptions import GetChannelMembersError, RealtimeNotEnabled, RealtimeUnreachable
from agnost_django.realtime.layers import NoRealtimeServer
from agnost_django.realtime.presence import get_presence

EVENT_TYPE = "agnost.event"


def require_enabled() -> None:
    if not realtime_settings.ENABLED:
        raise RealtimeNotEnabled()


def layer():
    return get_channel_layer(realtime_settings.CHANNEL_LAYER)


def event_message(event: str, channel: str | None, message: Any, *, sender: str | None = None,
                  echo: bool = True, args: list[Any] | None = None) -> dict[str, Any]:
    """A channel-layer message that consumers forward as ``42[event, ...]``: by default the
    single argument ``{channel, message}``, or ``args`` as given (user events)."""
    return {"type": EVENT_TYPE, "event": event, "channel": channel, "message": message,
            "sender": sender, "echo": echo, "args": args}


async def _group_send(group: str, message: dict[str, Any]) -> None:
    try:
        await layer().group_send(group, {**message, "group": group})  # the hub delivers to that group
    except NoRealtimeServer as exc:
        raise RealtimeUnreachable(details={"reason": str(exc)}) from exc


async def apublish(channel: str | None, event: str, message: Any, *, sender: str | None = None,
                   echo: bool = True) -> None:
    """Every publish's one path to the layer: ``message`` as ``event`` to the members of
    ``channel`` (``None``: every connection), numbered and kept first when the channel is
    resumable (:mod:`.history`). Names are not checked here: the public functions below and
    the consumer check them first."""
    group = names.ALL if channel is None else names.channel_group(channel)
    layer_message = event_message(event, channel, message, sender=sender, echo=echo)
    if not event.startswith("channel:") and history.is_resumable(channel):
        layer_message["seq"] = await history.aappend(channel, layer_message)  # numbered where kept
    await _group_send(group, layer_message)


async def asend(channel: str, event: str, message: Any, *, sender: str | None = None, echo: bool = True) -> None:
    require_enabled()
    channel = names.clean_channel(channel)
    event = names.clean_event(event, from_client=sender is not None)
    await apublish(channel, event, message, sender=sender, echo=echo)


async def abroadcast(event: str, message: Any, *, sender: str | None = None, echo: bool = True) -> None:
    require_enabled()
    event = names.clean_event(event, from_client=sender is not None)
    await apublish(None, event, message, sender=sender, echo=echo)


async def asend_to_user(user_pk: Any, event: str, *args: Any) -> None:
    """A user event (``user:signin`` ...) to every connection signed in as that user."""
    if not realtime_settings.ENABLED:
        return
    try:
        await _group_send(names.user_group(user_pk), event_message(event, None, None, args=list(args)))
    except RealtimeUnreachable:
        pass  # nobody connected anywhere: nobody to tell


async def aget_members(channel: str) -> list[dict[str, Any]]:
    require_enabled()
    channel = names.clean_channel(channel)
    try:
        return await asyncio.wait_for(sync_to_async(get_presence().members, thread_sensitive=False)(channel),
                                      realtime_settings.GET_MEMBERS_TIMEOUT)
    except (asyncio.TimeoutError, OSError, ConnectionError) as exc:
        raise GetChannelMembersError(details={"channel": channel}) from exc


def send(channel: str, event: str, message: Any) -> None:
    async_to_sync(asend)(channel, event, message)


def broadcast(event: str, message: Any) -> None:
    async_to_sync(abroadcast)(event, message)


def get_members(channel: str) -> list[dict[str, Any]]:
    require_enabled()
    channel = names.clean_channel(channel)
    try:
        return get_presence().members(channel)
    except (OSError, ConnectionError) as exc:
        raise GetChannelMembersError(details={"channel": channel}) from exc


def send_to_user(user_pk: Any, event: str, *args: Any) -> None:
    async_to_sync(asend_to_user)(user_pk, event, *args)
