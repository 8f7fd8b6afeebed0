"""Brute force, throttles, and secrets never kept or logged in clear."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from agnost_django.auth.models import AuthProfile
from tests.auth.conftest import PASSWORD, error_code, last_code, last_link, new_phone, open_link


def test_fifty_wrong_passwords_are_throttled_and_lock_the_account(auth_client, client_factory, settings):
    settings.AGNOST_AUTH_THROTTLE_RATES = {"sign_in": "20/min"}
    settings.AGNOST_AUTH_LOCKOUT_THRESHOLD = 10
    auth_client.post_("signup-email", {"email": "victim@example.com", "password": PASSWORD})
    attacker = client_factory()
    codes = [
        error_code(attacker.post_("signin-email", {"email": "victim@example.com", "password": f"guess{i}"},
                                  REMOTE_ADDR="203.0.113.9"))
        for i in range(50)
    ]
    assert codes[:10] == ["invalid_sign_in_credentials"] * 10
    assert codes[10:20] == ["account_locked"] * 10  # locked after the 10th failure
    assert codes[20:] == ["rate_limit_exceeded"] * 30  # this client is throttled after 20
    # The documented rule: a locked account refuses even the right password, from anywhere,
    # until the lock expires (or the password is reset).
    owner = client_factory()
    response = owner.post_("signin-email", {"email": "victim@example.com", "password": PASSWORD},
                           REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 403 and error_code(response) == "account_locked"
    assert response.json()["errors"][0]["details"]["retryAfter"] > 0
    AuthProfile.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert owner.post_("signin-email", {"email": "victim@example.com", "password": PASSWORD},
                       REMOTE_ADDR="198.51.100.7").status_code == 200


def test_a_password_reset_unlocks(auth_client, client_factory, settings):
    settings.AGNOST_AUTH_LOCKOUT_THRESHOLD = 3
    auth_client.post_("signup-email", {"email": "l@example.com", "password": PASSWORD})
    for _ in range(3):
        auth_client.post_("signin-email", {"email": "l@example.com", "password": "nope"})
    assert AuthProfile.objects.get().is_locked
    auth_client.post_("send-reset?email=l@example.com")
    key = open_link(auth_client, last_link("l@example.com"))["access_token"]
    auth_client.post_(f"reset-pwd?key={key}", {"newPassword": "brand new pass 7"})
    assert not AuthProfile.objects.get().is_locked
    assert client_factory().post_("signin-email", {"email": "l@example.com", "password": "brand new pass 7"}).status_code == 200


def test_sign_up_and_sending_routes_are_throttled(auth_client, settings):
    settings.AGNOST_AUTH_THROTTLE_RATES = {"sign_up": "2/min", "send": "2/min"}
    for i in range(2):
        assert auth_client.post_("signup-email", {"email": f"t{i}@example.com", "password": PASSWORD}).status_code == 200
    assert error_code(auth_client.post_("signup-email", {"email": "t9@example.com", "password": PASSWORD})) == "rate_limit_exceeded"
    for _ in range(2):
        assert auth_client.post_("send-reset?email=t0@example.com").status_code == 200
    response = auth_client.post_("send-magic?email=t0@example.com")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def all_table_values() -> list[str]:
    with connection.cursor() as cursor:
        values = []
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            values.extend(str(value) for row in cursor.fetchall() for value in row)
    return values


def test_no_secret_is_stored_or_logged_in_clear(auth_client, client_factory, settings, caplog):
    settings.AGNOST_AUTH_PHONE_CONFIRMATION = True
    caplog.set_level(logging.DEBUG)
    secrets = [PASSWORD]
    body = auth_client.post_("signup-email", {"email": "sec@example.com", "password": PASSWORD}).json()
    secrets.append(body["session"]["token"])
    phone = new_phone()
    client_factory().post_("signup-phone", {"phone": phone, "password": PASSWORD})
    code = last_code(phone)
    auth_client.post_("send-magic?email=sec@example.com")
    link = last_link("sec@example.com")
    secrets.append(link.rsplit("key=", 1)[1])
    grant = open_link(auth_client, link)["access_token"]
    secrets.append(grant)
    secrets.append(auth_client.get_(f"grant?key={grant}").json()["session"]["token"])
    values = all_table_values()
    stored = "\n".join(values)
    logged = caplog.text
    for secret in secrets:
        assert secret not in stored, f"{secret[:8]}… is stored in clear"
        assert secret not in logged, f"{secret[:8]}… was logged"
    # Six digits can occur by chance inside timestamps or hashes: no column holds the code.
    assert code not in values and f"is {code}" not in logged
