"""The expression language: lexer, parser, limits, error codes/positions and resolvers
(no database needed; the results of queries are in test_expressions_queries.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Q

from agnost_django.core.exceptions import AgnostAPIError, UnsupportedFunction
from agnost_django.core.expressions import (
    FUNCTIONS,
    UNSUPPORTED,
    FieldResolver,
    InvalidExpression,
    InvalidField,
    InvalidFunction,
    ModelFieldResolver,
    ast,
    compile_filter,
    compile_value,
    parse,
)
from tests.dataapp.models import Category, Product


@pytest.fixture
def resolver():
    return ModelFieldResolver(
        Product, hidden={"secret"}, relations={"category": ModelFieldResolver(Category)}
    )


def error_of(text, resolver=None, *, value=False) -> AgnostAPIError:
    with pytest.raises(AgnostAPIError) as excinfo:
        if resolver is None:
            parse(text)
        elif value:
            compile_value(text, resolver)
        else:
            compile_filter(text, resolver)
    error = excinfo.value
    assert f"at position {error.details['position']}" in error.message
    assert text.startswith(error.details["expression"])
    return error


# -- lexer and parser ------------------------------------------------------------------------


def test_literals():
    assert parse("134") == ast.Number(0, value=134)
    assert parse("56.98") == ast.Number(0, value=Decimal("56.98"))
    assert parse(".5") == ast.Number(0, value=Decimal("0.5"))
    assert parse("1e3") == ast.Number(0, value=Decimal("1e3"))
    assert parse("'single'") == ast.Text(0, value="single")
    assert parse('"double"') == ast.Text(0, value="double")
    assert parse("true") == ast.Boolean(0, value=True)
    assert parse("FALSE") == ast.Boolean(0, value=False)
    assert parse("Null") == ast.Null(0)
    assert parse("[1, 'a']") == ast.List(
        0, items=(ast.Number(1, value=1), ast.Text(4, value="a")), depth=2
    )
    assert parse("[]") == ast.List(0, items=(), depth=1)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (r"'it\'s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        (r"'back\\slash'", "back\\slash"),
        (r"'a\nb\tc\rd'", "a\nb\tc\rd"),
        (r"'\u00e9\/'", "é/"),
        ('"it\'s"', "it's"),
        ("'say \"hi\"'", 'say "hi"'),
        ("'ünï ☃'", "ünï ☃"),
    ],
)
def test_text_escapes(text, value):
    assert parse(text) == ast.Text(0, value=value)


def test_field_paths_and_prefixes():
    assert parse("quantity") == ast.FieldRef(0, path=("quantity",))
    assert parse("this.category.name") == ast.FieldRef(0, path=("category", "name"))
    assert parse("this . tags") == ast.FieldRef(0, path=("tags",))
    assert parse("lookup.category") == ast.FieldRef(0, path=("category",), scope="lookup")
    assert parse("_id") == ast.FieldRef(0, path=("_id",))


def test_function_names_are_upper_cased():
    node = parse("includes(name, 'x')")
    assert isinstance(node, ast.Call) and node.name == "INCLUDES" and node.written == "includes"
    assert parse("NOW()").args == ()


def show(node) -> str:
    """The tree fully parenthesised (precedence check)."""
    if isinstance(node, ast.Binary):
        return f"({show(node.left)} {node.op} {show(node.right)})"
    if isinstance(node, ast.Logical):
        return "(" + f" {node.op} ".join(show(item) for item in node.items) + ")"
    if isinstance(node, ast.Unary):
        return f"{node.op}{show(node.operand)}"
    if isinstance(node, ast.FieldRef):
        return node.dotted
    if isinstance(node, ast.Call):
        return f"{node.name}(" + ", ".join(show(arg) for arg in node.args) + ")"
    return repr(getattr(node, "value", None))


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("a + b * c", "(a + (b * c))"),
        ("a * b + c", "((a * b) + c)"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b / c", "((a / b) / c)"),
        ("a + b < c * d", "((a + b) < (c * d))"),
        ("a < b == c > d", "((a < b) == (c > d))"),
        ("a == b != c", "((a == b) != c)"),
        ("a == b && c != d", "((a == b) && (c != d))"),
        ("a || b && c", "(a || (b && c))"),
        ("a && b || c && d", "((a && b) || (c && d))"),
        ("a || b || c", "(a || b || c)"),
        ("!a && b", "(!a && b)"),
        ("!(a && b)", "!(a && b)"),
        ("-a * b", "(-a * b)"),
        ("- -a", "--a"),
        ("(a + b) * c", "((a + b) * c)"),
        ("a+b*c>=d&&e||f", "((((a + (b * c)) >= d) && e) || f)"),
        ("F(a, b + c) * 2", "(F(a, (b + c)) * 2)"),
    ],
)
def test_precedence_and_associativity(text, shape):
    assert show(parse(text)) == shape


def test_irregular_spacing():
    assert show(parse("IN(tags,'t')  && projectId=='P'")) == show(
        parse("IN( tags , 't' ) && projectId == 'P'")
    )
    assert show(parse("\n\tquantity>1\n")) == "(quantity > 1)"


def test_positions():
    node = parse("quantity > 100 && name == 'x'")
    assert isinstance(node, ast.Logical) and node.pos == 15
    left, right = node.items
    assert left.pos == 9 and left.left.pos == 0 and left.right.pos == 11
    assert right.right.pos == 26


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("name == 'abc", 8, "unterminated text (no closing ')"),
        ('name == "abc', 8, 'unterminated text (no closing ")'),
        ("name == 'abc\\'", 8, "unterminated text"),
        ("(quantity > 1", 13, "expected ')' at position 13 (found the end of the expression)"),
        ("quantity > 1)", 12, "unexpected ')'"),
        ("((a)", 4, "expected ')'"),
        ("f(a, b", 6, "expected ',' or ')'"),
        ("f(a b)", 4, "expected ',' or ')'"),
        ("[1, 2", 5, "expected ',' or ']'"),
        ("f(1,)", 4, "unexpected ')'"),
        ("a = 1", 2, "did you mean '=='"),
        ("a & b", 2, "did you mean '&&'"),
        ("a | b", 2, "did you mean '||'"),
        ("a ? b", 2, "unexpected character '?'"),
        ("a == #", 5, "unexpected character '#'"),
        ("'a\\qb'", 2, "invalid escape \\q"),
        ("'\\u12'", 1, "invalid \\u escape"),
        ("'\\u0000'", 1, "not allowed"),
        ("'a\x00'", 2, "not allowed"),
        ("a ==", 4, "unexpected end of the expression"),
        ("", 0, "empty expression"),
        ("   ", 0, "empty expression"),
        ("a.", 2, "expected a field name"),
        ("a.5", 1, "unexpected the number 0.5"),
        ("this.", 5, "expected a field name"),
        ("5 5", 2, "unexpected the number 5"),
        ("1e999", 0, "out of range"),
        ("12345678901234567", 0, "out of range"),
        ("0.00000000000000001", 0, "out of range"),
        ("null.x", 4, "unexpected '.'"),
    ],
)
def test_syntax_errors(text, position, message):
    error = error_of(text)
    assert isinstance(error, InvalidExpression)
    assert error.status_code == 400 and error.code == "invalid_expression"
    assert error.details == {"position": position, "expression": text}
    assert message in error.message


def test_non_text_is_invalid():
    with pytest.raises(InvalidExpression):
        parse(None)  # type: ignore[arg-type]


def test_too_long(settings):
    settings.AGNOST_CORE_EXPRESSION_MAX_LENGTH = 20
    parse("a" * 20)
    error = error_of("a" * 21)
    assert error.code == "invalid_expression" and error.details["position"] == 20
    assert "too long" in error.message
    assert error.details["expression"] == "a" * 20


def test_too_long_default():
    text = "quantity > 1 && " * 300 + "true"
    assert len(text) > 4096
    assert error_of(text).details["position"] == 4096


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "(" * n + "a" + ")" * n,
        lambda n: "!" * n + "a",
        lambda n: "-" * n + "1",
        lambda n: "TOLOWER(" * n + "a" + ")" * n,
        lambda n: "[" * n + "]" * n,
        lambda n: " + ".join(["a"] * (n + 1)),
        lambda n: "a" + " == a" * n,
    ],
)
def test_too_deep(make):
    parse(make(31))
    error = error_of(make(40))
    assert error.code == "invalid_expression" and "nested too deeply" in error.message


def test_very_deep_never_recurses(settings):
    settings.AGNOST_CORE_EXPRESSION_MAX_LENGTH = 100_000
    for text in ("(" * 20_000 + "a" + ")" * 20_000, "!" * 50_000 + "a", "a+" * 30_000 + "a"):
        assert "nested too deeply" in error_of(text).message


def test_depth_setting(settings):
    settings.AGNOST_CORE_EXPRESSION_MAX_DEPTH = 3
    parse("a + b == c")
    assert "more than 3 levels" in error_of("(a + b) * c == d").message


def test_long_or_chains_stay_shallow(resolver):
    text = " || ".join(f"quantity == {n}" for n in range(200))
    assert parse(text).depth == 3
    compile_filter(text, resolver)


# -- compile errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "field"),
    [
        ("nope == 1", 0, "nope"),
        ("quantity > 1 && secret == 'x'", 16, "secret"),
        ("this.secret == 'x'", 0, "secret"),
        ("EXISTS(secret)", 7, "secret"),
        ("category.secret == 1", 0, "category.secret"),
        ("category.products == 1", 0, "category.products"),
        ("owner.password == 'x'", 0, "owner.password"),
        ("reviews == 1", 0, "reviews"),
        ("category_id == 1", 0, "category_id"),
        ("category__name == 'x'", 0, "category__name"),
        ("name.first == 'x'", 0, "name.first"),
        ("_id.x == 1", 0, "_id.x"),
        ("pk == 1", 0, "pk"),
        ("lookup.name == 'x'", 0, "lookup.name"),
        ("this == 1", 0, "this"),
    ],
)
def test_invalid_fields(resolver, text, position, field):
    error = error_of(text, resolver)
    assert isinstance(error, InvalidField)
    assert error.status_code == 400 and error.code == "invalid_field"
    assert error.details == {"position": position, "expression": text, "field": field}


def test_hidden_fields_look_unknown(resolver):
    assert error_of("secret == 1", resolver).message == error_of(
        "missing == 1", resolver
    ).message.replace("missing", "secret")


def test_unknown_function(resolver):
    error = error_of("quantity > 1 && frobnicate(name)", resolver)
    assert isinstance(error, InvalidFunction) and not isinstance(error, UnsupportedFunction)
    assert error.status_code == 400 and error.code == "invalid_function"
    assert error.details == {
        "position": 16, "expression": "quantity > 1 && frobnicate(name)", "function": "frobnicate"
    }


@pytest.mark.parametrize("name", ["PREPEND", "POWER", "DISTANCE", "substring"])
def test_unsupported_functions(resolver, name):
    error = error_of(f"{name}(tags, 1) == 1", resolver)
    assert isinstance(error, UnsupportedFunction)
    assert error.status_code == 501 and error.code == "unsupported_function"
    assert error.details["function"] == name.upper() and error.details["position"] == 0


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("SIZE(name) > 1", 5, "SIZE expects a list (a list field, APPEND(...) or a [...] literal) "
                              "as argument 1, found the text field 'name'"),
        ("SIZE(5) > 1", 5, "SIZE expects a list"),
        ("quantity > 1 && SIZE(quantity > 1) > 1", 30, "found a condition"),
        ("IN(APPEND(name, 'x'), 'x')", 10, "APPEND expects a list"),
        ("ANYITEMTRUE(quantity, this == 1)", 12, "ANYITEMTRUE expects a list"),
        ("ALLITEMSTRUE('abc', this == 1)", 13, "ALLITEMSTRUE expects a list"),
        ("SIZE(APPEND(tags, name)) == 1", 18, "APPEND needs literal text, number, boolean or null "
                                              "values, found the text field 'name'"),
        ("SIZE(APPEND(tags, [1])) == 1", 18, "APPEND needs literal"),
        ("SIZE(APPEND(tags, 1 > 0)) == 1", 20, "APPEND needs literal"),
        ("ANYITEMTRUE([name], this == 'a')", 13, "ANYITEMTRUE needs literal"),
        ("ANYITEMTRUE(tags, name == 'a')", 18,
         "inside ANYITEMTRUE only 'this' (the list item) can be referenced, not 'name'"),
        ("ANYITEMTRUE(tags, this.name == 'a')", 18, "not 'name'"),
        ("ALLITEMSTRUE(tags, this == lookup.name)", 27, "not 'lookup.name'"),
        ("ANYITEMTRUE(tags, ANYITEMTRUE(tags, this == 1))", 18,
         "ANYITEMTRUE cannot be used inside ANYITEMTRUE"),
        ("ANYITEMTRUE(tags, STARTSWITH(this, 'a') && this * 2 > 1)", 43,
         "operator '*' expects numbers, found the text list item 'this'"),
        ("ANYITEMTRUE(tags, 5)", 18, "expected a condition"),
        ("ALLITEMSTRUE(tags, this + 1)", 24, "expected a condition"),
        ("APPEND(tags, 1)", 0, "a filter must be a condition"),
        ("SIZE(tags) == 'a'", 14, "cannot compare"),
        ("APPEND(tags, 1) == tags", 0, "can only be used in IN"),
    ],
)
def test_list_function_errors(resolver, text, position, message):
    error = error_of(text, resolver)
    assert error.code == "invalid_expression", error.message
    assert error.status_code == 400
    assert error.details["position"] == position, error.message
    assert message in error.message


def test_item_this_only_inside_item_functions(resolver):
    error = error_of("this == 'a'", resolver)
    assert error.code == "invalid_field"


def test_function_tables_do_not_overlap():
    assert not set(FUNCTIONS) & UNSUPPORTED


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("TOLOWER(name, name) == 'a'", 0, "TOLOWER expects 1 argument, got 2"),
        ("name == 'a' && INCLUDES(name)", 15, "INCLUDES expects 2 arguments, got 1"),
        ("NOW(1) > released_at", 0, "NOW expects 0 arguments, got 1"),
        ("AND(in_stock)", 0, "AND expects at least 2 arguments, got 1"),
        ("ROUND() == 1", 0, "ROUND expects 1 to 2 arguments, got 0"),
        ("PRODUCT(1) == 1", 0, "PRODUCT expects 2 to 100 arguments, got 1"),
        ("PRODUCT(" + ", ".join(["1"] * 101) + ") == 1", 0, "got 101"),
        ("IF(in_stock, 1) == 1", 0, "IF expects 3 arguments"),
        ("SIZE() == 1", 0, "SIZE expects 1 argument, got 0"),
        ("SIZE(tags, tags) == 1", 0, "SIZE expects 1 argument, got 2"),
        ("in_stock && APPEND(tags) == null", 12, "APPEND expects at least 2 arguments, got 1"),
        ("ANYITEMTRUE(tags)", 0, "ANYITEMTRUE expects 2 arguments, got 1"),
        ("name == 'a' || ALLITEMSTRUE(tags, true, 1)", 15,
         "ALLITEMSTRUE expects 2 arguments, got 3"),
    ],
)
def test_wrong_arity(resolver, text, position, message):
    error = error_of(text, resolver)
    assert error.code == "invalid_expression" and error.details["position"] == position
    assert message in error.message


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("quantity == 'abc'", 12, "cannot compare the integer field 'quantity' with the text"),
        ("'abc' == quantity", 0, "cannot compare the integer field 'quantity'"),
        ("released_at > 'not a date'", 14, "'not a date' is not a valid datetime"),
        ("release_date == '2023-02-30'", 16, "is not a valid date"),
        ("released_at > DATEVALUE('2023-13-01')", 24, "is not a valid datetime"),
        ("name == 5", 8, "cannot compare the text field 'name' with the number 5"),
        ("in_stock == 1", 12, "cannot compare the boolean field 'in_stock'"),
        ("in_stock > false", 9, "can only be compared with == or !="),
        ("price < true", 8, "cannot compare"),
        ("name == quantity", 5, "cannot compare the text field 'name' with the integer"),
        ("released_at == price", 12, "cannot compare"),
        ("quantity + 'a' > 1", 17, "cannot compare a text expression with the number 1"),
        ("quantity * name > 1", 11, "operator '*' expects numbers, found the text field 'name'"),
        ("-name == 'a'", 1, "unary '-' expects a number"),
        ("!quantity", 1, "expected a condition"),
        ("quantity", 0, "a filter must be a condition"),
        ("'abc'", 0, "a filter must be a condition"),
        ("quantity > 1 && 5", 16, "expected a condition"),
        ("tags == 't'", 0, "can only be used in IN(...), EXISTS(...)"),
        ("tags > 1", 0, "can only be used in IN"),
        ("quantity == [1, 2]", 12, "a list can only be the second argument of IN"),
        ("IN(quantity, 5)", 0, "IN expects a value and a list"),
        ("IN(tags, name)", 9, "IN(list field, value) needs a literal"),
        ("IN(tags, [1])", 3, "the JSON field 'tags' cannot be compared with list items"),
        ("IN(name, [1, 2])", 10, "cannot compare the text field 'name' with the number 1"),
        ("IN(quantity, [(quantity > 1)])", 24, "list items must be values"),
        ("INCLUDES(quantity, 'a')", 9, "INCLUDES expects text as argument 1"),
        ("LENGTH(5) > 1", 7, "LENGTH expects text"),
        ("ABS(name) > 1", 4, "ABS expects a number"),
        ("ROUND(price, 2.5) > 1", 13, "ROUND expects an integer literal from 0 to 30"),
        ("ROUND(price, -1) > 1", 13, "ROUND expects an integer literal"),
        ("ROUND(price, quantity) > 1", 13, "ROUND expects an integer literal"),
        ("YEAR(name) == 1", 5, "YEAR expects a date or datetime"),
        ("HOUR(release_date) == 1", 5, "HOUR expects a datetime or time"),
        ("DATEVALUE(name) > released_at", 10, "DATEVALUE expects a text literal"),
        ("quantity < null", 9, "null can only be compared with == or !="),
        ("(quantity > 1) > (price > 1)", 15, "conditions can only be compared"),
        ("(quantity > 1) == 1", 18, "cannot compare a condition with the number 1"),
        ("IF(in_stock, 1, 'a') == 1", 16, "IF branches must be values of one type"),
        ("EXISTS(quantity > 1)", 16, "EXISTS expects a field or value"),
        ("category.name < 1", 16, "cannot compare the text field 'category.name'"),
    ],
)
def test_type_errors(resolver, text, position, message):
    error = error_of(text, resolver)
    assert isinstance(error, InvalidExpression) and error.code == "invalid_expression"
    assert error.details["position"] == position, error.message
    assert message in error.message, error.message


def test_value_errors(resolver):
    assert "a list can only be" in error_of("[1, 2]", resolver, value=True).message
    assert error_of("secret", resolver, value=True).code == "invalid_field"


def test_blank_filter_is_no_filter(resolver):
    assert compile_filter("", resolver) == Q()
    assert compile_filter("  ", resolver) == Q()
    with pytest.raises(InvalidExpression):
        compile_value("", resolver)


def test_compiles_a_parsed_tree(resolver):
    tree = parse("quantity > 'x'")
    with pytest.raises(InvalidExpression) as excinfo:
        compile_filter(tree, resolver)
    assert excinfo.value.details == {"position": 11, "expression": "quantity > 'x'"}


def test_errors_render_in_the_envelope(resolver):
    with pytest.raises(InvalidField) as excinfo:
        compile_filter("secret == 'x'", resolver)
    assert excinfo.value.as_item() == {
        "origin": "client_error",
        "code": "invalid_field",
        "message": "unknown field 'secret' at position 0",
        "details": {"position": 0, "expression": "secret == 'x'", "field": "secret"},
    }


# -- resolvers -------------------------------------------------------------------------------


def test_model_field_resolver():
    resolver = ModelFieldResolver(Product, hidden={"secret"})
    pk = Product._meta.pk
    assert resolver.resolve(("_id",)) == ("id", pk)
    assert resolver.resolve(("id",)) == ("id", pk)
    assert resolver.resolve(("name",)) == ("name", Product._meta.get_field("name"))
    assert resolver.resolve(("category",)) == ("category", Product._meta.get_field("category"))
    assert resolver.resolve(("category", "_id")) == ("category__id", Category._meta.pk)
    assert resolver.resolve(("category", "id")) == ("category__id", Category._meta.pk)
    for path in [("secret",), ("category", "name"), ("category", "products"), ("reviews",),
                 ("nope",), ("name", "x"), ("category_id",), ("a__b",), ("",), ()]:
        with pytest.raises(InvalidField):
            resolver.resolve(path)


def test_model_field_resolver_allowed_and_relations():
    categories = ModelFieldResolver(Category, allowed={"name"})
    resolver = ModelFieldResolver(
        Product, allowed={"name", "category"}, relations=lambda name: categories
        if name == "category" else None
    )
    assert resolver.resolve(("_id",))[0] == "id"
    assert resolver.resolve(("category", "name"))[0] == "category__name"
    assert resolver.resolve(("category", "_id"))[0] == "category__id"
    for path in [("quantity",), ("category", "code"), ("owner",), ("category", "name", "x")]:
        with pytest.raises(InvalidField):
            resolver.resolve(path)
    hidden_id = ModelFieldResolver(Product, hidden={"_id"})
    with pytest.raises(InvalidField):
        hidden_id.resolve(("_id",))


def test_base_resolver_refuses_everything():
    resolver = FieldResolver()
    with pytest.raises(InvalidField):
        resolver.resolve(("name",))
    with pytest.raises(InvalidField):
        resolver.resolve_lookup(("name",))
    assert "unknown field 'name'" in error_of("name == 1", resolver).message


def test_custom_resolver_lookup_scope():
    class Lookups(ModelFieldResolver):
        def resolve_lookup(self, path):
            return ModelFieldResolver(Category).resolve(path)

    resolver = Lookups(Product)
    q = compile_filter("this.name == lookup.name", resolver)
    assert isinstance(q, Q)


def test_resolver_errors_of_other_classes_get_a_position():
    class DataInvalidField(AgnostAPIError):
        default_code = "invalid_field"

    class Strict(FieldResolver):
        def resolve(self, path):
            raise DataInvalidField(f"{'.'.join(path)!r} is not readable.", details={"field": "x"})

    with pytest.raises(DataInvalidField) as excinfo:
        compile_filter("1 == 1 && name == 'a'", Strict())
    error = excinfo.value
    assert error.code == "invalid_field"
    assert error.message == "'name' is not readable at position 10"
    assert error.details == {"field": "x", "position": 10, "expression": "1 == 1 && name == 'a'"}
