"""``manage.py agnost_serve``: the ASGI application (REST, websockets and static files on one
port) under uvicorn, trusting proxy headers exactly from ``AGNOST_CORE_TRUSTED_PROXIES``.

uvicorn's own default believes ``X-Forwarded-For`` from 127.0.0.1, so a client on the same
machine (or any client, behind a proxy that passes the header through) could choose the
address that throttles count; here nobody is believed unless the host lists its proxies.
"""

from __future__ import annotations

from django.conf import settings
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
                            help="No line per request (saves CPU under load).")

    def handle(self, *args, host, port, workers, reload_dirs, log_level, access_log, **options):
        try:
            import uvicorn
        except ImportError as exc:
            raise CommandError("agnost_serve needs uvicorn: pip install 'uvicorn[standard]'") from exc
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
        )
        if workers or reload_dirs:
            uvicorn.run(f"{module}:{attribute}", workers=workers, reload=bool(reload_dirs),
                        reload_dirs=reload_dirs or None, **options)
        else:
            server_class(uvicorn)(uvicorn.Config(f"{module}:{attribute}", **options)).run()


def server_class(uvicorn):
    class Server(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets)
            await _start_channel_layers()

    return Server


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
