"""``manage.py demo_setup --port PORT``: make the demo page at ``/`` work on that port.

Idempotent: creates or updates the client key named ``demo`` (its allowed origins become
``http://realtime.agnost.app.localhost:PORT``, ``http://localhost:PORT`` and
``http://127.0.0.1:PORT``) and creates the public bucket the page uploads into if it is
missing. The key's secret, derived from ``SECRET_KEY``, is printed alone on the last line.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from project.demo import services


def port_number(value: str) -> int:
    port = int(value)
    if not 0 < port < 65536:
        raise ValueError(value)
    return port


class Command(BaseCommand):
    help = "Create or update the demo page's client key and storage bucket, and print the key."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=port_number, default=8000,
                            help="The port the server listens on (default 8000).")
        parser.add_argument("--scheme", choices=["http", "https"], default="http")

    def handle(self, *args, port, scheme, **options):
        try:
            key, key_created, bucket_created = services.set_up(port, scheme=scheme)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"{'Created' if key_created else 'Updated'} client key {key.name!r} (id {key.pk}) for "
            f"{', '.join(key.allowed_origins)}; bucket {services.BUCKET!r} "
            f"{'created' if bucket_created else 'exists'}. "
            f"Open {services.env_url(port, scheme)}/ (same origin) or "
            f"{scheme}://localhost:{port}/ (cross-origin). Client key:"
        )
        self.stdout.write(services.client_key_secret())
