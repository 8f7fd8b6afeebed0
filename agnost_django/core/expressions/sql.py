"""The few ORM expressions Django does not ship that the compiler needs for portable results.

Each renders a fixed SQL template around compiled sub-expressions; values always travel as
query parameters. They exist so that well-typed expressions cannot fail at query time:

* :class:`ToNumeric` — ``CAST(x AS numeric)`` on PostgreSQL, so mixed int/decimal/float maths
  never overflows ``integer``/``double precision``; SQLite's own numbers need no cast.
* :class:`Arithmetic` — ``a + b``, ``a - b``, ``a * b``, ``a / b`` computed in ``numeric`` on
  PostgreSQL and in SQLite's numbers elsewhere (division always in ``REAL`` there, so
  ``5 / 2`` is ``2.5``); a division (or :class:`Mod`) by zero is NULL (``NULLIF``) instead of
  an error.
* :class:`Mod` — remainder with the sign of the dividend, NULL for a zero divisor.
* :class:`JSONListContains` — "the JSON list field contains this scalar": ``@>`` on
  PostgreSQL, ``json_each`` on SQLite (type-exact: ``'1'`` does not match ``1``), and an
  :class:`~agnost_django.core.exceptions.UnsupportedFunction` on other backends.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Case, DecimalField, Func

from agnost_django.core.exceptions import UnsupportedFunction


class Plain(Func):
    """A function rendered on SQLite as elsewhere: without the ``CAST(... AS NUMERIC)``
    Django wraps around decimal results there (it only adds nesting, which SQLite's parser
    limits)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, **extra_context)


class PlainCase(Case):
    """``CASE`` without the SQLite ``CAST(... AS NUMERIC)`` wrapper (see :class:`Plain`)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, **extra_context)


class Abs(Plain):
    function = "ABS"
    arity = 1


class Ceil(Plain):
    function = "CEILING"
    arity = 1


class Floor(Plain):
    function = "FLOOR"
    arity = 1


class Sqrt(Plain):
    function = "SQRT"
    arity = 1


class Round(Plain):
    """``ROUND(x, digits)`` with ``digits`` a non-negative integer."""

    function = "ROUND"
    arity = 2


class ToNumeric(Plain):
    """The value as an exact number (``numeric`` on PostgreSQL, unchanged elsewhere)."""

    arity = 1
    output_field = DecimalField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST({sql} AS numeric)", params


class Arithmetic(Plain):
    """``lhs <op> rhs`` for ``op`` in ``+ - * /`` (see the module docstring)."""

    arity = 2
    OPERATORS = frozenset("+-*/")

    def __init__(self, lhs, op: str, rhs, *, output_field) -> None:
        if op not in self.OPERATORS:
            raise ValueError(f"unknown operator {op!r}")
        super().__init__(lhs, rhs, output_field=output_field)
        self.op = op

    def _operands(self, compiler, cast: str | None):
        (lhs, lhs_params), (rhs, rhs_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        if cast:
            lhs, rhs = f"CAST({lhs} AS {cast})", f"CAST({rhs} AS {cast})"
        if self.op == "/":
            rhs = f"NULLIF({rhs}, 0)"
        return f"({lhs} {self.op} {rhs})", (*lhs_params, *rhs_params)

    def as_sql(self, compiler, connection, **extra_context):
        return self._operands(compiler, None)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._operands(compiler, "REAL" if self.op == "/" else None)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._operands(compiler, "numeric")


class Mod(Plain):
    """``MOD(a, b)``: the remainder with the sign of ``a``; NULL when ``b`` is zero."""

    arity = 2

    def _mod(self, compiler, cast: str | None):
        (lhs, lhs_params), (rhs, rhs_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        if cast:
            lhs, rhs = f"CAST({lhs} AS {cast})", f"CAST({rhs} AS {cast})"
        return f"MOD({lhs}, NULLIF({rhs}, 0))", (*lhs_params, *rhs_params)

    def as_sql(self, compiler, connection, **extra_context):
        return self._mod(compiler, None)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._mod(compiler, "numeric")


class JSONListContains(Func):
    """A JSON list column contains the scalar ``value`` (text, number, boolean or None)."""

    arity = 1
    output_field = BooleanField()

    def __init__(self, expression, value: Any) -> None:
        super().__init__(expression)
        self.value = value

    def as_sql(self, compiler, connection, **extra_context):
        raise UnsupportedFunction(
            f"IN on a list field is not supported by the {connection.vendor} database.",
            details={"function": "IN"},
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        value = self.value
        if isinstance(value, Decimal):
            item = str(value)
        else:
            item = json.dumps(value)
        return f"({sql} @> %s::jsonb)", (*params, f"[{item}]")

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        value = self.value
        if value is None:
            condition, extra = "item.type = 'null'", ()
        elif isinstance(value, bool):
            condition, extra = f"item.type = '{'true' if value else 'false'}'", ()
        elif isinstance(value, str):
            condition, extra = "item.type = 'text' AND item.value = %s", (value,)
        else:
            number = value if isinstance(value, int) else float(value)
            condition, extra = "item.type IN ('integer', 'real') AND item.value = %s", (number,)
        template = (
            f"(json_type({sql}) = 'array' AND EXISTS (SELECT 1 FROM json_each({sql}) AS item "
            f"WHERE {condition}))"
        )
        return template, (*params, *params, *extra)
