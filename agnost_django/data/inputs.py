"""Client JSON values on their way into model fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models


def decimal_input(model_field: models.Field, value: Any) -> Any:
    """A JSON number for a DecimalField, taken at its shortest decimal form (19.9, not the
    binary float 19.899999...)."""
    if isinstance(model_field, models.DecimalField) and isinstance(value, float):
        return Decimal(repr(value))
    return value
