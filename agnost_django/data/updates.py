"""Field update instructions (spec 4.7) as single-UPDATE database expressions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Greatest, Least

from agnost_django.data import exceptions
from agnost_django.data.inputs import decimal_input
from agnost_django.data.jsonlist import list_update
from agnost_django.data.resources import Resource

NUMERIC = (models.IntegerField, models.FloatField, models.DecimalField)
LIST_TYPES = ("push", "pull", "pop", "shift")
TYPES = ("set", "unset", "increment", "decrement", "min", "max", "multiply", "divide", *LIST_TYPES)


def _number(value: Any, instruction: dict) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise exceptions.InvalidUpdateInstruction(
            f"{instruction.get('updateType')} needs a number value.", details={"field": instruction.get("field")})
    return value


def build_updates(resource: Resource, instructions: Any) -> dict[str, Any]:
    """``{field name: expression}`` for ``QuerySet.update``; raises
    ``invalid_update_instruction`` / ``invalid_field`` before anything is written."""
    return expressions(parse_updates(resource, instructions))


def parse_updates(resource: Resource, instructions: Any) -> list[tuple[models.Field, str, Any]]:
    """The checked instructions: ``(field, updateType, value)``, the value as the field
    takes it (``None`` for ``unset``); raises before anything is written."""
    if not isinstance(instructions, list) or not instructions:
        raise exceptions.InvalidUpdateInstruction("updates must be a non-empty array.")
    parsed = []
    for instruction in instructions:
        if not isinstance(instruction, dict) or instruction.get("updateType") not in TYPES:
            raise exceptions.InvalidUpdateInstruction(
                f"Unknown update type {instruction.get('updateType') if isinstance(instruction, dict) else instruction!r}.",
                details={"updateType": str(instruction.get("updateType")) if isinstance(instruction, dict) else None},
            )
        name, kind = instruction.get("field"), instruction["updateType"]
        if not isinstance(name, str) or "." in name:
            raise exceptions.InvalidUpdateInstruction("field must name a field of the model.", details={"field": str(name)})
        field = resource.writable_field(name, creating=False)
        value = instruction.get("value")
        if kind == "set":
            value = field.to_python(decimal_input(field, value)) if value is not None else None
        elif kind == "unset":
            if not field.null:
                raise exceptions.InvalidUpdateInstruction(f"{name!r} cannot be empty.", details={"field": name})
            kind, value = "set", None
        elif kind in LIST_TYPES:
            if not isinstance(field, models.JSONField):
                raise exceptions.InvalidUpdateInstruction(f"{kind} needs a list field.", details={"field": name})
            if kind in ("push", "pull") and (value is None or isinstance(value, (dict, list))):
                raise exceptions.InvalidUpdateInstruction(
                    f"{kind} needs a basic value (text, number or boolean).", details={"field": name})
        else:
            if not isinstance(field, NUMERIC):
                raise exceptions.InvalidUpdateInstruction(f"{kind} needs a number field.", details={"field": name})
            _number(value, instruction)
            if kind == "divide" and value == 0:
                raise exceptions.InvalidUpdateInstruction("Cannot divide by zero.", details={"field": name})
        parsed.append((field, kind, value))
    return parsed


def expressions(parsed: list[tuple[models.Field, str, Any]],
                value: Callable[[int, models.Field, Any], Any] | None = None) -> dict[str, Any]:
    """``{attname: value or expression}`` of checked instructions. ``value(index, field,
    value)`` stands for each instruction's value in the SQL (default: the value itself), so
    that a compiled statement can put a parameter there."""
    result: dict[str, Any] = {}
    for index, (field, kind, given) in enumerate(parsed):
        column = field.attname
        if kind in LIST_TYPES:
            result[column] = list_update(kind, column, given)
            continue
        if kind == "set":
            result[column] = given if value is None else value(index, field, given)
            continue
        number = Value(given, output_field=field) if value is None else value(index, field, given)
        current = F(column)
        result[column] = {
            "increment": lambda: current + number,
            "decrement": lambda: current - number,
            "multiply": lambda: current * number,
            "divide": lambda: current / number,
            # NULL counts as "no value": min/max then take the given value.
            "min": lambda: Case(When(**{f"{column}__isnull": True}, then=number), default=Least(current, number)),
            "max": lambda: Case(When(**{f"{column}__isnull": True}, then=number), default=Greatest(current, number)),
        }[kind]()
    return result
