"""Lean calls (``agnost_django.core.calls``) stand aside wherever DRF's dispatch would do more
than their one course: the host's throttle or permission classes for the module, other
authentication classes, a test's forced authentication. (Their answers equal DRF's: the
served comparison is in ``test_direct_lane.py``.)"""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.permissions import BasePermission

from agnost_django.core import calls
from tests.data.conftest import DataClient

pytestmark = pytest.mark.django_db


class NoOne(BasePermission):
    message = "Closed for the test."

    def has_permission(self, request, view):
        return False


@pytest.fixture
def dc(db):
    return DataClient()


@pytest.fixture
def taken(monkeypatch):
    """The calls that took the lean course (observed, not replaced)."""
    seen = []
    dispatch = calls.dispatch

    def observed(view, request):
        seen.append(request.path)
        return dispatch(view, request)

    monkeypatch.setattr(calls, "dispatch", observed)
    return seen


def get_list(client):
    return client.db("get-list", {"model": "categories", "query": None})


def test_a_plain_call_is_lean(dc, taken):
    assert get_list(dc).status_code == 200
    assert taken == ["/_api/rest/v1/db/get-list"]


def test_the_hosts_throttles_and_permissions_are_drfs(dc, taken):
    with override_settings(AGNOST_DATA_THROTTLE_CLASSES=["tests.core.throttles.TwoPerMinute"]):
        assert [get_list(dc).status_code for _call in range(3)] == [200, 200, 429]
    with override_settings(AGNOST_DATA_PERMISSION_CLASSES=["tests.core.test_lean_calls.NoOne"]):
        refused = get_list(dc)  # DRF's answer to a refusal without an authenticated user
        assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "not_authenticated"
    assert taken == []
    assert get_list(dc).status_code == 200
    assert len(taken) == 1


def test_other_authentication_and_forced_authentication_are_drfs(dc, taken, user_factory):
    with override_settings(AGNOST_CORE_AUTHENTICATION_CLASSES=[
            "agnost_django.auth.authentication.SessionTokenAuthentication"]):
        assert get_list(dc).status_code == 200
    forced = DataClient(client_key=dc.client_key)
    forced.force_authenticate(user_factory(email="forced@example.com"))
    assert get_list(forced).status_code == 200
    assert taken == []
    assert get_list(dc).status_code == 200
    assert len(taken) == 1


def test_lean_calls_off(dc, taken):
    with override_settings(AGNOST_CORE_LEAN_CALLS=False):
        assert get_list(dc).status_code == 200
    assert taken == []
