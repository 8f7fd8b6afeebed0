"""Sessions: header and cookie, revocation, expiry, inactive users, sign-out variants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from agnost_django.auth.models import Session
from tests.auth.conftest import PASSWORD, error_code

pytestmark = pytest.mark.user_models


@pytest.fixture
def signed_in(auth_client, client_factory):
    """Two clients signed in to one account."""
    auth_client.post_("signup-email", {"email": "s@example.com", "password": PASSWORD})
    second = client_factory()
    second.post_("signin-email", {"email": "s@example.com", "password": PASSWORD})
    return auth_client, second


def test_missing_and_invalid_session(auth_client):
    response = auth_client.get_("user")
    assert response.status_code == 401 and error_code(response) == "missing_session_token"
    auth_client.use_session("ast_not-a-session")
    response = auth_client.get_("user")
    assert response.status_code == 401 and error_code(response) == "invalid_session_token"
    # Routes that need no session ignore a bad one.
    assert auth_client.post_("signup-email", {"email": "ok@example.com", "password": PASSWORD}).status_code == 200


def test_cookie_works_and_the_header_wins(signed_in):
    first, second = signed_in
    cookie_client = APIClient()
    cookie_client.credentials(HTTP_X_CLIENT_KEY=first.client_key)
    cookie_client.cookies["session_token"] = first.session_token
    assert cookie_client.get("/_api/rest/v1/auth/user").status_code == 200
    cookie_client.credentials(HTTP_X_CLIENT_KEY=first.client_key, HTTP_SESSION="ast_bad")
    assert error_code(cookie_client.get("/_api/rest/v1/auth/user")) == "invalid_session_token"


def test_sessions_listing_shows_only_the_callers_token(signed_in):
    first, second = signed_in
    sessions = first.get_("sessions").json()
    assert len(sessions) == 2
    mine = [s for s in sessions if s["token"] == first.session_token]
    other = [s for s in sessions if s["token"] != first.session_token]
    assert len(mine) == 1 and len(other) == 1
    assert other[0]["token"] == other[0]["id"]  # the public id, not a credential
    assert second.session_token not in str(sessions)


def test_sign_out_current_and_other(signed_in, client_factory):
    first, second = signed_in
    other_id = next(s["id"] for s in first.get_("sessions").json() if s["token"] != first.session_token)
    response = first.post_("signout", {"token": "ast_unknown"})
    assert response.status_code == 404 and error_code(response) == "session_not_found"
    assert first.get_("user").status_code == 200  # not invalidated
    assert first.post_("signout", {"token": other_id}).status_code == 200
    assert error_code(second.get_("user")) == "invalid_session_token"
    response = first.post_("signout", {})
    assert response.status_code == 200 and response.cookies["session_token"].value == ""
    assert error_code(first.get_("user")) == "invalid_session_token"


def test_sign_out_by_token(signed_in):
    first, second = signed_in
    assert first.post_("signout", {"token": second.session_token}).status_code == 200
    assert error_code(second.get_("user")) == "invalid_session_token"


def test_sign_out_all_and_all_except(signed_in, client_factory):
    first, second = signed_in
    third = client_factory()
    third.post_("signin-email", {"email": "s@example.com", "password": PASSWORD})
    assert first.post_("signout-all-except").status_code == 200
    assert first.get_("user").status_code == 200
    assert error_code(second.get_("user")) == error_code(third.get_("user")) == "invalid_session_token"
    assert first.post_("signout-all").status_code == 200
    assert error_code(first.get_("user")) == "invalid_session_token"
    assert not Session.objects.exists()


def test_deactivated_or_deleted_user_loses_sessions_at_once(signed_in):
    first, second = signed_in
    user = get_user_model().objects.get(email="s@example.com")
    user.is_active = False
    user.save()
    assert error_code(first.get_("user")) == "invalid_session_token"
    user.is_active = True
    user.save()
    assert first.get_("user").status_code == 200
    user.delete()
    assert error_code(second.get_("user")) == "invalid_session_token"


def test_expiry_and_sliding_renewal(signed_in, settings):
    first, _second = signed_in
    session = Session.objects.order_by("created_at").first()  # the first client's
    # Used more than a minute later: the expiry moves forward (sliding). Saved through the
    # model, whose signal drops the cached session, as any change of a session does.
    session.last_used_at = timezone.now() - timedelta(minutes=5)
    session.expires_at = timezone.now() + timedelta(hours=1)
    session.save()
    assert first.get_("user").status_code == 200
    session.refresh_from_db()
    assert session.expires_at > timezone.now() + timedelta(days=29)
    session.expires_at = timezone.now() - timedelta(seconds=1)
    session.save()
    assert error_code(first.get_("user")) == "invalid_session_token"


def test_without_sliding_the_expiry_stays(signed_in, settings):
    settings.AGNOST_AUTH_SESSION_SLIDING = False
    first, _second = signed_in
    session = Session.objects.order_by("created_at").first()
    expiry = timezone.now() + timedelta(hours=1)
    session.last_used_at, session.expires_at = timezone.now() - timedelta(minutes=5), expiry
    session.save()
    assert first.get_("user").status_code == 200
    session.refresh_from_db()
    assert session.expires_at == expiry


@pytest.mark.urls("tests.urls")
def test_a_host_view_can_use_agnost_sessions(signed_in):
    first, _second = signed_in
    client = APIClient()
    # A plain DRF view renders errors the host's way; the status and code are ours.
    response = client.get("/host/whoami")
    assert response.status_code == 401
    assert response.data["detail"].code == "missing_session_token"
    client.credentials(HTTP_SESSION=first.session_token)
    body = client.get("/host/whoami").json()
    assert body["user"] == get_user_model().objects.get(email="s@example.com").pk


def test_sessions_come_from_the_cache_and_revocation_applies_at_once(signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, second = signed_in
    assert first.get_("user").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert first.get_("user").status_code == 200
    # The key and the session come from the cache; only the user's profile is read.
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert len(queries) == 1 and "agnost_auth_session" not in tables and "clientkey" not in tables
    assert second.post_("signout-all-except", {}).status_code == 200  # revokes the first's session
    assert error_code(first.get_("user")) == "invalid_session_token"
    assert second.get_("user").status_code == 200


def test_a_deactivated_user_is_refused_at_once(signed_in, django_user_model):
    first, _second = signed_in
    assert first.get_("user").status_code == 200
    user = django_user_model.objects.get(email="s@example.com")
    user.is_active = False
    user.save()
    assert error_code(first.get_("user")) == "invalid_session_token"
