"""Property tests: whatever text a client sends, compiling and running a filter raises only
AgnostAPIError subclasses — never another exception, never a database error — and an
expression that refers to the hidden field ``secret`` never compiles."""

from __future__ import annotations

import os

import pytest
from django.db import DatabaseError, transaction

from agnost_django.core.exceptions import AgnostAPIError
from agnost_django.core.expressions import (
    FUNCTIONS,
    UNSUPPORTED,
    compile_filter,
    compile_value,
    parse,
)
from tests.core.test_expressions_queries import create_products, product_resolver
from tests.dataapp.models import Product

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

# The database fixture is created once per test function and only read by the examples.
# EXPRESSIONS_FUZZ_EXAMPLES=5000 runs a longer search.
FUZZ = settings(
    max_examples=int(os.environ.get("EXPRESSIONS_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FIELDS = [
    "name", "description", "quantity", "price", "weight", "in_stock", "tags", "category",
    "category.name", "category.code", "category._id", "released_at", "release_date", "_id",
    "this.quantity", "this.category.name", "created_at", "owner", "owner._id",
    # never allowed:
    "nope", "category.nope", "owner.password", "lookup.name", "reviews", "category.products",
    "pk", "category__name",
]
SECRET_FIELDS = ["secret", "this.secret", "category.secret"]
OPERATORS = ["+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "&&", "||"]
FUNCTION_NAMES = sorted(FUNCTIONS) + sorted(UNSUPPORTED)[:20] + ["FOO", "lower", "Includes"]


def quote(text: str) -> str:
    quote_char = "'" if "'" not in text or '"' in text else '"'
    escaped = text.replace("\\", "\\\\").replace(quote_char, "\\" + quote_char)
    return quote_char + escaped.replace("\n", "\\n").replace("\x00", "") + quote_char


numbers = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    st.integers(min_value=0, max_value=10**16 - 1).map(str),
    st.sampled_from(["0", "0.0", "1.5", ".5", "1e15", "9999999999999999", "2.5e-3", "1e-16",
                     "123.456789012345678901234567890"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=4,
                min_value=-(10**6), max_value=10**6).map(lambda d: str(abs(d))),
)
texts = st.one_of(
    st.sampled_from(["", "t", "metal", "Wood", "2022-05-01", "2023-01-01T00:00:00.000Z",
                     "not a date", "19.99", "150", "%", "_", "\\", "'", '"', "secret",
                     "12:30:00", "true"]),
    st.text(max_size=8),
)
leaves = st.one_of(
    st.sampled_from(FIELDS).map(lambda f: (f, False)),
    st.sampled_from(SECRET_FIELDS).map(lambda f: (f, True)),
    numbers.map(lambda n: (n, False)),
    texts.map(lambda t: (quote(t), False)),
    st.sampled_from(["true", "false", "null", "TRUE", "Null", "NOW()", "[]"]).map(
        lambda t: (t, False)
    ),
)


def combine(children):
    def join(items, separator=", "):
        return separator.join(text for text, _ in items), any(flag for _, flag in items)

    binary = st.tuples(children, st.sampled_from(OPERATORS), children).map(
        lambda t: (f"{t[0][0]} {t[1]} {t[2][0]}", t[0][1] or t[2][1])
    )
    unary = st.tuples(st.sampled_from(["!", "-", "+"]), children).map(
        lambda t: (t[0] + t[1][0], t[1][1])
    )
    paren = children.map(lambda c: (f"({c[0]})", c[1]))
    call = st.tuples(st.sampled_from(FUNCTION_NAMES), st.lists(children, max_size=4)).map(
        lambda t: (f"{t[0]}({join(t[1])[0]})", join(t[1])[1])
    )
    listing = st.lists(children, max_size=4).map(lambda items: (f"[{join(items)[0]}]",
                                                                join(items)[1]))
    return st.one_of(binary, unary, paren, call, listing)


expressions = st.recursive(leaves, combine, max_leaves=12)


# -- well-typed expressions (most of them compile, so the database runs them) -----------------


def call(name, *args):
    return f"{name}({', '.join(args)})"


def infix(op):
    return lambda pair: f"({pair[0]} {op} {pair[1]})"


num_literals = st.sampled_from(["0", "1", "-1", "2.5", "0.001", "1e15", "9999999999999999",
                                "1e-16", "100", "-150", "null", "7"])
num_fields = st.sampled_from(["quantity", "price", "weight", "_id", "category", "category._id",
                              "this.quantity", "owner"])
text_fields = st.sampled_from(["name", "description", "category.name", "category.code"])
text_literals = st.sampled_from(["''", "'a'", "'metal'", "'W'", "'%'", "'_'", "'\\\\'",
                                 "'t'", "null", "\"O'Brien\"", "'  x  '"])
datetimes = st.sampled_from(["released_at", "created_at", "updated_at", "NOW()",
                             "DATEVALUE('2023-01-01T00:00:00Z')", "'2022-05-01T10:00:00Z'",
                             "'2024-01-01'", "null"])
dates = st.sampled_from(["release_date", "'2022-12-31'", "DATEVALUE('2022-05-01')"])

nums = st.deferred(lambda: st.one_of(
    num_literals, num_fields,
    st.tuples(nums, nums).map(infix("+")), st.tuples(nums, nums).map(infix("-")),
    st.tuples(nums, nums).map(infix("*")), st.tuples(nums, nums).map(infix("/")),
    nums.map(lambda n: f"-{n}"),
    st.sampled_from(["ABS", "CEIL", "FLOOR", "SQRT", "ROUND"]).flatmap(
        lambda name: nums.map(lambda n: call(name, n))),
    st.tuples(nums, st.integers(0, 30)).map(lambda t: call("ROUND", t[0], str(t[1]))),
    st.tuples(nums, nums).map(lambda t: call("MOD", *t)),
    st.lists(nums, min_size=2, max_size=5).map(lambda items: call("PRODUCT", *items)),
    st.tuples(bools, nums, nums).map(lambda t: call("IF", *t)),
    texts_typed.map(lambda t: call("LENGTH", t)),
    st.sampled_from(["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"]).flatmap(
        lambda name: datetimes.map(lambda d: call(name, d))),
))
texts_typed = st.deferred(lambda: st.one_of(
    text_literals, text_fields,
    st.tuples(texts_typed, texts_typed).map(infix("+")),
    st.tuples(texts_typed, nums).map(infix("+")),
    st.sampled_from(["TOLOWER", "TOUPPER", "TRIM", "LTRIM", "RTRIM"]).flatmap(
        lambda name: texts_typed.map(lambda t: call(name, t))),
    st.lists(st.one_of(texts_typed, nums, bools), min_size=1, max_size=4).map(
        lambda items: call("CONCAT", *items)),
    st.one_of(nums, datetimes, dates, bools).map(lambda x: call("TOTEXT", x)),
    st.tuples(bools, texts_typed, texts_typed).map(lambda t: call("IF", *t)),
))
comparisons = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
bools = st.deferred(lambda: st.one_of(
    st.sampled_from(["in_stock", "true", "false", "!in_stock", "EXISTS(weight)",
                     "IN(tags, 't')", "IN(tags, 1)", "IN('t', tags)", "IN(tags, null)"]),
    st.tuples(nums, comparisons, nums).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
    st.tuples(texts_typed, comparisons, texts_typed).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
    st.tuples(datetimes, comparisons, datetimes).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
    st.tuples(dates, comparisons, st.one_of(dates, datetimes)).map(
        lambda t: f"{t[0]} {t[1]} {t[2]}"),
    st.tuples(bools, bools).map(infix("&&")), st.tuples(bools, bools).map(infix("||")),
    st.tuples(bools, bools).map(infix("==")), st.tuples(bools, bools).map(infix("!=")),
    bools.map(lambda b: f"!{b}"),
    st.sampled_from(["INCLUDES", "STARTSWITH", "ENDSWITH"]).flatmap(
        lambda name: st.tuples(texts_typed, texts_typed).map(lambda t: call(name, *t))),
    st.tuples(nums, st.lists(nums, max_size=4)).map(
        lambda t: call("IN", t[0], "[" + ", ".join(t[1]) + "]")),
    st.tuples(texts_typed, st.lists(texts_typed, max_size=4)).map(
        lambda t: call("IN", t[0], "[" + ", ".join(t[1]) + "]")),
    st.lists(bools, min_size=2, max_size=4).map(lambda items: call("AND", *items)),
    st.lists(bools, min_size=2, max_size=4).map(lambda items: call("OR", *items)),
    bools.map(lambda b: call("NOT", b)),
    st.one_of(nums, texts_typed, datetimes).map(lambda x: call("ISNULL", x)),
    st.tuples(bools, bools, bools).map(lambda t: call("IF", *t)),
))


ALPHABET = st.sampled_from(list("abcdefghijklmnopqrstuvwxyz_ABCXYZ0123456789.,()[]'\"\\ \t\n"
                                "+-*/!<>=&|?#$%@éß☃\x00\u2028"))
random_text = st.one_of(st.text(ALPHABET, max_size=60), st.text(max_size=60))


def run_filter(text: str) -> None:
    """Compile and run ``text``; only AgnostAPIError may escape."""
    try:
        q = compile_filter(text, product_resolver())
    except AgnostAPIError as exc:
        event(f"filter refused: {exc.code}")
        return
    event("filter compiled")
    try:
        with transaction.atomic():
            Product.objects.filter(q).count()
    except AgnostAPIError:
        return
    except DatabaseError as exc:
        pytest.fail(f"database error for {text!r}: {exc}")


def run_value(text: str) -> None:
    try:
        expression = compile_value(text, product_resolver())
    except AgnostAPIError as exc:
        event(f"value refused: {exc.code}")
        return
    event("value compiled")
    try:
        with transaction.atomic():
            list(Product.objects.annotate(value=expression).values_list("value", flat=True))
    except AgnostAPIError:
        return
    except DatabaseError as exc:
        pytest.fail(f"database error for {text!r}: {exc}")


@pytest.fixture
def products(db):
    create_products()


@FUZZ
@given(text=random_text)
def test_random_text_never_crashes(products, text):
    try:
        parse(text)
    except AgnostAPIError as exc:
        assert exc.code == "invalid_expression"
        assert 0 <= exc.details["position"] <= len(text)
    run_filter(text)


@FUZZ
@given(expression=expressions)
@example(expression=("quantity * 9999999999999999 * 9999999999999999 > 1", False))
@example(expression=("SQRT(-quantity) > 1 || MOD(weight, 0) == 1", False))
@example(expression=("ABS(quantity - 9999999999999999) == ROUND(weight / 0, 3)", False))
@example(expression=("IN(tags, secret)", True))
@example(expression=("AND(false, secret == 'x')", True))
def test_generated_filters(products, expression):
    text, mentions_secret = expression
    if mentions_secret:
        with pytest.raises(AgnostAPIError):
            compile_filter(text, product_resolver())
        with pytest.raises(AgnostAPIError):
            compile_value(text, product_resolver())
        return
    run_filter(text)


@FUZZ
@given(expression=expressions)
def test_generated_values(products, expression):
    text, mentions_secret = expression
    if mentions_secret:
        with pytest.raises(AgnostAPIError):
            compile_value(text, product_resolver())
        return
    run_value(text)


@FUZZ
@given(text=bools)
def test_well_typed_filters(products, text):
    run_filter(text)


@FUZZ
@given(text=st.one_of(nums, texts_typed, bools))
def test_well_typed_values(products, text):
    run_value(text)
