"""Magic links, password resets, email/phone changes: single use, expiry, attempts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from agnost_django.auth import sms
from agnost_django.auth.conf import auth_settings
from agnost_django.auth.models import AuthToken, Session
from tests.auth.conftest import PASSWORD, error_code, last_code, last_link, new_phone, open_link

pytestmark = pytest.mark.user_models
NEW_PASSWORD = "another horse 43"


@pytest.fixture
def account(auth_client, settings):
    settings.AGNOST_AUTH_EMAIL_CONFIRMATION = False
    settings.AGNOST_AUTH_PHONE_CONFIRMATION = False
    phone = new_phone()
    auth_client.post_("signup-email", {"email": "m@example.com", "password": PASSWORD})
    auth_client.post_("change-phone", {"currentPassword": PASSWORD, "newPhone": phone})
    return auth_client, phone


def test_magic_link_and_grant_are_single_use(account, client_factory):
    client, _phone = account
    other = client_factory()
    assert other.post_("send-magic?email=m@example.com").status_code == 200
    query = open_link(other, last_link("m@example.com"))
    assert query["action"] == "magic-link" and query["status"] == "200"
    response = other.get_(f"grant?key={query['access_token']}")
    assert response.status_code == 200 and response.json()["session"]["token"]
    replay = other.get_(f"grant?key={query['access_token']}")
    assert replay.status_code == 403 and error_code(replay) == "invalid_access_token"
    assert open_link(other, last_link("m@example.com"))["code"] == "invalid_access_token"
    assert error_code(other.get_("grant?key=")) == "missing_access_token"


def test_unknown_addresses_get_the_same_answer_and_no_mail(account):
    client, _phone = account
    before = len(mail.outbox), len(sms.outbox)
    for route in ("send-magic?email=ghost@example.com", "send-reset?email=ghost@example.com",
                  "send-reset-code?phone=%2B16502539876", "send-code?phone=%2B16502539876"):
        response = client.post_(route)
        assert response.status_code == 200, route
    assert (len(mail.outbox), len(sms.outbox)) == before


def test_expired_link(account):
    client, _phone = account
    client.post_("send-reset?email=m@example.com")
    AuthToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    query = open_link(client, last_link("m@example.com"))
    assert query == {"status": "403", "code": "invalid_access_token", "error": query["error"]}


def test_reset_password_by_email_signs_out_everywhere(account, client_factory):
    client, _phone = account
    assert client.post_("send-reset?email=m@example.com").status_code == 200
    query = open_link(client, last_link("m@example.com"))
    assert query["action"] == "reset-pwd"
    reset_key = query["access_token"]
    # The reset key is not a sign-in grant.
    assert error_code(client.get_(f"grant?key={reset_key}")) == "invalid_token_type"
    # A refused password does not use the key up.
    assert error_code(client.post_(f"reset-pwd?key={reset_key}", {"newPassword": "123"})) == "invalid_password"
    assert client.post_(f"reset-pwd?key={reset_key}", {"newPassword": NEW_PASSWORD}).status_code == 200
    assert error_code(client.post_(f"reset-pwd?key={reset_key}", {"newPassword": NEW_PASSWORD})) == "invalid_access_token"
    assert error_code(client.get_("user")) == "invalid_session_token"
    fresh = client_factory()
    assert fresh.post_("signin-email", {"email": "m@example.com", "password": NEW_PASSWORD}).status_code == 200


def test_reset_password_by_code_and_attempt_limit(account, settings):
    client, phone = account
    encoded = phone.replace("+", "%2B")
    client.post_(f"send-reset-code?phone={encoded}")
    code = last_code(phone)
    for _ in range(auth_settings.CODE_MAX_ATTEMPTS):
        wrong = "000000" if code != "000000" else "111111"
        response = client.post_(f"reset-pwd-code?phone={encoded}&code={wrong}", {"newPassword": NEW_PASSWORD})
        assert error_code(response) == "invalid_access_token"
    # Too many wrong guesses: even the right code is void now.
    response = client.post_(f"reset-pwd-code?phone={encoded}&code={code}", {"newPassword": NEW_PASSWORD})
    assert error_code(response) == "invalid_access_token"
    client.post_(f"send-reset-code?phone={encoded}")
    code = last_code(phone)
    assert client.post_(f"reset-pwd-code?phone={encoded}&code={code}", {"newPassword": NEW_PASSWORD}).status_code == 200
    assert client.post_("signin-phone", {"phone": phone, "password": NEW_PASSWORD}).status_code == 200


def test_change_password(account, client_factory):
    client, _phone = account
    other = client_factory()
    other.post_("signin-email", {"email": "m@example.com", "password": PASSWORD})
    response = client.post_("change-pwd", {"newPassword": NEW_PASSWORD, "oldPassword": "wrong"})
    assert response.status_code == 401 and error_code(response) == "invalid_credentials"
    assert client.get_("user").status_code == 200  # not an invalidating code
    assert error_code(client.post_("change-pwd", {"newPassword": "1", "oldPassword": PASSWORD})) == "invalid_password"
    assert client.post_("change-pwd", {"newPassword": NEW_PASSWORD, "oldPassword": PASSWORD}).status_code == 200
    assert client.get_("user").status_code == 200  # this session stays
    assert error_code(other.get_("user")) == "invalid_session_token"  # others are signed out


def test_change_email_without_and_with_confirmation(account, settings):
    client, _phone = account
    body = client.post_("change-email", {"currentPassword": PASSWORD, "newEmail": "n@example.com"}).json()
    assert body["email"] == "n@example.com"
    settings.AGNOST_AUTH_EMAIL_CONFIRMATION = True
    body = client.post_("change-email", {"currentPassword": PASSWORD, "newEmail": "o@example.com"}).json()
    assert body["email"] == "n@example.com"  # unchanged until the link is opened
    query = open_link(client, last_link("o@example.com"))
    assert query == {"action": "change-email", "status": "200"}
    me = client.get_("user").json()
    assert me["email"] == "o@example.com" and me["emailVerified"] is True
    assert error_code(client.post_("change-email", {"currentPassword": "x", "newEmail": "p@example.com"})) == "invalid_credentials"


def test_change_email_to_a_taken_address(account, client_factory):
    client, _phone = account
    client_factory().post_("signup-email", {"email": "taken@example.com", "password": PASSWORD})
    response = client.post_("change-email", {"currentPassword": PASSWORD, "newEmail": "taken@example.com"})
    assert error_code(response) == "email_not_unique"


def test_change_phone_with_confirmation(account, settings, client_factory):
    client, phone = account
    settings.AGNOST_AUTH_PHONE_CONFIRMATION = True
    new = new_phone()
    body = client.post_("change-phone", {"currentPassword": PASSWORD, "newPhone": new}).json()
    assert body["phone"] == phone
    code = last_code(new)
    response = client.post_(f"verify-phone?code={code}&phone={new.replace('+', '%2B')}")
    assert response.status_code == 200
    assert response.json()["session"] is None and response.json()["user"]["phone"] == new
    assert response.json()["user"]["phoneVerified"] is True
    taken = new_phone()
    client_factory().post_("signup-phone", {"phone": taken, "password": PASSWORD})
    assert error_code(client.post_("change-phone", {"currentPassword": PASSWORD, "newPhone": taken})) == "phone_not_unique"


def test_a_failing_delivery_is_reported_and_voids_the_secret(account, settings):
    client, phone = account
    settings.AGNOST_AUTH_SMS_BACKEND = "tests.auth.backends.BrokenSMS"
    response = client.post_(f"send-reset-code?phone={phone.replace('+', '%2B')}")
    assert response.status_code == 503 and error_code(response) == "cannot_send_sms_code"
    assert not AuthToken.objects.filter(used_at__isnull=True, purpose="reset-pwd-code").exists()
    settings.EMAIL_BACKEND = "tests.auth.backends.BrokenMail"
    response = client.post_("send-magic?email=m@example.com")
    assert response.status_code == 503 and error_code(response) == "cannot_send_auth_email"


def test_link_landing_without_key(auth_client):
    response = auth_client.get("/_auth/verify")
    assert response.status_code == 302
    assert "code=missing_access_token" in response["Location"] and "status=400" in response["Location"]
    assert Session.objects.count() == 0
