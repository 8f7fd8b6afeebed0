"""The function table of the expression language.

Implemented (names case-insensitive; ``a|b`` are aliases; arity in brackets):

=====================  =========================================================================
logic                  ``AND(c, c, ...)`` [2+], ``OR(c, c, ...)`` [2+], ``NOT(c)``,
                       ``IF(c, a, b)`` (``a`` when ``c`` is true, else ``b``; both branches of
                       one type), ``EXISTS(x)`` / ``ISNOTNULL(x)`` (x is not NULL),
                       ``ISNULL(x)``
lists                  ``IN(x, [v, ...])`` (x equals an item; a ``null`` item matches NULL),
                       ``IN(listField, v)`` (the JSON list field contains the literal scalar
                       ``v``, type-exact; either argument order is accepted; any list
                       expression, e.g. ``APPEND(...)``, works like a list field),
                       ``SIZE(list)`` (number of elements), ``APPEND(list, v, ...)`` [2+]
                       (the list with the literal values appended),
                       ``ANYITEMTRUE(list, c)`` / ``ALLITEMSTRUE(list, c)`` (``c`` true for
                       some / every item; ``this`` is the item) — see "List functions"
text                   ``INCLUDES(t, s)`` (case-sensitive substring), ``STARTSWITH(t, s)``,
                       ``ENDSWITH(t, s)``, ``TOLOWER|LOWER(t)``, ``TOUPPER|UPPER(t)``,
                       ``TRIM(t)``, ``LTRIM(t)``, ``RTRIM(t)`` (spaces), ``LENGTH|LEN(t)``
                       (characters), ``CONCAT(a, ...)`` [1+] (values converted with TOTEXT,
                       NULL as ''), ``TOTEXT|TOSTRING(x)`` (numbers as digits, booleans
                       ``true``/``false``; the database's own format for dates)
math                   ``ABS(n)``, ``CEIL|CEILING(n)``, ``FLOOR(n)``, ``ROUND(n[, digits])``
                       (half away from zero; ``digits`` an integer literal 0..30),
                       ``SQRT(n)`` (NULL for negatives), ``MOD(a, b)`` (sign of ``a``; NULL
                       when ``b`` is 0), ``PRODUCT(n, n, ...)`` [2..100]
date and time          ``NOW()``, ``DATEVALUE(text)`` (an ISO 8601 literal as a datetime; a
                       date alone is midnight UTC), ``YEAR|MONTH|DAY(d)`` and
                       ``HOUR|MINUTE|SECOND(d)`` (in UTC; seconds without fraction)
=====================  =========================================================================

List functions
    A *list* argument is a JSON list field, ``APPEND(...)``, a ``[...]`` literal of literal
    values, or ``null``. A value that is not a JSON array (NULL, a scalar or an object
    stored in the field) counts as the empty list: ``SIZE`` is 0, ``ANYITEMTRUE`` false,
    ``ALLITEMSTRUE`` true, ``APPEND`` starts from ``[]``. ``SIZE`` is an integer (folded for
    literals); ``APPEND`` takes literal text, number, boolean or null values and gives a JSON
    list usable as the list argument of ``SIZE``/``IN``/the item functions (as a whole
    filter or in comparisons it is refused; nested ``APPEND`` calls are merged). Other
    expressions (fields, conditions) as list arguments or as appended values are
    ``invalid_expression``.

    ``ANYITEMTRUE``/``ALLITEMSTRUE`` compile to ``EXISTS``/``NOT EXISTS`` over the items
    (``json_each`` on SQLite, ``jsonb_array_elements`` on PostgreSQL). Inside the condition
    only ``this`` may be referenced and denotes the item: other fields (of the outer
    object, ``this.x``, ``lookup.x``) and nested item functions are refused
    (``invalid_expression``). The condition is compiled once per JSON item type — text,
    number (an exact decimal), boolean, and null (``this`` is then the literal ``null``) —
    with ``this`` a typed SQL value read only from items of that type (a guarded ``CASE``, so
    no cast can fail); an item satisfies it when its type's compilation is true for it.
    Items are compared type-exactly, as JSON values: ``this`` against a literal of another
    type is never equal and never ordered (``this == 5`` is false and ``this != 5`` true
    for a text item; ``this == '5'`` does not match the number 5). Where the condition
    cannot apply to a type at all (``STARTSWITH(this, 'a')`` for numbers, ``this * 2`` for
    text), items of that type do not satisfy it; if it applies to no type, it is
    ``invalid_expression`` (the error of the text reading). Array and object items never
    satisfy a condition.

Function arguments that are the literal ``null`` make scalar functions return NULL and
text tests (``INCLUDES``...) false. Calls whose arguments are all literals are evaluated
while compiling.

:data:`UNSUPPORTED` lists the other names of the Altogic catalogue (spec §4.2) and of the
server library's where-language (§1.1.4) that a client may reasonably send; they answer
``unsupported_function`` (501) instead of ``invalid_function`` (400).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, DecimalField, Q, TextField, Value, When
from django.db.models.functions import (
    Extract,
    Length,
    Lower,
    LTrim,
    Now,
    RTrim,
    StrIndex,
    Substr,
    Trim,
    Upper,
)
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, In, IsNull

from agnost_django.core.exceptions import InvalidExpression

from . import ast
from .compiler import Compiler
from .literals import format_number, parse_datetime_text, to_int_if_exact
from .operands import (
    BOOL,
    DATE,
    DATETIME,
    DEC,
    DECIMALS,
    FLOAT,
    INT,
    JSON,
    LIST,
    NULL,
    NUMERIC,
    OTHER,
    TEXT,
    TIME,
    UTC,
    Cond,
    Operand,
    arithmetic_kind,
    constant,
    null,
    output_field,
    truth,
)
from .sql import (
    Abs,
    Arithmetic,
    Ceil,
    Floor,
    JSONAppend,
    JSONItem,
    JSONItemIs,
    JSONItems,
    JSONListContains,
    JSONSize,
    Mod,
    PlainCase,
    Round,
    Sqrt,
    ToNumeric,
    json_literal,
)

Args = list  # list[Operand | Cond]
Handler = Callable[[Compiler, ast.Call, Args], "Operand | Cond"]


@dataclass(frozen=True)
class Function:
    name: str
    min_args: int
    max_args: int | None
    handler: Handler
    lazy: bool = False  # the handler receives the argument nodes uncompiled

    def arity_text(self) -> str:
        def plural(n: int) -> str:
            return f"{n} argument" + ("" if n == 1 else "s")

        if self.max_args is None:
            return f"at least {plural(self.min_args)}"
        if self.min_args == self.max_args:
            return plural(self.min_args)
        return f"{self.min_args} to {plural(self.max_args)}"


FUNCTIONS: dict[str, Function] = {}


def function(*names: str, args: int | tuple[int, int | None], lazy: bool = False):
    """Register a handler under ``names`` with an exact arity or a (min, max) range."""
    low, high = (args, args) if isinstance(args, int) else args

    def register(handler: Handler) -> Handler:
        for name in names:
            FUNCTIONS[name] = Function(name, low, high, handler, lazy)
        return handler

    return register


# -- argument checks ---------------------------------------------------------------------


def expect(c: Compiler, call: ast.Call, args: Args, index: int, kinds: frozenset | set,
           what: str) -> Operand:
    """Argument ``index`` if it is an operand of one of ``kinds`` (or the literal null)."""
    arg = args[index]
    if isinstance(arg, Operand) and (arg.kind in kinds or arg.kind == NULL):
        return arg
    raise c.error(arg, f"{call.name} expects {what} as argument {index + 1}, found "
                       f"{c.describe(arg)}")


def numbers(c: Compiler, call: ast.Call, args: Args) -> list[Operand]:
    return [expect(c, call, args, i, NUMERIC, "a number") for i in range(len(args))]


def texts(c: Compiler, call: ast.Call, args: Args) -> list[Operand]:
    return [expect(c, call, args, i, {TEXT}, "text") for i in range(len(args))]


def has_null(items: list[Operand]) -> bool:
    return any(item.kind == NULL for item in items)


def computed(kind: str, call: ast.Call, expr, nullable: bool) -> Operand:
    return Operand(kind, call, expr=expr, nullable=nullable)


# -- logic ---------------------------------------------------------------------------------


@function("AND", args=(2, None))
def and_(c: Compiler, call: ast.Call, args: Args) -> Cond:
    return c.all_of([c.condition(arg) for arg in args], call)


@function("OR", args=(2, None))
def or_(c: Compiler, call: ast.Call, args: Args) -> Cond:
    return c.any_of([c.condition(arg) for arg in args], call)


@function("NOT", args=1)
def not_(c: Compiler, call: ast.Call, args: Args) -> Cond:
    return c.negate(c.condition(args[0]), call)


def _value_arg(c: Compiler, call: ast.Call, args: Args) -> Operand:
    arg = args[0]
    if isinstance(arg, Cond) or arg.kind == LIST:
        raise c.error(arg, f"{call.name} expects a field or value, found {c.describe(arg)}")
    return arg


@function("EXISTS", "ISNOTNULL", args=1)
def exists(c: Compiler, call: ast.Call, args: Args) -> Cond:
    return c.not_null(_value_arg(c, call, args), call)


@function("ISNULL", args=1)
def isnull(c: Compiler, call: ast.Call, args: Args) -> Cond:
    return c.negate(c.not_null(_value_arg(c, call, args), call), call)


@function("IF", args=3)
def if_(c: Compiler, call: ast.Call, args: Args) -> Operand | Cond:
    test = c.condition(args[0])
    yes, no = args[1], args[2]
    if test.value is not None:
        return yes if test.value else no

    def boolean(arg) -> bool:
        return isinstance(arg, Cond) or arg.kind == BOOL

    if any(boolean(arg) for arg in (yes, no)) and all(
        boolean(arg) or arg.kind == NULL for arg in (yes, no)
    ):
        a, b = c.condition(yes), c.condition(no)
        return c.any_of([c.all_of([test, a], call), c.all_of([c.negate(test), b], call)], call)
    for arg in (yes, no):
        if isinstance(arg, Cond) or arg.kind == LIST:
            raise c.error(arg, f"IF branches must be values of one type, found "
                               f"{c.describe(arg)}")
    kinds = {yes.kind, no.kind} - {NULL}
    if not kinds:
        return null(call)
    if kinds <= NUMERIC:
        kind = arithmetic_kind("+", list(kinds))
        # Unless both are plain columns of one type, choose between exact numbers
        # (PostgreSQL would otherwise convert a computed numeric to double precision).
        mixed = len(kinds) > 1 or yes.field is None or no.field is None
    elif len(kinds) == 1:
        (kind,) = kinds
        mixed = False
        if kind == JSON:
            raise c.error(call, "IF cannot choose between list fields")
        if kind == OTHER and yes.field is not None and no.field is not None and (
            yes.field.get_internal_type() != no.field.get_internal_type()
        ):
            raise c.error(no, f"IF branches must be values of one type, found "
                              f"{c.describe(yes)} and {c.describe(no)}")
    else:
        raise c.error(no, f"IF branches must be values of one type, found "
                          f"{c.describe(yes)} and {c.describe(no)}")

    def branch(arg: Operand):
        expr = c.sql(arg, kind)
        return ToNumeric(expr) if mixed else expr

    expr = PlainCase(
        When(test.q, then=branch(yes)),
        default=branch(no),
        output_field=yes.field if kind == OTHER and yes.field else output_field(kind),
    )
    return computed(kind, call, expr, yes.nullable or no.nullable)


# -- lists ---------------------------------------------------------------------------------


@function("IN", args=2)
def in_(c: Compiler, call: ast.Call, args: Args) -> Cond:
    first, second = args
    if isinstance(first, Operand) and isinstance(second, Operand):
        if second.kind == LIST and first.kind != LIST:
            return _in_list(c, call, first, second)
        if first.kind == LIST and second.kind != LIST:
            return _in_list(c, call, second, first)
        if first.kind == JSON and second.kind != JSON:
            return _json_contains(c, call, first, second)
        if second.kind == JSON and first.kind != JSON:
            return _json_contains(c, call, second, first)
    raise c.error(call, "IN expects a value and a list (a [...] literal or a list field)")


def _in_list(c: Compiler, call: ast.Call, item: Operand, items: Operand) -> Cond:
    if item.kind == JSON:
        raise c.error(item, f"{c.describe(item)} cannot be compared with list items")
    alternatives: list[Cond] = []
    literals: list = []
    # A computed number is compared exactly (in numeric on PostgreSQL), as by ``==``.
    kind = DEC if item.kind in NUMERIC and item.field is None else item.kind
    for entry in items.items:
        if item.is_item and entry.constant and entry.kind not in (NULL, item.kind) and not (
            entry.kind in NUMERIC and item.kind in NUMERIC
        ):
            continue  # a list item never equals a literal of another JSON type
        if entry.constant and entry.kind == NULL:
            alternatives.append(c.negate(c.not_null(item, call), call))
        elif entry.constant and not item.constant:
            literals.append(c.coerce(entry, kind, item))
        else:
            alternatives.append(c.compare("==", item, entry, call))
    if literals:
        if kind == DEC and item.field is None or (
            kind == INT and any(isinstance(v, Decimal) for v in literals)
        ):
            lhs = ToNumeric(item.expr)
            rhs = [Value(Decimal(v), output_field=output_field(DEC)) for v in literals]
        else:
            lhs = item.expr
            rhs = [Value(v, output_field=item.field or output_field(item.kind)) for v in literals]
        q = Q(In(lhs, rhs))
        if item.nullable:
            q &= Q(IsNull(item.expr, False))
        alternatives.append(Cond(q, call))
    return c.any_of(alternatives, call)


def _json_contains(c: Compiler, call: ast.Call, field: Operand, value: Operand) -> Cond:
    if field.constant:  # pragma: no cover - JSON operands are always fields
        raise c.error(field, "IN expects a list field")
    if not value.constant or value.kind not in NUMERIC | {TEXT, BOOL, NULL}:
        raise c.error(value, f"IN(list field, value) needs a literal text, number, boolean or "
                             f"null, found {c.describe(value)}")
    item = value.value
    if value.kind in NUMERIC and isinstance(item, Decimal):
        item = to_int_if_exact(item)
    q = Q(JSONListContains(field.expr, item))
    if field.nullable:
        q &= Q(IsNull(field.expr, False))
    return Cond(q, call)


def _list_arg(c: Compiler, call: ast.Call, arg: Operand | Cond) -> Operand:
    """A list argument as a JSON operand: a list field (or other JSON expression such as
    APPEND), a ``[...]`` literal of literal basic values, or ``null`` (the empty list)."""
    if isinstance(arg, Operand):
        if arg.kind == JSON:
            return arg
        if arg.kind == NULL:
            return Operand(JSON, arg.node, expr=JSONAppend(None, ()))
        if arg.kind == LIST:
            return Operand(JSON, arg.node, expr=JSONAppend(None, tuple(
                _json_item(c, call, item) for item in arg.items
            )))
    raise c.error(arg, f"{call.name} expects a list (a list field, APPEND(...) or a [...] "
                       f"literal) as argument 1, found {c.describe(arg)}")


def _json_item(c: Compiler, call: ast.Call, item: Operand | Cond) -> str:
    """A literal basic value as JSON text (for list literals and APPEND)."""
    if isinstance(item, Cond) or not item.constant or item.kind not in NUMERIC | {TEXT, BOOL, NULL}:
        raise c.error(item, f"{call.name} needs literal text, number, boolean or null values, "
                            f"found {c.describe(item)}")
    value = item.value
    if item.kind in NUMERIC and isinstance(value, Decimal):
        return format_number(to_int_if_exact(value))
    return json_literal(value)


@function("SIZE", args=1)
def size(c: Compiler, call: ast.Call, args: Args) -> Operand:
    arg = args[0]
    if isinstance(arg, Operand) and arg.kind == LIST:
        return constant(call, INT, len(arg.items))
    if isinstance(arg, Operand) and arg.kind == NULL:
        return constant(call, INT, 0)
    return computed(INT, call, JSONSize(_list_arg(c, call, arg).expr), False)


@function("APPEND", args=(2, None))
def append(c: Compiler, call: ast.Call, args: Args) -> Operand:
    base = _list_arg(c, call, args[0])
    values = tuple(_json_item(c, call, arg) for arg in args[1:])
    expr = base.expr
    if isinstance(expr, JSONAppend):  # APPEND(APPEND(l, a), b) is APPEND(l, a, b)
        return computed(JSON, call, JSONAppend(expr.base, expr.values + values), False)
    return computed(JSON, call, JSONAppend(expr, values), False)


@function("ANYITEMTRUE", args=2, lazy=True)
def anyitemtrue(c: Compiler, call: ast.Call, nodes: list) -> Cond:
    return _items_test(c, call, nodes, every=False)


@function("ALLITEMSTRUE", args=2, lazy=True)
def allitemstrue(c: Compiler, call: ast.Call, nodes: list) -> Cond:
    return _items_test(c, call, nodes, every=True)


#: The item kinds tried for ``this`` (see the module docstring), with their ORM fields.
_ITEM_KINDS = ((TEXT, TextField), (DEC, DecimalField), (BOOL, BooleanField), (NULL, None))


def _items_test(c: Compiler, call: ast.Call, nodes: list, every: bool) -> Cond:
    if c.item_scope is not None:
        raise c.error(call, f"{call.name} cannot be used inside {c.item_scope}")
    items = _list_arg(c, call, c.compile(nodes[0]))
    test = nodes[1]
    alias = c.new_alias()
    branches: list[Q] = []
    first_error: InvalidExpression | None = None
    compiled = 0
    for kind, field in _ITEM_KINDS:
        if kind == NULL:
            item = Operand(NULL, test, value=None, nullable=True, is_item=True)
        else:
            item = Operand(kind, test, expr=JSONItem(alias, kind, field()), is_item=True,
                           label="this")
        c.item_scope, c.item = call.name, item
        try:
            result = c.condition(c.compile(test))
        except InvalidExpression as exc:
            # ``test`` does not apply to items of this JSON type (e.g. ``this > 3`` and
            # text items): they do not satisfy it.
            first_error = first_error or exc
            continue
        finally:
            c.item_scope, c.item = None, None
        compiled += kind != NULL  # (``this + 1`` compiles for null items only)
        if result.value is False:
            continue
        guard = Q(JSONItemIs(alias, kind))
        branches.append(guard if result.value is True else guard & result.q)
    if not compiled:
        raise first_error
    if not branches:
        if not every:
            return truth(call, False)
        condition = truth(call, False).q
    else:
        condition = branches[0]
        for branch in branches[1:]:
            condition |= branch
    return Cond(Q(JSONItems(items.expr, condition, alias, every)), call)


# -- text ----------------------------------------------------------------------------------


def _text_test(c: Compiler, call: ast.Call, args: Args, test, build) -> Cond:
    text, search = texts(c, call, args)
    if has_null([text, search]):
        return truth(call, False)
    if text.constant and search.constant:
        return truth(call, test(text.value, search.value))
    a, b = c.sql(text), c.sql(search)
    q = _q_of(build(a, b))
    for operand in (text, search):
        if operand.nullable and not operand.constant:
            q &= Q(IsNull(operand.expr, False))
    return Cond(q, call)


@function("INCLUDES", args=2)
def includes(c: Compiler, call: ast.Call, args: Args) -> Cond:
    return _text_test(
        c, call, args, lambda t, s: s in t, lambda a, b: GreaterThan(StrIndex(a, b), 0)
    )


@function("STARTSWITH", args=2)
def startswith(c: Compiler, call: ast.Call, args: Args) -> Cond:
    return _text_test(
        c, call, args, str.startswith, lambda a, b: Exact(Substr(a, 1, Length(b)), b)
    )


@function("ENDSWITH", args=2)
def endswith(c: Compiler, call: ast.Call, args: Args) -> Cond:
    def build(a, b):
        start = Length(a) - Length(b) + 1
        # Substr from a position <= 0 would count from the end on SQLite.
        return _BothOf(GreaterThanOrEqual(Length(a), Length(b)), Exact(Substr(a, start), b))

    return _text_test(c, call, args, str.endswith, build)


class _BothOf:
    """Stands for ``Q(a) & Q(b)`` where a single lookup is expected."""

    def __init__(self, *lookups) -> None:
        self.lookups = lookups


def _q_of(built) -> Q:
    if isinstance(built, _BothOf):
        q = Q(built.lookups[0])
        for lookup in built.lookups[1:]:
            q &= Q(lookup)
        return q
    return Q(built)


def _text_map(python, orm):
    def handler(c: Compiler, call: ast.Call, args: Args) -> Operand:
        (text,) = texts(c, call, args)
        if text.kind == NULL:
            return null(call)
        if text.constant:
            return constant(call, TEXT, python(text.value))
        return computed(TEXT, call, orm(text.expr, output_field=TextField()), text.nullable)

    return handler


function("TOLOWER", "LOWER", args=1)(_text_map(str.lower, Lower))
function("TOUPPER", "UPPER", args=1)(_text_map(str.upper, Upper))
function("TRIM", args=1)(_text_map(lambda s: s.strip(" "), Trim))
function("LTRIM", args=1)(_text_map(lambda s: s.lstrip(" "), LTrim))
function("RTRIM", args=1)(_text_map(lambda s: s.rstrip(" "), RTrim))


@function("LENGTH", "LEN", args=1)
def length(c: Compiler, call: ast.Call, args: Args) -> Operand:
    (text,) = texts(c, call, args)
    if text.kind == NULL:
        return null(call)
    if text.constant:
        return constant(call, INT, len(text.value))
    return computed(INT, call, Length(text.expr), text.nullable)


@function("CONCAT", args=(1, None))
def concat(c: Compiler, call: ast.Call, args: Args) -> Operand:
    return c.concat(args, call)


@function("TOTEXT", "TOSTRING", args=1)
def totext(c: Compiler, call: ast.Call, args: Args) -> Operand:
    result = c.text(args[0])
    return Operand(result.kind, call, expr=result.expr, value=result.value,
                   nullable=result.nullable)


# -- math ----------------------------------------------------------------------------------


def _integral(value: Decimal, rounding: str) -> int | Decimal:
    return to_int_if_exact(value.to_integral_value(rounding=rounding))


def _number_map(python, orm):
    def handler(c: Compiler, call: ast.Call, args: Args) -> Operand:
        (number,) = numbers(c, call, args)
        if number.kind == NULL:
            return null(call)
        if number.constant:
            result = python(Decimal(number.value))
            kind = INT if isinstance(result, int) else DEC
            return constant(call, kind, result)
        kind = number.kind
        return computed(kind, call, orm(ToNumeric(number.expr), output_field=output_field(kind)),
                        number.nullable)

    return handler


function("ABS", args=1)(_number_map(lambda d: to_int_if_exact(abs(d)), Abs))
function("CEIL", "CEILING", args=1)(_number_map(lambda d: _integral(d, ROUND_CEILING), Ceil))
function("FLOOR", args=1)(_number_map(lambda d: _integral(d, ROUND_FLOOR), Floor))


@function("ROUND", args=(1, 2))
def round_(c: Compiler, call: ast.Call, args: Args) -> Operand:
    number = numbers(c, call, args[:1])[0]
    digits = 0
    if len(args) == 2:
        arg = args[1]
        if not (isinstance(arg, Operand) and arg.constant and arg.kind == INT
                and 0 <= arg.value <= 30):
            raise c.error(arg, "ROUND expects an integer literal from 0 to 30 as argument 2")
        digits = arg.value
    if number.kind == NULL:
        return null(call)
    if number.constant:
        try:
            result = Decimal(number.value).quantize(Decimal(1).scaleb(-digits),
                                                    rounding=ROUND_HALF_UP, context=DECIMALS)
        except ArithmeticError:
            result = Decimal(number.value)
        if isinstance(number.value, int):
            return constant(call, INT, number.value)
        return constant(call, DEC, result)
    kind = number.kind
    expr = Round(ToNumeric(number.expr), Value(digits), output_field=output_field(kind))
    return computed(kind, call, expr, number.nullable)


@function("SQRT", args=1)
def sqrt(c: Compiler, call: ast.Call, args: Args) -> Operand:
    (number,) = numbers(c, call, args)
    if number.kind == NULL:
        return null(call)
    if number.constant:
        value = Decimal(number.value)
        return null(call) if value < 0 else constant(call, DEC, value.sqrt(DECIMALS))
    kind = FLOAT if number.kind == FLOAT else DEC
    value = ToNumeric(number.expr)
    expr = PlainCase(
        When(Q(GreaterThanOrEqual(value, Value(0))), then=Sqrt(value, output_field=output_field(kind))),
        default=Value(None),
        output_field=output_field(kind),
    )
    return computed(kind, call, expr, True)


@function("MOD", args=2)
def mod(c: Compiler, call: ast.Call, args: Args) -> Operand:
    a, b = numbers(c, call, args)
    if has_null([a, b]):
        return null(call)
    kind = arithmetic_kind("%", [a.kind, b.kind])
    if a.constant and b.constant:
        if b.value == 0:
            return null(call)
        try:
            result = DECIMALS.remainder(Decimal(a.value), Decimal(b.value))
        except ArithmeticError:
            raise c.error(call, "the result of MOD is out of range") from None
        return constant(call, kind, to_int_if_exact(result) if kind == INT else result)
    expr = Mod(c.sql(a), c.sql(b), output_field=output_field(kind))
    return computed(kind, call, expr, True)


@function("PRODUCT", args=(2, 100))
def product(c: Compiler, call: ast.Call, args: Args) -> Operand:
    items = numbers(c, call, args)
    if has_null(items):
        return null(call)
    folded: list[Operand] = []
    for item in items:  # fold the literals first
        if item.constant and folded and folded[0].constant:
            folded[0] = c.fold_arithmetic("*", folded[0].value, item.value, call)
        elif item.constant:
            folded.insert(0, item)
        else:
            folded.append(item)
    if len(folded) == 1:
        return Operand(folded[0].kind, call, value=folded[0].value)
    kind = arithmetic_kind("*", [item.kind for item in folded])

    def tree(part: list[Operand]):
        if len(part) == 1:
            return c.sql(part[0])
        middle = len(part) // 2
        return Arithmetic(tree(part[:middle]), "*", tree(part[middle:]),
                          output_field=output_field(kind))

    return computed(kind, call, tree(folded), any(item.nullable for item in folded))


# -- date and time -------------------------------------------------------------------------


@function("NOW", args=0)
def now(c: Compiler, call: ast.Call, args: Args) -> Operand:
    return computed(DATETIME, call, Now(), False)


@function("DATEVALUE", args=1)
def datevalue(c: Compiler, call: ast.Call, args: Args) -> Operand:
    arg = expect(c, call, args, 0, {TEXT, DATETIME, DATE}, "an ISO 8601 text literal")
    if arg.kind == TEXT:
        if not arg.constant:
            raise c.error(arg, "DATEVALUE expects a text literal")
        value = parse_datetime_text(arg.value)
        if value is None:
            raise c.error(arg, f"{arg.value!r} is not a valid datetime (ISO 8601, e.g. "
                               f"'2023-01-01T00:00:00Z')")
        return constant(call, DATETIME, value)
    return arg


def _extract(part: str, kinds: frozenset):
    def handler(c: Compiler, call: ast.Call, args: Args) -> Operand:
        arg = args[0]
        if isinstance(arg, Operand) and arg.constant and arg.kind == TEXT:
            value = parse_datetime_text(arg.value)
            if value is None:
                raise c.error(arg, f"{arg.value!r} is not a valid datetime (ISO 8601)")
            arg = constant(arg.node, DATETIME, value)
        arg = expect(c, call, [arg], 0, kinds, "a " + " or ".join(sorted(kinds)))
        if arg.kind == NULL:
            return null(call)
        if arg.constant:
            return constant(call, INT, getattr(arg.value, part))
        tzinfo = UTC if arg.kind == DATETIME else None
        expr = Extract(arg.expr, part, tzinfo=tzinfo, output_field=output_field(INT))
        return computed(INT, call, expr, arg.nullable)

    return handler


for _part in ("year", "month", "day"):
    function(_part.upper(), args=1)(_extract(_part, frozenset({DATETIME, DATE})))
for _part in ("hour", "minute", "second"):
    function(_part.upper(), args=1)(_extract(_part, frozenset({DATETIME, TIME})))


#: Names of the Altogic catalogue and of the where-language that are not implemented.
UNSUPPORTED = frozenset(
    (
        # lists
        "PREPEND", "SLICE", "INDEXOF",
        "FIRST", "LAST", "UNIQUE", "SORT", "REVERSE", "MAX", "MIN", "SUM", "AVG", "AVERAGE",
        "COUNT",
        # math
        "ADD", "SUBTRACT", "MULTIPLY", "DIVIDE", "POWER", "POW", "EXP", "LN", "LOG", "LOG10",
        "LOG2", "SIN", "COS", "TAN", "ASIN", "ACOS", "ATAN", "ATAN2", "SINH", "COSH", "TANH",
        "ASINH", "ACOSH", "ATANH", "DEGREES", "RADIANS", "PI", "RAND", "RANDOM", "SIGN",
        "TRUNC", "INT", "EVEN", "ODD",
        # text
        "CHARINDEX", "LEFT", "RIGHT", "MID", "SUBSTRING", "SUBSTR", "REPLACE", "SPLIT",
        "REPEAT", "PADSTART", "PADEND", "SEARCH", "REGEX", "REGEXMATCH", "MATCH",
        # validation and conversion
        "ISEMPTY", "ISBLANK", "ISNUMBER", "ISTEXT", "ISDATE", "ISBOOLEAN", "ISARRAY",
        "ISOBJECT", "TONUMBER", "TOINTEGER", "TODECIMAL", "TOBOOLEAN", "TODATE", "TOOBJECTID",
        "STRTODATE",
        # date and time
        "DATEADD", "DATEDIFF", "DATE", "TIME", "TODAY", "WEEKDAY", "DAYOFWEEK", "DAYOFMONTH",
        "DAYOFYEAR", "WEEK", "WEEKNUM", "ISOWEEKNUM", "EOMONTH", "MILLISECOND",
        # geolocation
        "POINT", "GEOPOINT", "DISTANCE", "GEODISTANCE", "WITHIN", "NEAR",
        # logic
        "SWITCH", "IFS", "IFERROR", "ISERROR", "XOR", "EQ", "NEQ", "GT", "GTE", "LT", "LTE",
        "NIN",
    )
)
