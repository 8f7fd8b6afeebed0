"""Settings of the queues module (``AGNOST_QUEUES_*``), read at use time."""

from __future__ import annotations

from agnost_django.core.conf import APISettings


class QueuesSettings(APISettings):
    prefix = "AGNOST_QUEUES_"

    @property
    def RETENTION_DAYS(self) -> int:
        """Completed and dead messages older than this are purged (``getMessageStatus`` then
        answers ``null``)."""
        return self._get("RETENTION_DAYS", 7)

    @property
    def DISPATCH_INTERVAL(self) -> float:
        """Seconds between two looks of each worker's dispatcher at due delayed messages."""
        return self._get("DISPATCH_INTERVAL", 0.25)

    @property
    def REDISPATCH_AFTER(self) -> int:
        """Seconds a dispatched message may wait in the broker before it is dispatched again
        (a broker that lost it)."""
        return self._get("REDISPATCH_AFTER", 600)

    @property
    def MAX_PAYLOAD_SIZE(self) -> int:
        """Largest message, in bytes of JSON."""
        return self._get("MAX_PAYLOAD_SIZE", 256 * 1024)


queues_settings = QueuesSettings()
