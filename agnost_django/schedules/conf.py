"""Settings of the schedules module (``AGNOST_SCHEDULES_*``), read at use time."""

from __future__ import annotations

from agnost_django.core.conf import APISettings


class SchedulesSettings(APISettings):
    prefix = "AGNOST_SCHEDULES_"


schedules_settings = SchedulesSettings()
