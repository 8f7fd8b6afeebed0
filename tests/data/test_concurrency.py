"""Field updates are single UPDATE statements: concurrent increments never lose one."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from agnost_django import agnost
from tests.dataapp.models import Product


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_increments_end_at_plus_fifty():
    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite database is private to one connection; the services pass runs this")
    product = Product.objects.create(name="counter", quantity=7)
    barrier = threading.Barrier(50)

    def bump(_):
        try:
            barrier.wait()
            return agnost.db().model("products").update_fields_by_id(
                product.pk, [{"field": "quantity", "updateType": "increment", "value": 1}]).unwrap()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(bump, range(50)))
    assert len(results) == 50
    product.refresh_from_db()
    assert product.quantity == 57
