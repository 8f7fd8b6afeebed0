from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from agnost_django.core.testing import AgnostAPIClient
from tests.dataapp.models import Category, Product, Review

API = "/_api/rest/v1/db"


class DataClient(AgnostAPIClient):
    def db(self, route: str, body: dict | None = None, **extra):
        return self.post(f"{API}/{route}", body or {}, format="json", **extra)


def query(**parts):
    base = {"expression": None, "lookups": None, "page": None, "limit": None, "sort": None, "omit": None, "group": None}
    base.update(parts)
    return base


@pytest.fixture
def dc(db):
    return DataClient()


@pytest.fixture
def catalog(db):
    tools = Category.objects.create(name="Tools", code="T")
    toys = Category.objects.create(name="Toys", code="Y")
    when = timezone.make_aware(datetime.datetime(2022, 6, 1, 12, 0))
    products = [
        Product.objects.create(name="hammer", description="a heavy steel hammer", quantity=150, price=Decimal("19.90"),
                               weight=1.5, category=tools, tags=["metal", "heavy"], released_at=when, secret="s1"),
        Product.objects.create(name="ball", description="a red plastic ball", quantity=20, price=Decimal("4.50"),
                               weight=0.2, category=toys, tags=["plastic"], secret="s2"),
        Product.objects.create(name="saw", description="steel saw for wood", quantity=120, price=Decimal("25.00"),
                               weight=None, category=tools, in_stock=False, secret="s3"),
        Product.objects.create(name="kite", description="", quantity=0, price=Decimal("9.99"), weight=0.3,
                               category=None, secret="s4"),
    ]
    Review.objects.create(product=products[0], rating=5, text="great")
    Review.objects.create(product=products[0], rating=3, text="ok")
    return {"tools": tools, "toys": toys, "products": products}


@pytest.fixture
def client_factory_with_session(db):
    """``make(email) -> (client, user)``: a client with a key and a signed-in session."""
    from agnost_django import agnost
    from agnost_django.auth.users import create_user

    key = DataClient().client_key

    def make(email: str):
        user = create_user(email=email, password="correct horse 42")
        token = agnost.auth.create_session(user).data["session"]["token"]
        client = DataClient(client_key=key)
        client.credentials(HTTP_X_CLIENT_KEY=key, HTTP_SESSION=token)
        return client, user

    return make
