"""Expressions run against the database: the rows each filter selects (and the values
compile_value computes) must match what the same rule gives in Python, on SQLite and on
PostgreSQL (``--ds=tests.settings_services``)."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

import pytest
from django.db.models import Count, Q

from agnost_django.core.expressions import (
    InvalidExpression,
    ModelFieldResolver,
    compile_filter,
    compile_value,
)
from tests.dataapp.models import Category, Product

UTC = datetime.UTC


def dt(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


CATEGORIES = [
    {"id": 1, "name": "Metal", "code": "m"},
    {"id": 2, "name": "Plastic", "code": "p"},
    {"id": 3, "name": "Glass & Co", "code": "g"},
]
PRODUCTS = [
    {"id": 1, "name": "metal", "description": "Heavy steel", "quantity": 150,
     "price": Decimal("19.99"), "weight": 400.0, "in_stock": True, "tags": ["t", "u"],
     "category_id": 1, "released_at": dt(2022, 5, 1, 10), "release_date": datetime.date(2022, 5, 1),
     "secret": "s1"},
    {"id": 2, "name": "plastic", "description": "", "quantity": 120, "price": Decimal("10.00"),
     "weight": None, "in_stock": False, "tags": [1, True], "category_id": 2,
     "released_at": None, "release_date": None, "secret": "s2"},
    {"id": 3, "name": "glass", "description": "Fragile", "quantity": 5, "price": Decimal("2.50"),
     "weight": 1.5, "in_stock": True, "tags": [], "category_id": None,
     "released_at": dt(2024, 1, 1, 12), "release_date": datetime.date(2024, 1, 1), "secret": ""},
    {"id": 4, "name": "Wood", "description": "O'Brien's \"oak\"", "quantity": 0,
     "price": Decimal("0.00"), "weight": 0.0, "in_stock": True, "tags": ["t"], "category_id": 1,
     "released_at": dt(2023, 1, 1), "release_date": datetime.date(2022, 12, 31), "secret": ""},
    {"id": 5, "name": "paper", "description": "  100% pure_pulp  ", "quantity": -3,
     "price": Decimal("100.50"), "weight": 2.25, "in_stock": False, "tags": ["x", "t", 2.5],
     "category_id": 2, "released_at": dt(2021, 6, 15, 8, 30, 45), "release_date": None,
     "secret": "top"},
    {"id": 6, "name": "stone", "description": "", "quantity": 300,
     "price": Decimal("1234.56"), "weight": 900.0, "in_stock": True, "tags": "t",
     "category_id": None, "released_at": None, "release_date": None, "secret": ""},
]


class Row:
    """A product as plain Python values (``category`` is a dict or None)."""

    def __init__(self, data: dict) -> None:
        self.__dict__.update(data)
        self.category = next((c for c in CATEGORIES if c["id"] == data["category_id"]), None)


ROWS = [Row(data) for data in PRODUCTS]


def create_products() -> None:
    """The fixture dataset (also used by the fuzz tests)."""
    Category.objects.bulk_create(Category(**data) for data in CATEGORIES)
    Product.objects.bulk_create(Product(**data) for data in PRODUCTS)


def product_resolver() -> ModelFieldResolver:
    return ModelFieldResolver(
        Product, hidden={"secret"}, relations={"category": ModelFieldResolver(Category)}
    )


@pytest.fixture
def products(db):
    create_products()


def selected(text: str) -> list[int]:
    q = compile_filter(text, product_resolver())
    return sorted(Product.objects.filter(q).values_list("id", flat=True))


def expected(predicate) -> list[int]:
    return sorted(row.id for row in ROWS if predicate(row))


def cat(row, key):
    return row.category[key] if row.category else None


def div(a, b):
    return None if a is None or b is None or b == 0 else Decimal(str(a)) / Decimal(str(b))


def gt(a, b):  # NULL fails every comparison
    return a is not None and b is not None and a > b


def le(a, b):
    return a is not None and b is not None and a <= b


SPEC_EXAMPLES = [
    ('quantity > 100 && quantity < 200 && name == "plastic"',
     lambda r: 100 < r.quantity < 200 and r.name == "plastic"),
    ("(weight / quantity > 2 && name == 'metal') || (weight / quantity <= 2 && name == 'paper')",
     lambda r: (gt(div(r.weight, r.quantity), 2) and r.name == "metal")
     or (le(div(r.weight, r.quantity), 2) and r.name == "paper")),
    ("(category.code == 'm' && name == 'Wood') || (name == 'glass' && !EXISTS(category))",
     lambda r: (cat(r, "code") == "m" and r.name == "Wood")
     or (r.name == "glass" and r.category is None)),
    ("(INCLUDES(name, 'a') || INCLUDES(description, 'a')) && _id != 2 && !EXISTS(release_date)",
     lambda r: ("a" in r.name or "a" in r.description) and r.id != 2
     and r.release_date is None),
    ("INCLUDES(TOLOWER(category.name), TOLOWER('ETA'))",
     lambda r: r.category is not None and "eta" in r.category["name"].lower()),
    ("EXISTS(category) && category.code != 'p'",
     lambda r: r.category is not None and r.category["code"] != "p"),
    ("IN(tags,'t')  && quantity>=0",
     lambda r: isinstance(r.tags, list) and "t" in r.tags and r.quantity >= 0),
    ("this.in_stock == true && this.released_at <= DATEVALUE('2023-01-01T00:00:00.000Z')",
     lambda r: r.in_stock and le(r.released_at, dt(2023, 1, 1))),
    ("_id == 3", lambda r: r.id == 3),
    ('_id == "3"', lambda r: r.id == 3),
    ("!EXISTS(weight)", lambda r: r.weight is None),
]

PRECEDENCE = [
    ("quantity + 2 * 3 == 156", lambda r: r.quantity + 6 == 156),
    ("(quantity + 2) * 3 == 456", lambda r: (r.quantity + 2) * 3 == 456),
    ("quantity - 100 - 50 == 0", lambda r: r.quantity - 150 == 0),
    ("quantity / 5 / 2 == 15", lambda r: r.quantity / 10 == 15),
    ("-quantity == 3", lambda r: r.quantity == -3),
    ("- -quantity == 5", lambda r: r.quantity == 5),
    ("!in_stock || quantity > 100 && price < 20",
     lambda r: not r.in_stock or (r.quantity > 100 and r.price < 20)),
    ("(!in_stock || quantity > 100) && price < 20",
     lambda r: (not r.in_stock or r.quantity > 100) and r.price < 20),
    ("quantity > 1 == in_stock", lambda r: (r.quantity > 1) == r.in_stock),
    ("quantity>100&&quantity<200", lambda r: 100 < r.quantity < 200),
    ("\n quantity\t>\t100 ", lambda r: r.quantity > 100),
    ("includes(name, 'e') && in_stock == TRUE", lambda r: "e" in r.name and r.in_stock),
]

NULLS = [
    ("weight != 400", lambda r: r.weight != 400),
    ("!(weight > 2)", lambda r: not gt(r.weight, 2)),
    ("NOT(weight < 1)", lambda r: not (r.weight is not None and r.weight < 1)),
    ("weight > 2 || !(weight > 2)", lambda r: True),
    ("weight == null", lambda r: r.weight is None),
    ("null == weight", lambda r: r.weight is None),
    ("weight != null", lambda r: r.weight is not None),
    ("category.name != 'Metal'", lambda r: cat(r, "name") != "Metal"),
    ("!(category.name == 'Metal')", lambda r: cat(r, "name") != "Metal"),
    ("category.name == null", lambda r: r.category is None),
    ("category == null", lambda r: r.category is None),
    ("category == 2", lambda r: r.category_id == 2),
    ("category._id == '2'", lambda r: r.category_id == 2),
    ("weight / 0 == null", lambda r: True),
    ("weight + 1 == null", lambda r: r.weight is None),
    ("weight > price", lambda r: gt(r.weight, r.price)),
    ("!(weight <= price)", lambda r: not le(r.weight, r.price)),
    ("weight != quantity", lambda r: r.weight is None or r.weight != r.quantity),
    ("release_date != null && release_date >= '2022-06-01'",
     lambda r: r.release_date is not None and r.release_date >= datetime.date(2022, 6, 1)),
    ("null == null", lambda r: True),
    ("null != null", lambda r: False),
    ("null", lambda r: False),
    ("!null", lambda r: True),
]

TEXT_AND_TYPES = [
    ("name + '!' == 'metal!'", lambda r: r.name == "metal"),
    ("'#' + quantity == '#150'", lambda r: r.quantity == 150),
    ("name + ' ' + category.name == 'glass '", lambda r: r.name == "glass"),
    ("name + ' ' + category.name == 'metal Metal'", lambda r: r.name == "metal"),
    ("'Result : ' + (10 * 5 + 100) == 'Result : 150'", lambda r: True),
    ("'a' + 1.50 + true == 'a1.5true'", lambda r: True),
    ("description == 'O\\'Brien\\'s \"oak\"'", lambda r: r.id == 4),
    ('description == "O\'Brien\'s \\"oak\\""', lambda r: r.id == 4),
    ("price == '19.99'", lambda r: r.price == Decimal("19.99")),
    ("price == 19.99", lambda r: r.price == Decimal("19.99")),
    ("price > 100.499", lambda r: r.price > Decimal("100.499")),
    ("quantity == '150'", lambda r: r.quantity == 150),
    ("quantity == 5.0", lambda r: r.quantity == 5),
    ("quantity == 5.5", lambda r: False),
    ("quantity != 5.5", lambda r: True),
    ("quantity < 5.5", lambda r: r.quantity < 5.5),
    ("quantity >= 4.5", lambda r: r.quantity >= 4.5),
    ("quantity > 1e15", lambda r: False),
    ("quantity < 9999999999999999", lambda r: True),
    ("weight < 1e15 * 1e15 * 1e15", lambda r: r.weight is not None),
    ("weight == 2.25", lambda r: r.weight == 2.25),
    ("released_at == '2022-05-01T12:00:00+02:00'", lambda r: r.released_at == dt(2022, 5, 1, 10)),
    ("released_at >= '2024-01-01'", lambda r: gt(r.released_at, dt(2023, 12, 31, 23, 59))),
    ("released_at > '2021-06-15T08:30:45.5Z'",
     lambda r: gt(r.released_at, dt(2021, 6, 15, 8, 30, 45, 500000))),
    ("release_date == '2022-05-01'", lambda r: r.release_date == datetime.date(2022, 5, 1)),
    ("release_date <= '2022-05-01T23:00:00Z'",
     lambda r: le(r.release_date, datetime.date(2022, 5, 1))),
    ("release_date == DATEVALUE('2022-12-31T18:00:00Z')",
     lambda r: r.release_date == datetime.date(2022, 12, 31)),
    ("release_date < released_at", lambda r: r.release_date is not None
     and r.released_at is not None and r.release_date < r.released_at.date()),
    ("category.code < 'n'", lambda r: r.category is not None and r.category["code"] < "n"),
    ("in_stock == false", lambda r: not r.in_stock),
    ("in_stock != true", lambda r: not r.in_stock),
    ("in_stock", lambda r: r.in_stock),
    ("!in_stock", lambda r: not r.in_stock),
    ("(quantity > 100) == in_stock", lambda r: (r.quantity > 100) == r.in_stock),
    ("(quantity > 100) != (price > 15)", lambda r: (r.quantity > 100) != (r.price > 15)),
    ("EXISTS(weight) == true", lambda r: r.weight is not None),
    ("true", lambda r: True),
    ("false || 1 < 2", lambda r: True),
    ("price * quantity > 1000", lambda r: r.price * r.quantity > 1000),
    ("weight * quantity + price > 100",
     lambda r: r.weight is not None and Decimal(str(r.weight)) * r.quantity + r.price > 100),
    ("quantity / 2 == 2.5", lambda r: r.quantity == 5),
    ("weight / price > 1", lambda r: gt(div(r.weight, r.price), 1)),
    ("quantity * 1.5 == 225", lambda r: r.quantity == 150),
    ("quantity * 99999999 * 99999999 * 99999999 > 0", lambda r: r.quantity > 0),
    ("quantity + weight > price", lambda r: r.weight is not None
     and Decimal(str(r.weight)) + r.quantity > r.price),
]

FUNCTIONS = [
    ("AND(in_stock, quantity > 100)", lambda r: r.in_stock and r.quantity > 100),
    ("OR(quantity < 1, price > 1000, false)", lambda r: r.quantity < 1 or r.price > 1000),
    ("NOT(in_stock)", lambda r: not r.in_stock),
    ("and(true, true)", lambda r: True),
    ("ISNULL(released_at)", lambda r: r.released_at is None),
    ("ISNOTNULL(release_date)", lambda r: r.release_date is not None),
    ("EXISTS(description)", lambda r: True),
    ("EXISTS(5)", lambda r: True),
    ("IN(quantity, [5, 150])", lambda r: r.quantity in (5, 150)),
    ("IN(name, ['metal', 'Wood'])", lambda r: r.name in ("metal", "Wood")),
    ("IN(['metal', 'glass'], name)", lambda r: r.name in ("metal", "glass")),
    ("IN(weight, [1.5, null])", lambda r: r.weight in (1.5, None)),
    ("IN(weight, [quantity, 1.5])", lambda r: r.weight is not None
     and r.weight in (r.quantity, 1.5)),
    ("IN(quantity, [])", lambda r: False),
    ("!IN(quantity, [])", lambda r: True),
    ("IN(quantity, [150.5, 5.0, '120'])", lambda r: r.quantity in (5, 120)),
    ("IN(_id, ['1', 2])", lambda r: r.id in (1, 2)),
    ("IN(category.code, ['m', 'x'])", lambda r: cat(r, "code") == "m"),
    ("!IN(category.code, ['m'])", lambda r: cat(r, "code") != "m"),
    ("IN(released_at, ['2022-05-01T10:00:00Z'])", lambda r: r.released_at == dt(2022, 5, 1, 10)),
    ("IN(quantity * 2, [10, 300.0])", lambda r: r.quantity * 2 in (10, 300)),
    ("IN(tags, 't')", lambda r: isinstance(r.tags, list) and "t" in r.tags),
    ("IN('t', tags)", lambda r: isinstance(r.tags, list) and "t" in r.tags),
    ("!IN(tags, 't')", lambda r: not (isinstance(r.tags, list) and "t" in r.tags)),
    ("IN(tags, 1)", lambda r: any(v == 1 and v is not True for v in r.tags)),
    ("IN(tags, 2.5)", lambda r: isinstance(r.tags, list) and 2.5 in r.tags),
    ("IN(tags, true)", lambda r: any(v is True for v in r.tags)),
    ("IN(tags, '1')", lambda r: False),
    ("INCLUDES(name, 'oo')", lambda r: "oo" in r.name),
    ("INCLUDES(name, 'W')", lambda r: "W" in r.name),
    ("INCLUDES(name, 'w')", lambda r: "w" in r.name),
    ("INCLUDES(description, '%')", lambda r: "%" in r.description),
    ("INCLUDES(description, '_')", lambda r: "_" in r.description),
    ("INCLUDES(description, '')", lambda r: True),
    ("INCLUDES(TOTEXT(quantity), '5')", lambda r: "5" in str(r.quantity)),
    ("INCLUDES(category.name, null)", lambda r: False),
    ("STARTSWITH(name, 'W')", lambda r: r.name.startswith("W")),
    ("STARTSWITH(name, 'w')", lambda r: r.name.startswith("w")),
    ("STARTSWITH(name, 'pa')", lambda r: r.name.startswith("pa")),
    ("STARTSWITH(name, '')", lambda r: True),
    ("STARTSWITH(description, '  100%')", lambda r: r.description.startswith("  100%")),
    ("ENDSWITH(name, 'ss')", lambda r: r.name.endswith("ss")),
    ("ENDSWITH(name, 'OOD')", lambda r: r.name.endswith("OOD")),
    ("ENDSWITH(name, 'metal')", lambda r: r.name.endswith("metal")),
    ("ENDSWITH(name, 'xmetal')", lambda r: False),
    ("ENDSWITH(name, '')", lambda r: True),
    ("ENDSWITH(category.name, 'o')", lambda r: cat(r, "name") is not None
     and r.category["name"].endswith("o")),
    ("TOLOWER(name) == 'wood'", lambda r: r.name.lower() == "wood"),
    ("LOWER(name) == 'wood'", lambda r: r.name.lower() == "wood"),
    ("TOUPPER(category.code) == 'M'", lambda r: cat(r, "code") == "m"),
    ("UPPER(name) == 'GLASS'", lambda r: r.name == "glass"),
    ("TOTEXT(quantity) == '150'", lambda r: r.quantity == 150),
    ("TOSTRING(in_stock) == 'false'", lambda r: not r.in_stock),
    ("TOTEXT(quantity > 100) == 'true'", lambda r: r.quantity > 100),
    ("LENGTH(name) == 5", lambda r: len(r.name) == 5),
    ("LEN(description) == 0", lambda r: r.description == ""),
    ("TRIM(description) == '100% pure_pulp'", lambda r: r.description.strip() == "100% pure_pulp"),
    ("LTRIM(description) == '100% pure_pulp  '", lambda r: r.id == 5),
    ("RTRIM(description) == '  100% pure_pulp'", lambda r: r.id == 5),
    ("CONCAT(name, '-', quantity) == 'metal-150'", lambda r: r.name == "metal"),
    ("CONCAT(name, category.code) == 'glass'", lambda r: r.name == "glass"),
    ("CONCAT(name) == 'Wood'", lambda r: r.name == "Wood"),
    ("ABS(quantity) == 3", lambda r: abs(r.quantity) == 3),
    ("ABS(weight - 2) < 0.5", lambda r: r.weight is not None and abs(r.weight - 2) < 0.5),
    ("ROUND(price) == 20", lambda r: round(r.price) == 20),
    ("ROUND(price, 1) == 100.5", lambda r: r.id == 5),
    ("ROUND(weight / 4, 2) == 0.56", lambda r: r.id == 5),
    ("ROUND(quantity / 7) == 21", lambda r: r.quantity == 150),
    ("CEIL(weight) == 2", lambda r: r.weight is not None and math.ceil(r.weight) == 2),
    ("CEILING(quantity / 100) == 2", lambda r: math.ceil(r.quantity / 100) == 2),
    ("FLOOR(price) == 19", lambda r: math.floor(r.price) == 19),
    ("FLOOR(quantity / -2) == -2", lambda r: math.floor(r.quantity / -2) == -2),
    ("SQRT(quantity) == 0", lambda r: r.quantity == 0),
    ("SQRT(quantity) > 12", lambda r: r.quantity > 144),
    ("SQRT(quantity) == null", lambda r: r.quantity < 0),
    ("SQRT(weight) == 1.5", lambda r: r.weight == 2.25),
    ("MOD(quantity, 7) == 3", lambda r: math.fmod(r.quantity, 7) == 3),
    ("MOD(quantity, 7) == -3", lambda r: math.fmod(r.quantity, 7) == -3),
    ("MOD(price, 0) == null", lambda r: True),
    ("MOD(weight, 1) == 0.25", lambda r: r.weight == 2.25),
    ("PRODUCT(quantity, 2, 3) == 900", lambda r: r.quantity * 6 == 900),
    ("PRODUCT(quantity, weight) > 1000", lambda r: r.weight is not None
     and r.quantity * r.weight > 1000),
    ("released_at < NOW()", lambda r: r.released_at is not None),
    ("released_at > NOW()", lambda r: False),
    ("YEAR(release_date) == 2022", lambda r: r.release_date is not None
     and r.release_date.year == 2022),
    ("MONTH(released_at) == 6", lambda r: r.released_at is not None and r.released_at.month == 6),
    ("DAY(release_date) == 31", lambda r: r.release_date is not None and r.release_date.day == 31),
    ("HOUR(released_at) == 8 && MINUTE(released_at) == 30 && SECOND(released_at) == 45",
     lambda r: r.id == 5),
    ("year('2020-02-03') == 2020 && day(DATEVALUE('2020-02-03')) == 3", lambda r: True),
    ("released_at >= DATEVALUE('2023-01-01')", lambda r: gt(r.released_at, dt(2022, 12, 31, 23))),
    ("IF(quantity > 100, 'big', 'small') == 'big'", lambda r: r.quantity > 100),
    ("IF(in_stock, price, 0) > 15", lambda r: r.in_stock and r.price > 15),
    ("IF(EXISTS(weight), weight, 0) > 100", lambda r: r.weight is not None and r.weight > 100),
    ("IF(in_stock, quantity > 100, price > 50)",
     lambda r: r.quantity > 100 if r.in_stock else r.price > 50),
    ("IF(in_stock, quantity, weight) > 100",
     lambda r: (r.quantity if r.in_stock else (r.weight or 0)) > 100),
    ("IF(true, name, 'x') == 'Wood'", lambda r: r.name == "Wood"),
]


def items(r) -> list:
    """``tags`` as the list the list functions see (a non-list counts as empty)."""
    return r.tags if isinstance(r.tags, list) else []


def is_text(v) -> bool:
    return isinstance(v, str)


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


LIST_FUNCTIONS = [
    ("SIZE(tags) > 1", lambda r: len(items(r)) > 1),
    ("SIZE(tags) == 0", lambda r: not items(r)),
    ("SIZE(this.tags) >= 3", lambda r: len(items(r)) >= 3),
    ("SIZE(tags) + 1 == 2", lambda r: len(items(r)) == 1),
    ("SIZE(['a', 'b']) == 2", lambda r: True),
    ("SIZE(null) == 0", lambda r: True),
    ("SIZE(APPEND(tags, 'x', 'y')) == 4", lambda r: len(items(r)) == 2),
    ("SIZE(APPEND(APPEND(tags, 1), 2.5, null, true)) == 5", lambda r: len(items(r)) == 1),
    ("IN(APPEND(tags, 'zz'), 'zz')", lambda r: True),
    ("IN(APPEND(tags, 'zz'), 'u')", lambda r: "u" in items(r)),
    ("IN(APPEND(tags, 7), 7)", lambda r: True),
    ("ANYITEMTRUE(tags, this == 't')", lambda r: "t" in items(r)),
    ("anyItemTrue(this.tags, this == 't') && quantity > 100",
     lambda r: "t" in items(r) and r.quantity > 100),
    ("!ANYITEMTRUE(tags, this == 't')", lambda r: "t" not in items(r)),
    ("ANYITEMTRUE(tags, this != 't')", lambda r: any(v != "t" for v in items(r))),
    ("ANYITEMTRUE(tags, this > 'a' && this < 'v')",
     lambda r: any(is_text(v) and "a" < v < "v" for v in items(r))),
    ("ANYITEMTRUE(tags, IN(this, ['u', 2.5]))", lambda r: any(v in ("u", 2.5) for v in items(r))),
    ("ALLITEMSTRUE(tags, this != 1)", lambda r: all(not is_number(v) or v != 1 for v in items(r))),
    ("ANYITEMTRUE(tags, this > 2)", lambda r: any(is_number(v) and v > 2 for v in items(r))),
    ("ANYITEMTRUE(tags, this == 1)", lambda r: any(is_number(v) and v == 1 for v in items(r))),
    ("ANYITEMTRUE(tags, this == '1')", lambda r: False),
    ("ANYITEMTRUE(tags, this)", lambda r: any(v is True for v in items(r))),
    ("ANYITEMTRUE(tags, this == true || this == 'u')",
     lambda r: any(v is True or v == "u" for v in items(r))),
    ("ANYITEMTRUE(tags, this * 2 == 5)", lambda r: any(is_number(v) and v * 2 == 5
                                                      for v in items(r))),
    ("ANYITEMTRUE(tags, TOUPPER(this) == 'U')", lambda r: "u" in items(r)),
    ("ANYITEMTRUE(tags, true)", lambda r: bool(items(r))),
    ("ANYITEMTRUE(tags, false)", lambda r: False),
    ("ALLITEMSTRUE(tags, this == 't')", lambda r: all(v == "t" for v in items(r))),
    ("ALLITEMSTRUE(tags, STARTSWITH(this, 't') || this == 'u')",
     lambda r: all(is_text(v) and (v.startswith("t") or v == "u") for v in items(r))),
    ("ALLITEMSTRUE(tags, this >= 1)", lambda r: all(is_number(v) and v >= 1 for v in items(r))),
    ("!ALLITEMSTRUE(tags, INCLUDES(this, 't'))",
     lambda r: not all(is_text(v) and "t" in v for v in items(r))),
    ("ALLITEMSTRUE(tags, false)", lambda r: not items(r)),
    ("ALLITEMSTRUE(tags, this == null)", lambda r: not items(r)),
    ("ALLITEMSTRUE(null, false)", lambda r: True),
    ("ANYITEMTRUE(null, true)", lambda r: False),
    ("ANYITEMTRUE(APPEND(tags, 'm1'), STARTSWITH(this, 'm'))", lambda r: True),
    ("ALLITEMSTRUE(APPEND(tags, 'q'), this == 't' || this == 'q')",
     lambda r: all(v == "t" for v in items(r))),
    ("ANYITEMTRUE(['a', 1, null], this == null)", lambda r: True),
    ("ALLITEMSTRUE(['a', 1], this == 'a')", lambda r: False),
]


@pytest.mark.parametrize(
    ("text", "predicate"),
    SPEC_EXAMPLES + PRECEDENCE + NULLS + TEXT_AND_TYPES + FUNCTIONS + LIST_FUNCTIONS,
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_filter_rows(products, text, predicate):
    assert selected(text) == expected(predicate)


def values(text: str) -> dict[int, object]:
    expression = compile_value(text, product_resolver())
    rows = Product.objects.annotate(value=expression).values_list("id", "value")
    return dict(rows)


def norm(value):
    """Numbers compared as floats (SQLite computes decimals in floating point)."""
    if isinstance(value, (float, Decimal)) and not isinstance(value, bool):
        return round(float(value), 9)
    return value


@pytest.mark.parametrize(
    ("text", "compute"),
    [
        ("quantity * 2", lambda r: r.quantity * 2),
        ("quantity / 4", lambda r: Decimal(r.quantity) / 4),
        ("weight * 2", lambda r: None if r.weight is None else r.weight * 2),
        ("price + weight", lambda r: None if r.weight is None else float(r.price) + r.weight),
        ("price * 3", lambda r: r.price * 3),
        ("name + '!'", lambda r: r.name + "!"),
        ("quantity > 100", lambda r: r.quantity > 100),
        ("weight > 2", lambda r: gt(r.weight, 2)),
        ("IF(in_stock, 'yes', 'no')", lambda r: "yes" if r.in_stock else "no"),
        ("category.name", lambda r: cat(r, "name")),
        ("category", lambda r: r.category_id),
        ("_id", lambda r: r.id),
        ("price", lambda r: r.price),
        ("released_at", lambda r: r.released_at),
        ("ROUND(price, 1)", lambda r: round(r.price, 1)),
        ("YEAR(released_at)", lambda r: r.released_at and r.released_at.year),
        ("LENGTH(name)", lambda r: len(r.name)),
        ("TOTEXT(quantity)", lambda r: str(r.quantity)),
        ("MOD(quantity, 7)", lambda r: int(math.fmod(r.quantity, 7))),
        ("ABS(quantity)", lambda r: abs(r.quantity)),
        ("5", lambda r: 5),
        ("2.5", lambda r: Decimal("2.5")),
        ("'x'", lambda r: "x"),
        ("true", lambda r: True),
        ("null", lambda r: None),
        ("DATEVALUE('2023-01-01')", lambda r: dt(2023, 1, 1)),
        ("tags", lambda r: r.tags),
    ],
)
def test_compile_value(products, text, compute):
    got = {key: norm(value) for key, value in values(text).items()}
    assert got == {row.id: norm(compute(row)) for row in ROWS}


def test_group_by_and_countif(products):
    resolver = product_resolver()
    rows = (
        Product.objects.values(group=compile_value("category.name", resolver))
        .annotate(count=Count("id"), in_stock=Count("id", filter=compile_filter("in_stock",
                                                                               resolver)))
        .order_by("group")
    )
    assert {row["group"]: (row["count"], row["in_stock"]) for row in rows} == {
        None: (2, 2), "Metal": (2, 2), "Plastic": (2, 0)
    }
    grouped = (
        Product.objects.values(group=compile_value("quantity > 100", resolver))
        .annotate(count=Count("id")).order_by("group")
    )
    assert [(row["group"], row["count"]) for row in grouped] == [(False, 3), (True, 3)]


def test_filters_combine_with_other_q_objects(products):
    q = compile_filter("quantity > 100", product_resolver())
    assert sorted(Product.objects.filter(q & Q(in_stock=True)).values_list("id", flat=True)) == [
        1, 6
    ]
    assert sorted(Product.objects.exclude(q).values_list("id", flat=True)) == [3, 4, 5]


def test_settings_are_read_at_use_time(products, settings):
    settings.AGNOST_CORE_EXPRESSION_MAX_LENGTH = 10
    with pytest.raises(InvalidExpression, match="too long"):
        selected("quantity > 100")


NESTINGS = {
    "ABS": lambda n: "ABS(" * n + "quantity" + ")" * n + " > 0",
    "SQRT": lambda n: "SQRT(" * n + "quantity" + ")" * n + " > 0",
    "TOLOWER": lambda n: "TOLOWER(" * n + "name" + ")" * n + " == 'a'",
    "ROUND": lambda n: "ROUND(" * n + "price" + ", 2)" * n + " > 1",
    "MOD": lambda n: "MOD(" * n + "quantity" + ", 7)" * n + " > 1",
    "sum": lambda n: "(" * n + "quantity" + " + 1)" * n + " > 0",
    "right sum": lambda n: "(1 + " * n + "weight" + ")" * n + " > 0",
    "division": lambda n: "(" * n + "weight" + " / 2)" * n + " > 0",
    "equivalence": lambda n: "(" * n + "in_stock" + " == in_stock)" * n,
    "IF": lambda n: "IF(in_stock, " * n + "quantity" + ", weight)" * n + " > 1",
    "IF condition": lambda n: "IF(in_stock, " * n + "weight > 1" + ", in_stock)" * n,
    "ENDSWITH": lambda n: "IF(ENDSWITH(name, 'x'), " * n + "name" + ", 'y')" * n + " == 'a'",
    "concatenation": lambda n: "(" * n + "name" + " + 'x')" * n + " == 'a'",
    "CONCAT": lambda n: "CONCAT(" * n + "name" + ", 'x')" * n + " == 'a'",
    "YEAR in IF": lambda n: "IF(in_stock, " * n + "YEAR(released_at)" + ", 1)" * n + " > 1",
}


@pytest.mark.parametrize("family", sorted(NESTINGS))
@pytest.mark.parametrize("levels", [5, 10, 20, 31])
def test_deep_expressions_fail_before_the_database(products, family, levels):
    # SQLite's parser overflows on deeply nested SQL and some constructs repeat operands:
    # such expressions must be refused while compiling, never fail in the database.
    text = NESTINGS[family](levels)
    resolver = product_resolver()
    try:
        q = compile_filter(text, resolver)
        value = compile_value(text, resolver)
    except InvalidExpression as exc:
        assert "too complex" in exc.message or "nested too deeply" in exc.message
        return
    Product.objects.filter(q).count()
    list(Product.objects.annotate(value=value).values_list("value", flat=True))


def test_long_concatenations_stay_flat(products):
    # A chain of 30 operators is as deep as the parser allows; its SQL stays shallow.
    text = "name" + " + '-' + name" * 15 + " == 'metal" + "-metal" * 15 + "'"
    assert selected(text) == [1]
    many = "CONCAT(" + ", ".join(["name"] * 100) + ") == '" + "glass" * 100 + "'"
    assert selected(many) == [3]


def test_exponential_expressions_are_refused_quickly(products):
    text = "(" * 31 + "in_stock" + " == in_stock)" * 31
    with pytest.raises(InvalidExpression, match="too complex"):
        selected(text)
