"""``get_asgi_application()``: Django's ASGI handler, serving each request in one call to a
fixed pool of threads, as a threaded WSGI server does.

Django's own handler runs the middleware chain in async mode under ASGI: each synchronous
part (every middleware's ``process_request``/``process_response``, CSRF's ``process_view``,
the view, the ``request_started`` signal, ``response.close()``) hops from the event loop to a
thread and back, about fourteen hops per request, and every request gets a new thread (the
executor of its ``ThreadSensitiveContext``) plus two tasks to watch for a disconnect. Here
the chain is loaded in sync mode and one call per request, on a pool of long-lived threads
(``AGNOST_CORE_HTTP_THREADS``, default 8), runs the ``request_started`` signal, the
middleware, the view, renders the body and closes the response (:mod:`.request_threads`);
the event loop keeps the connection, reading the body, sending the answer, streaming
responses and websockets.
Database connections stay with their thread between requests as under a WSGI server
(``CONN_MAX_AGE`` or the psycopg pool decide how long).

An ``async def`` view of the host still works (Django runs it with ``async_to_sync`` on the
server's event loop), at the cost of that one hop back.

    # asgi.py
    from agnost_django.core.asgi import get_asgi_application
    django_asgi_app = get_asgi_application()
"""

from __future__ import annotations

import asyncio
import io
import os
import tempfile

import django
from asgiref.sync import SyncToAsync, ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler
from django.core.handlers.asgi import get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse
from django.urls import set_script_prefix

from .conf import core_settings
from .direct import DirectLane
from .request_threads import RequestThreads

_END = object()


class ASGIHandler(DjangoASGIHandler):
    def __init__(self, threads: int | None = None) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self.direct = DirectLane() if core_settings.DIRECT_LANE else None
        threads = threads or core_settings.HTTP_THREADS
        self.threads = RequestThreads(threads, "agnost-http")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            response, body = await self._serve(scope, body_file)
            if body is not None:
                await self.send_whole(response, body, send)
            else:
                await self.stream(response, receive, send)
        finally:
            body_file.close()

    async def read_body(self, receive):
        """Django's, except that a small body that arrives in one message (nearly every API
        call) goes into a ``BytesIO``, not a ``SpooledTemporaryFile``."""
        message = await receive()
        if message["type"] == "http.disconnect":
            raise RequestAborted()
        body = message.get("body", b"")
        if not message.get("more_body", False) and len(body) <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
            return io.BytesIO(body)
        body_file = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, mode="w+b")
        body_file.write(body)
        while message.get("more_body", False):
            message = await receive()
            if message["type"] == "http.disconnect":
                body_file.close()
                raise RequestAborted()
            body_file.write(message.get("body", b""))
        body_file.seek(0)
        return body_file

    async def _serve(self, scope, body_file):
        """:meth:`serve` in a request thread, in a copy of the request's context. Unlike
        asgiref's ``sync_to_async``, nothing is copied back into the event loop's context
        afterwards (the request's task ends with it): that copy, re-homing every asgiref
        ``Local``, was a tenth of the event loop's time per request."""
        return await self.threads.run(self._in_thread, asyncio.get_running_loop(), scope, body_file)

    def _in_thread(self, loop, scope, body_file):
        # What sync_to_async tells the thread, so that async_to_sync there (a host's async
        # view, a channel layer's group_send) runs on this server's event loop.
        SyncToAsync.threadlocal.main_event_loop = loop
        SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()
        SyncToAsync.threadlocal.task_context = None
        return self.serve(scope, body_file)

    def serve(self, scope, body_file):
        """The synchronous part of a request, in one of the pool's threads: (response, body),
        body None for a streaming response (still open: `stream` sends and closes it).
        A client call to a data or cache route takes the direct lane (:mod:`.direct`)."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            lane = self.direct.match(scope) if self.direct is not None else None
            response = self.get_response(request) if lane is None else self.direct.get_response(request, lane)
            response._handler_class = self.__class__
        if response.streaming:
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
            return response, None
        body = response.content
        response.close()  # request_finished: the database connection goes back now
        return response, body

    async def send_whole(self, response, body, send):
        headers = self.headers(response)
        if not response.has_header("Content-Length"):  # else uvicorn would send it chunked
            headers.append((b"Content-Length", str(len(body)).encode("ascii")))
        await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def stream(self, response, receive, send):
        """A streaming response, sent as it is produced; stop when the client leaves."""
        sending = asyncio.create_task(self.send_stream(response, send))
        listening = asyncio.create_task(self.listen_for_disconnect(receive))
        await asyncio.wait((sending, listening), return_when=asyncio.FIRST_COMPLETED)
        for task in (listening, sending):
            if not task.done():
                task.cancel()
            try:
                await task
            except (asyncio.CancelledError, RequestAborted):
                pass
        await self.threads.run(response.close)

    async def send_stream(self, response, send):
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": self.headers(response)})
        if response.is_async:
            async for part in response.streaming_content:
                await send({"type": "http.response.body", "body": part, "more_body": True})
        else:
            # Django's handler collects a synchronous iterator into a list first (the whole
            # body in memory); here it is read a chunk at a time, on one thread of its own
            # (a generator may hold thread-bound state, e.g. a database cursor).
            async with ThreadSensitiveContext():
                iterator = iter(response.streaming_content)
                pull = sync_to_async(next)
                while (part := await pull(iterator, _END)) is not _END:
                    await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body"})

    @staticmethod
    def headers(response) -> list[tuple[bytes, bytes]]:
        headers = [
            (name.encode("ascii") if isinstance(name, str) else name,
             value.encode("latin1") if isinstance(value, str) else value)
            for name, value in response.items()
        ]
        for cookie in response.cookies.values():
            headers.append((b"Set-Cookie", cookie.output(header="").encode("ascii").strip()))
        return headers


def get_asgi_application() -> ASGIHandler:
    django.setup(set_prefix=False)
    return ASGIHandler()
