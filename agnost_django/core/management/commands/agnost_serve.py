"""``manage.py agnost_serve``: the ASGI application (REST, websockets and static files on one
port) under uvicorn, trusting proxy headers exactly from ``AGNOST_CORE_TRUSTED_PROXIES``.

uvicorn's own default believes ``X-Forwarded-For`` from 127.0.0.1, so a client on the same
machine (or any client, behind a proxy that passes the header through) could choose the
address that throttles count; here nobody is believed unless the host lists its proxies.

``--workers N`` forks N server processes after the project is loaded, each with its own
listening socket on the same port (``SO_REUSEPORT``): the kernel spreads connections over
them evenly. uvicorn's own ``--workers`` share one socket, and under keep-alive load one
process took every connection while the other idled. The parent restarts a worker that dies
and stops them all on SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import time

from django.conf import settings
from django.db import connections
from django.core.management.base import BaseCommand, CommandError

from agnost_django.core.conf import core_settings


class Command(BaseCommand):
    help = "Serve the ASGI application with uvicorn (proxy headers from AGNOST_CORE_TRUSTED_PROXIES)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=None, help="Processes (not with --reload).")
        parser.add_argument("--reload", action="append", nargs="?", const=".", default=None, dest="reload_dirs",
                            metavar="DIR", help="Restart when a .py file under DIR changes (repeatable).")
        parser.add_argument("--log-level", default="info")
        parser.add_argument("--no-access-log", action="store_false", dest="access_log",
                            help="No line per request or websocket (saves CPU under load).")

    def handle(self, *args, host, port, workers, reload_dirs, log_level, access_log, **options):
        try:
            import uvicorn
        except ImportError as exc:
            raise CommandError("agnost_serve needs uvicorn: pip install 'agnost-django[server]'") from exc
        from agnost_django.core.uvicorn_protocols import protocols
        path = getattr(settings, "ASGI_APPLICATION", None)
        if not path:
            raise CommandError("Set ASGI_APPLICATION (e.g. 'project.asgi.application').")
        module, _dot, attribute = path.rpartition(".")
        proxies = [str(proxy) for proxy in core_settings.TRUSTED_PROXIES]
        options = dict(
            host=host, port=port, log_level=log_level, access_log=access_log,
            # Channels' router does not speak the lifespan protocol.
            lifespan="off",
            proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None,
            # Browsers offer permessage-deflate on every websocket; accepted, it costs each socket
            # two zlib streams (tens of KB) and a compression of every frame it is sent. The
            # Socket.IO server declines it by default too; Engine.IO pings, so no websocket pings.
            ws_per_message_deflate=False, ws_ping_interval=None,
            # The websocket handshake answered from the request httptools parsed; without
            # --access-log, no INFO line per socket either (uvicorn_protocols).
            **protocols(quiet=not access_log),
        )
        if reload_dirs:
            if workers and workers > 1:
                raise CommandError("--reload serves one process: leave out --workers.")
            uvicorn.run(f"{module}:{attribute}", reload=True, reload_dirs=reload_dirs, **options)
            return
        config = uvicorn.Config(f"{module}:{attribute}", **options)  # configures logging
        if workers and workers > 1 and (local := _process_local_layers()):
            raise CommandError(
                f"--workers needs a channel layer shared between processes; {', '.join(local)} "
                "reach(es) one server process only (set REDIS_URL for channels_redis).")
        config.load()  # the application, once, before forking
        freeze_loaded_objects()
        if not workers or workers == 1:
            server_class(uvicorn)(config).run()
            return
        connections.close_all()
        serve_forked(workers, lambda: server_class(uvicorn)(config).run(sockets=[reuse_port_socket(host, port)]))


def freeze_loaded_objects() -> None:
    """Keep what loading the project made (modules, classes, URL patterns, settings: a couple
    of hundred thousand objects that live as long as the process) out of the cyclic garbage
    collector's full collections, which a burst of handshakes triggers about once per thousand
    and which otherwise walk them all (5 % more handshakes per second, measured A B A B).
    Forked workers also keep sharing those pages with the parent instead of copying them when
    a collection writes to the objects' headers."""
    gc.collect()
    gc.freeze()


def server_class(uvicorn):
    class Server(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets)
            await _start_channel_layers()

        async def shutdown(self, sockets=None) -> None:
            await super().shutdown(sockets)
            # uvicorn ends the process by re-raising the signal it caught: no atexit.
            await asyncio.to_thread(_write_request_log)

    return Server


logger = logging.getLogger("agnost_django.core")


def reuse_port_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve_forked(workers: int, serve) -> None:
    """Run ``serve()`` in ``workers`` forked children; restart one that exits while running,
    stop them all (SIGTERM) when the parent gets SIGTERM or SIGINT."""
    children: set[int] = set()
    stopping = False

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 0
            try:
                serve()
            except BaseException:
                logger.exception("agnost_serve worker %s failed", os.getpid())
                code = 1
            finally:
                _write_request_log()  # os._exit skips atexit (a no-op after Server.shutdown)
                os._exit(code)
        children.add(pid)

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        spawn()
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        children.discard(pid)
        if not stopping:
            logger.error("agnost_serve worker %s exited (status %s); starting another", pid, status)
            time.sleep(1)
            spawn()


def _write_request_log() -> None:
    from agnost_django.core import requestlog

    try:
        requestlog.shutdown()
    except Exception:  # noqa: BLE001 - the worker is exiting anyway
        logger.exception("agnost_serve worker %s could not write its request log", os.getpid())


def _process_local_layers() -> list[str]:
    try:
        from channels.layers import InMemoryChannelLayer
    except ImportError:
        return []
    from channels.layers import channel_layers
    return [alias for alias in getattr(settings, "CHANNEL_LAYERS", {})
            if isinstance(channel_layers[alias], InMemoryChannelLayer)]


async def _start_channel_layers() -> None:
    """Channel layers that serve other processes (the embedded default's LocalChannelLayer)
    take their sends from the start, not only once a first websocket has connected."""
    try:
        from channels.layers import channel_layers
    except ImportError:
        return
    for alias in getattr(settings, "CHANNEL_LAYERS", {}):
        layer = channel_layers[alias]
        if hasattr(layer, "listen"):
            await layer.listen()
