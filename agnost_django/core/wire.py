"""Python values in the client's JSON: the one place that says how they are written."""

from __future__ import annotations

import base64
import datetime
import decimal
import uuid
from typing import Any


def iso(value: datetime.date | datetime.time | None) -> str | None:
    """A date or time in ISO 8601, ``None`` kept."""
    return value.isoformat() if value is not None else None


def to_json(value: Any) -> Any:
    """One value (a field's) as JSON: dates and times in ISO 8601, decimals as numbers, UUIDs
    as text, durations in seconds; anything else as it is."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def json_default(value: Any) -> Any:
    """``json.dumps(..., default=json_default)``."""
    converted = to_json(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")
    return converted


def to_json_deep(value: Any) -> Any:
    """A whole structure as JSON: keys as text, binary parts (a Node Buffer sent by the
    client) as base64, values as :func:`to_json` writes them."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        return {str(key): to_json_deep(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_deep(item) for item in value]
    return to_json(value)
