"""``manage.py agnost_sync_schedules``: make the task rows and django-q2 schedules match the
registered tasks (also done after every ``migrate``)."""

from django.core.management.base import BaseCommand

from agnost_django.schedules.services import sync_all


class Command(BaseCommand):
    help = "Create or update the django-q2 schedules of the registered tasks."

    def handle(self, *args, **options):
        sync_all()
        self.stdout.write(self.style.SUCCESS("schedules synced"))
