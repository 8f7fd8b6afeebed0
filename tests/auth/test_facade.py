from __future__ import annotations

from agnost_django import agnost
from agnost_django.auth.users import create_user
from tests.auth.conftest import PASSWORD


def test_server_library_sessions(auth_client, db):
    user = create_user(email="srv@example.com", password=PASSWORD)
    created = agnost.auth.create_session(user.pk)
    assert created.ok
    token = created.data["session"]["token"]
    found = agnost.auth.get_user_from_session(token)
    assert found.data["user"]["email"] == "srv@example.com"
    assert found.data["session"]["token"] == token
    auth_client.use_session(token)
    assert auth_client.get_("user").status_code == 200
    listed = agnost.auth.list_sessions(user).data
    assert len(listed) == 1 and token not in str(listed)
    assert agnost.auth.revoke_session(user, listed[0]["id"]).ok
    assert agnost.auth.get_user_from_session(token).errors.items[0].code == "invalid_session_token"
    agnost.auth.create_session(user)
    agnost.auth.create_session(user)
    assert agnost.auth.revoke_all_sessions(user).data == 2


def test_server_library_errors(db):
    result = agnost.auth.get_user(999999)
    assert result.errors.status == 404 and result.errors.items[0].code == "user_not_found"
    assert agnost.auth.get_user_from_session("nope").errors.items[0].code == "invalid_session_token"
    user = create_user(email="x@example.com", password=PASSWORD)
    assert agnost.auth.revoke_session(user, "not-a-session").errors.items[0].code == "session_not_found"
    assert agnost.auth.get_user(user).data["email"] == "x@example.com"
