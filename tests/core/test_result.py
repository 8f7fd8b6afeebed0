from __future__ import annotations

import pytest

from agnost_django.core.exceptions import ResourceNotFound
from agnost_django.core.result import AgnostError, Result, returns_result


def test_success():
    result = Result.success({"a": 1})
    data, errors = result
    assert data == {"a": 1} and errors is None
    assert result and result.ok
    assert result.unwrap() == {"a": 1}
    assert result.to_dict() == {"data": {"a": 1}, "errors": None}


def test_failure_shape_matches_the_client():
    result = Result.failure(ResourceNotFound("no such thing", details={"id": 3}))
    assert not result and not result.ok
    assert result.to_dict() == {
        "data": None,
        "errors": {
            "status": 404,
            "statusText": "Not Found",
            "items": [{"origin": "client_error", "code": "resource_not_found",
                       "message": "no such thing", "details": {"id": 3}}],
        },
    }
    with pytest.raises(AgnostError, match="resource_not_found: no such thing") as excinfo:
        result.unwrap()
    assert excinfo.value.errors.status == 404


def test_returns_result_converts_only_agnost_errors():
    @returns_result
    def works():
        return 5

    @returns_result
    def refuses():
        raise ResourceNotFound()

    @returns_result
    def crashes():
        raise ZeroDivisionError

    assert works() == Result(5, None)
    assert refuses().errors.items[0].code == "resource_not_found"
    with pytest.raises(ZeroDivisionError):
        crashes()


