"""Numbers, dates and times spelled as text: parsed where a literal meets a field of that
type, and formatted as JavaScript would print them (spec §4.2)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.utils.dateparse import parse_date, parse_datetime, parse_time

from .lexer import MAX_NUMBER, MIN_NUMBER
from .operands import DECIMALS, INT64_MAX, INT64_MIN, UTC

_NUMBER_TEXT = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*", re.ASCII)


def format_number(value: int | Decimal) -> str:
    """A number as JavaScript would print it (``150``, ``2.5``, ``1e+21``)."""
    if isinstance(value, int):
        return str(value)
    if value == value.to_integral_value() and abs(value) < Decimal("1e21"):
        return str(int(value))
    normal = value.normalize(DECIMALS)
    if -7 <= normal.adjusted() < 21:
        return format(normal, "f")
    return str(normal).replace("E", "e")


def to_int_if_exact(value: Decimal) -> int | Decimal:
    if value == value.to_integral_value() and INT64_MIN <= value <= INT64_MAX:
        return int(value)
    return value


def parse_number(text: str) -> int | Decimal | None:
    """The number spelled by ``text`` (within the literal range), else None."""
    if not _NUMBER_TEXT.fullmatch(text):
        return None
    value = Decimal(text.strip())
    if value and not (MIN_NUMBER <= abs(value) < MAX_NUMBER):
        return None
    if any(mark in text for mark in ".eE"):
        return value
    return int(value)


def parse_datetime_text(text: str) -> datetime.datetime | None:
    """An aware datetime from ISO 8601 text (date alone = midnight UTC; no offset = UTC)."""
    text = text.strip()
    try:
        value = parse_datetime(text)
        if value is None:
            day = parse_date(text)
            if day is None:
                return None
            value = datetime.datetime.combine(day, datetime.time())
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (ValueError, OverflowError, TypeError):
        return None


def parse_date_text(text: str) -> datetime.date | None:
    try:
        day = parse_date(text.strip())
    except (ValueError, TypeError):
        return None
    if day is not None:
        return day
    value = parse_datetime_text(text)
    return value.date() if value else None


def parse_time_text(text: str) -> datetime.time | None:
    try:
        return parse_time(text.strip())
    except (ValueError, TypeError):
        return None
