"""Settings of the data module (``AGNOST_DATA_*``), read at use time."""

from __future__ import annotations

from agnost_django.core.conf import APISettings


class DataSettings(APISettings):
    prefix = "AGNOST_DATA_"

    @property
    def DEFAULT_LIMIT(self) -> int:
        """Page size when the client sets no ``limit``."""
        return self._get("DEFAULT_LIMIT", 100)

    @property
    def MAX_LIMIT(self) -> int:
        """Largest page size a client may ask for (larger limits are lowered to it)."""
        return self._get("MAX_LIMIT", 1000)

    @property
    def EXACT_COUNT_CAP(self) -> int:
        """``returnCountInfo`` counts exactly up to this many matches; beyond it PostgreSQL's
        planner estimate is used (SQLite always counts exactly)."""
        return self._get("EXACT_COUNT_CAP", 10_000)

    @property
    def MAX_CREATE_BATCH(self) -> int:
        """Most objects one ``create`` with an array may insert."""
        return self._get("MAX_CREATE_BATCH", 1000)


data_settings = DataSettings()
