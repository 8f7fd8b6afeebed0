"""Sign-up and sign-in by email and phone, with confirmation switched on and off."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from agnost_django.auth import sms
from agnost_django.auth.models import AuthProfile, Session
from tests.auth.conftest import PASSWORD, error_code, last_code, last_link, new_phone, open_link

pytestmark = pytest.mark.user_models


def assert_user_shape(user: dict) -> None:
    for field in ("_id", "provider", "providerUserId", "signUpAt", "lastLoginAt"):
        assert isinstance(user[field], str) and user[field]
    assert isinstance(user["emailVerified"], bool) and isinstance(user["phoneVerified"], bool)
    assert "password" not in user


def assert_session_shape(session: dict) -> None:
    assert session["token"].startswith("ast_")
    assert isinstance(session["creationDtm"], str) and session["accessGroupKeys"] == []
    agent = session["userAgent"]
    for part in (agent, agent["device"], agent["os"]):
        assert {"family", "major", "minor", "patch"} <= set(part)
        assert all(isinstance(part[k], str) for k in ("family", "major", "minor", "patch"))


def test_email_sign_up_without_confirmation(auth_client, settings):
    settings.AGNOST_AUTH_EMAIL_CONFIRMATION = False
    response = auth_client.post_(
        "signup-email", {"email": " Ada@Example.COM ", "password": PASSWORD,
                         "nameOrUserData": {"name": "Ada", "plan": "pro", "emailVerified": True}},
        HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.51 Safari/537.36",
    )
    assert response.status_code == 200
    body = response.json()
    assert_user_shape(body["user"])
    assert_session_shape(body["session"])
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["name"] == "Ada" and body["user"]["plan"] == "pro"
    assert body["user"]["provider"] == "altogic" and body["user"]["providerUserId"] == body["user"]["_id"]
    assert body["user"]["emailVerified"] is False  # a client cannot verify itself
    assert body["session"]["userAgent"]["family"] == "Chrome"
    assert body["session"]["userAgent"]["major"] == "99"
    assert body["session"]["userAgent"]["os"]["family"] == "Windows"
    assert response.cookies["session_token"].value == body["session"]["token"]
    assert response.cookies["session_token"]["httponly"]
    me = auth_client.get_("user").json()
    assert me["_id"] == body["user"]["_id"]


def test_email_sign_up_with_confirmation(auth_client, settings):
    settings.AGNOST_AUTH_EMAIL_CONFIRMATION = True
    response = auth_client.post_("signup-email", {"email": "bo@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["session"] is None
    assert response.json()["user"]["emailVerified"] is False
    assert error_code(auth_client.post_("signin-email", {"email": "bo@example.com", "password": PASSWORD})) == "email_not_verified"
    # resend voids the first link
    first = last_link("bo@example.com")
    assert auth_client.post_("resend?email=bo@example.com").status_code == 200
    second = last_link("bo@example.com")
    assert first != second
    assert open_link(auth_client, first)["code"] == "invalid_access_token"
    query = open_link(auth_client, second)
    assert query["action"] == "email-confirm" and query["status"] == "200"
    grant = auth_client.get_(f"grant?key={query['access_token']}")
    assert grant.status_code == 200 and grant.json()["user"]["emailVerified"] is True
    assert auth_client.post_("signin-email", {"email": "bo@example.com", "password": PASSWORD}).status_code == 200
    mails = len(mail.outbox)
    assert auth_client.post_("resend?email=bo@example.com").status_code == 200  # verified: silent
    assert len(mail.outbox) == mails


def test_resend_when_confirmation_is_off(auth_client, settings):
    settings.AGNOST_AUTH_EMAIL_CONFIRMATION = False
    settings.AGNOST_AUTH_PHONE_CONFIRMATION = False
    assert error_code(auth_client.post_("resend?email=x@example.com")) == "email_verification_disabled"
    assert error_code(auth_client.post_("resend-code?phone=%2B16502539999")) == "phone_verification_disabled"


def test_phone_sign_up_with_and_without_confirmation(auth_client, client_factory, settings):
    settings.AGNOST_AUTH_PHONE_CONFIRMATION = True
    phone = new_phone()
    body = auth_client.post_("signup-phone", {"phone": phone, "password": PASSWORD, "nameOrUserData": "Cy"}).json()
    assert body["session"] is None and body["user"]["phone"] == phone and body["user"]["name"] == "Cy"
    assert error_code(auth_client.post_("signin-phone", {"phone": phone, "password": PASSWORD})) == "phone_not_verified"
    assert auth_client.post_(f"resend-code?phone={phone.replace('+', '%2B')}").status_code == 200
    code = last_code(phone)
    verified = auth_client.post_(f"verify-phone?code={code}&phone={phone.replace('+', '%2B')}")
    assert verified.status_code == 200
    assert verified.json()["user"]["phoneVerified"] is True and verified.json()["session"]["token"]
    assert error_code(auth_client.post_(f"verify-phone?code={code}&phone={phone.replace('+', '%2B')}")) == "invalid_access_token"
    assert client_factory().post_("signin-phone", {"phone": phone, "password": PASSWORD}).status_code == 200

    settings.AGNOST_AUTH_PHONE_CONFIRMATION = False
    other = new_phone()
    body = client_factory().post_("signup-phone", {"phone": other, "password": PASSWORD}).json()
    assert body["session"]["token"] and body["user"]["phoneVerified"] is False


def test_duplicates_and_malformed_input_change_nothing(auth_client):
    User = get_user_model()
    assert auth_client.post_("signup-email", {"email": "dup@example.com", "password": PASSWORD}).status_code == 200
    count = User.objects.count()
    other = type(auth_client)(client_key=auth_client.client_key)
    assert error_code(other.post_("signup-email", {"email": "DUP@example.com", "password": PASSWORD})) == "email_not_unique"
    response = other.post_("signup-email", {"email": "not-an-email", "password": PASSWORD})
    assert response.status_code == 400 and error_code(response) == "invalid_email_address"
    response = other.post_("signup-phone", {"phone": "12", "password": PASSWORD})
    assert response.status_code == 400 and error_code(response) == "invalid_phone_number"
    response = other.post_("signup-email", {"email": "weak@example.com", "password": "123"})
    assert error_code(response) == "invalid_password"
    assert response.json()["errors"][0]["details"]["field"] == "password"
    assert error_code(other.post_("signup-email", {"email": "nopw@example.com"})) == "validation_error"
    assert error_code(other.post_("signup-email", {"email": "n@example.com", "password": PASSWORD, "nameOrUserData": 5})) == "validation_error"
    assert User.objects.count() == count


def test_sign_in_errors(auth_client, user_factory):
    auth_client.post_("signup-email", {"email": "si@example.com", "password": PASSWORD})
    for email, password in (("si@example.com", "wrong"), ("nobody@example.com", PASSWORD)):
        response = auth_client.post_("signin-email", {"email": email, "password": password})
        assert response.status_code == 401 and error_code(response) == "invalid_sign_in_credentials"
    user = get_user_model().objects.get(email="si@example.com")
    user.is_active = False
    user.save()
    assert error_code(auth_client.post_("signin-email", {"email": "si@example.com", "password": PASSWORD})) == "invalid_sign_in_credentials"


def test_oauth_accounts_cannot_sign_in_with_a_password(auth_client):
    from agnost_django.auth.users import create_user

    create_user(email="oauth@example.com", provider="google", provider_user_id="g-1", email_verified=True)
    response = auth_client.post_("signin-email", {"email": "oauth@example.com", "password": PASSWORD})
    assert error_code(response) == "invalid_provider_sign_in"


def test_disabled_methods(auth_client, settings):
    settings.AGNOST_AUTH_PHONE_ENABLED = False
    response = auth_client.post_("signup-phone", {"phone": new_phone(), "password": PASSWORD})
    assert response.status_code == 403 and error_code(response) == "not_allowed"
    settings.AGNOST_AUTH_SIGN_IN_CODES = False
    settings.AGNOST_AUTH_PHONE_ENABLED = True
    assert error_code(auth_client.post_("send-code?phone=%2B16502531111")) == "sms_auth_codes_disabled"


def test_sign_up_closed_by_the_adapter(auth_client, settings):
    settings.AGNOST_AUTH_ADAPTER = "tests.auth.adapters.ClosedAdapter"
    response = auth_client.post_("signup-email", {"email": "closed@example.com", "password": PASSWORD})
    assert error_code(response) == "not_allowed"
    assert not AuthProfile.objects.exists() and not Session.objects.exists()


def test_sign_in_with_code(auth_client, client_factory, settings):
    settings.AGNOST_AUTH_PHONE_CONFIRMATION = True
    phone = new_phone()
    auth_client.post_("signup-phone", {"phone": phone, "password": PASSWORD})
    encoded = phone.replace("+", "%2B")
    # Not confirmed yet while confirmation is on: the send succeeds silently, sends nothing.
    before = len(sms.outbox)
    assert auth_client.post_(f"send-code?phone={encoded}").status_code == 200
    assert len(sms.outbox) == before
    AuthProfile.objects.filter(phone=phone).update(phone_verified=True)
    assert auth_client.post_(f"send-code?phone={encoded}").status_code == 200
    code = last_code(phone)
    other = client_factory()
    assert error_code(other.post_(f"signin-code?code=000000&phone={encoded}")) in ("invalid_access_token",)
    response = other.post_(f"signin-code?code={code}&phone={encoded}")
    assert response.status_code == 200 and response.json()["user"]["phone"] == phone
    assert error_code(other.post_(f"signin-code?code={code}&phone={encoded}")) == "invalid_access_token"
    assert error_code(other.post_(f"signin-code?phone={encoded}")) == "missing_sms_code"


def test_sign_in_code_proves_an_unconfirmed_phone_when_confirmation_is_off(auth_client, client_factory, settings):
    settings.AGNOST_AUTH_PHONE_CONFIRMATION = False
    phone = new_phone()
    auth_client.post_("signup-phone", {"phone": phone, "password": PASSWORD})
    encoded = phone.replace("+", "%2B")
    assert auth_client.post_(f"send-code?phone={encoded}").status_code == 200
    response = client_factory().post_(f"signin-code?code={last_code(phone)}&phone={encoded}")
    assert response.status_code == 200 and response.json()["user"]["phoneVerified"] is True
