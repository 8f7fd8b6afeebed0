"""``manage.py agnost_purge_request_log``: delete the request log's old rows now (the
``agnost_core.purge_request_log`` schedule does the same every hour)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from agnost_django.core import requestlog
from agnost_django.core.conf import core_settings


class Command(BaseCommand):
    help = "Delete request log rows older than AGNOST_CORE_REQUEST_LOG_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=float, default=None,
                            help="Keep this many days instead of AGNOST_CORE_REQUEST_LOG_RETENTION_DAYS.")

    def handle(self, *args, days, **options):
        if days is not None and days <= 0:
            raise CommandError("--days must be more than 0.")
        days = core_settings.REQUEST_LOG_RETENTION_DAYS if days is None else days
        deleted = requestlog.purge(days)
        if days <= 0:
            self.stdout.write("AGNOST_CORE_REQUEST_LOG_RETENTION_DAYS is 0: rows are kept forever.")
        else:
            self.stdout.write(f"Deleted {deleted} request log row(s) older than {days:g} day(s).")
