"""What compiled expressions are made of: the kinds of values, :class:`Operand` (a value)
and :class:`Cond` (a condition), shared by the compiler and the function table.

The kinds and their conversions are described in :mod:`.compiler`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Context, DivisionByZero, InvalidOperation, Overflow
from typing import TYPE_CHECKING, Any

from django.db.models import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    FloatField,
    IntegerField,
    JSONField,
    Q,
    TextField,
    TimeField,
    Value,
)

from . import ast

if TYPE_CHECKING:
    from django.db.models import Field

UTC = datetime.UTC

INT, DEC, FLOAT = "integer", "decimal", "number"
TEXT, BOOL, DATETIME, DATE, TIME = "text", "boolean", "datetime", "date", "time"
JSON, OTHER, NULL, LIST = "JSON", "value", "null", "list"
NUMERIC = frozenset({INT, DEC, FLOAT})
TEMPORAL = frozenset({DATETIME, DATE, TIME})

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

#: Folding context: 34 significant digits; overflow and invalid operations raise.
DECIMALS = Context(prec=34, traps=[InvalidOperation, DivisionByZero, Overflow])

_FIELD_KINDS = {
    "DecimalField": DEC,
    "FloatField": FLOAT,
    "CharField": TEXT,
    "TextField": TEXT,
    "SlugField": TEXT,
    "FileField": TEXT,
    "FilePathField": TEXT,
    "BooleanField": BOOL,
    "DateTimeField": DATETIME,
    "DateField": DATE,
    "TimeField": TIME,
    "JSONField": JSON,
}
_NOT_CONSTANT = object()


def field_kind(field: Field) -> str:
    """The kind of a model field (see the module docstring)."""
    internal = field.get_internal_type()
    if internal.endswith(("IntegerField", "AutoField")):
        return INT
    return _FIELD_KINDS.get(internal, OTHER)


def output_field(kind: str) -> Field:
    """A fresh ORM field for values of ``kind``."""
    return {
        INT: IntegerField,
        DEC: DecimalField,
        FLOAT: FloatField,
        BOOL: BooleanField,
        DATETIME: DateTimeField,
        DATE: DateField,
        TIME: TimeField,
        JSON: JSONField,
    }.get(kind, TextField)()


@dataclass(frozen=True, slots=True)
class Operand:
    """A compiled value: an ORM expression, or a Python constant (``value``)."""

    kind: str
    node: ast.Node
    expr: Any = None
    value: Any = _NOT_CONSTANT
    nullable: bool = False
    field: Any = None  # the model field when the operand is a bare field reference
    label: str = ""
    items: tuple[Operand, ...] = ()  # a list literal's items
    parts: tuple[Operand, ...] = ()  # the pieces of a text concatenation (kept flat)
    is_item: bool = False  # the list item ``this`` inside ANYITEMTRUE/ALLITEMSTRUE

    @property
    def constant(self) -> bool:
        return self.value is not _NOT_CONSTANT


@dataclass(frozen=True, slots=True)
class Cond:
    """A compiled two-valued condition; ``value`` is set when it is a constant."""

    q: Q
    node: ast.Node
    value: bool | None = None


def constant(node: ast.Node, kind: str, value: Any) -> Operand:
    return Operand(kind, node, value=value, nullable=value is None)


def null(node: ast.Node) -> Operand:
    return Operand(NULL, node, value=None, nullable=True)


def truth(node: ast.Node, value: bool) -> Cond:
    return Cond(Q(Value(bool(value), output_field=BooleanField())), node, bool(value))


def arithmetic_kind(op: str, kinds: list[str]) -> str:
    """The kind of ``a <op> b``: float wins, then decimal; ``/`` never stays integer."""
    if FLOAT in kinds:
        return FLOAT
    if DEC in kinds or op == "/":
        return DEC
    return INT
