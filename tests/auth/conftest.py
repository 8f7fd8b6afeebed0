"""Helpers for the auth tests: a client that remembers its session like the altogic client."""

from __future__ import annotations

import itertools
import re

import pytest
from django.core import mail

from agnost_django.auth import sms
from agnost_django.core.testing import AgnostAPIClient

API = "/_api/rest/v1/auth"
PASSWORD = "correct horse 42"
_phones = itertools.count(2530000)


def new_phone() -> str:
    return f"+1650{next(_phones):07d}"


class AuthClient(AgnostAPIClient):
    """An API client with a key that sends ``Session`` once it has signed in."""

    session_token: str | None = None

    def use_session(self, token: str | None) -> None:
        self.session_token = token
        extra = {"HTTP_SESSION": token} if token else {}
        self.credentials(HTTP_X_CLIENT="altogic-js", HTTP_X_CLIENT_KEY=self.client_key, **extra)

    def call(self, method: str, route: str, body=None, **extra):
        response = getattr(self, method)(f"{API}/{route}", body, format="json", **extra)
        data = response.json() if response.content else None
        if response.status_code == 200 and isinstance(data, dict) and data.get("session"):
            self.use_session(data["session"]["token"])
        return response

    def post_(self, route, body=None, **extra):
        return self.call("post", route, body, **extra)

    def get_(self, route, **extra):
        return self.call("get", route, None, **extra)


@pytest.fixture
def auth_client(db):
    sms.outbox.clear()
    return AuthClient()


@pytest.fixture
def client_factory(db):
    key = AuthClient().client_key

    def make():
        return AuthClient(client_key=key)

    return make


def last_code(phone: str) -> str:
    message = next(m for m in reversed(sms.outbox) if m.to == phone)
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def last_link(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    return re.search(r"https?://\S+/_auth/verify\?key=\S+", message.body).group(0)


def open_link(client, url: str) -> dict[str, str]:
    """Follow an emailed link; return the query of the redirect to the app."""
    from urllib.parse import parse_qsl, urlsplit

    response = client.get(url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://app.example.com/auth"
    return dict(parse_qsl(location.query))


def error_code(response) -> str:
    body = response.json()
    assert list(body) == ["errors"], body
    return body["errors"][0]["code"]
