"""``manage.py agnost_create_client_key NAME``: create a client key; the secret is printed
alone on the last line of the output (it is stored only as a hash)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agnost_django.core.services import create_client_key


class Command(BaseCommand):
    help = "Create a client key for the altogic client and print its secret."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--origin", action="append", default=[], dest="origins",
                            help="An allowed browser origin (repeatable). Default: any caller.")
        parser.add_argument("--operation", action="append", default=[], dest="operations",
                            help="An allowed module or module.operation (repeatable). Default: all.")
        parser.add_argument("--expires-in-days", type=int, default=None)

    def handle(self, *args, name, origins, operations, expires_in_days, **options):
        expires_at = (
            timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        )
        try:
            key, secret = create_client_key(
                name, allowed_origins=origins, allowed_operations=operations, expires_at=expires_at
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Created client key {key.name!r} (id {key.pk}). Its secret is shown once, below; "
            "only its hash is stored."
        )
        self.stdout.write(secret)
