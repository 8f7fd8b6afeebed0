"""Settings of the schedules module (``AGNOST_SCHEDULES_*``), read at use time."""

from __future__ import annotations

from agnost_django.core.conf import APISettings


class SchedulesSettings(APISettings):
    prefix = "AGNOST_SCHEDULES_"

    @property
    def DJANGO_Q_ADMIN(self) -> bool:
        """Whether the admin keeps django-q2's own "Scheduled tasks" page (read at start-up);
        by default it is hidden and agnost's *Scheduled tasks* show each task's next run."""
        return self._get("DJANGO_Q_ADMIN", False)


schedules_settings = SchedulesSettings()
