"""Blocking calls of the realtime consumer (the handshake's checks, presence, the adapter), run
off the event loop.

asgiref's ``sync_to_async`` copies every context variable back into the caller's context when
the call returns, re-homing each asgiref ``Local`` on the way: about a tenth of a handshake's
CPU (bench/realtime_bench.py). These calls set no context variable the consumer reads, so they
run on the event loop's default executor in a copy of the caller's context, and nothing comes
back but their result. ``database=True`` does the connection hygiene of Channels'
``database_sync_to_async`` (``close_old_connections`` before and after).
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any, Callable

from django.db import close_old_connections


def _call(function: Callable, args: tuple, database: bool) -> Any:
    if database:
        close_old_connections()
    try:
        return function(*args)
    finally:
        if database:
            close_old_connections()


async def run(function: Callable, *args: Any, database: bool = False) -> Any:
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(None, context.run, _call, function, args, database)
