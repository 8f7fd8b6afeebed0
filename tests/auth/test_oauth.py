"""OAuth / OpenID Connect sign-in against a real provider: django-oauth-toolkit served by
``live_server``, so discovery, the token exchange and userinfo go over real HTTP.

The browser is a Django test ``Client`` signed in to the provider as its end user; it
follows each redirect by hand (start → provider's authorize page → our callback) and sends
the live server's ``Host`` so that the callback URL we build is the registered one.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.cache import caches
from django.test import Client
from oauth2_provider.models import Application

from agnost_django.auth import oauth, signals, users
from agnost_django.auth.adapter import DefaultAuthAdapter
from agnost_django.auth.models import AuthProfile, OAuthProvider
from agnost_django.core.testing import AgnostAPIClient
from tests.auth.oauth_provider import (
    create_account,
    provider_settings,
    rsa_private_key_pem,
)

pytestmark = [pytest.mark.urls("tests.urls_oauth"), pytest.mark.user_models]

APP_URL = "https://app.example.com/auth"
PROVIDER = "local"
CLIENT_ID = "agnost-test-client"
CLIENT_SECRET = "agnost-test-secret"  # DOT stores only a hash; this is the plaintext


class ClosedSignupAdapter(DefaultAuthAdapter):
    def is_open_for_signup(self, request, *, email, phone):
        return False


@pytest.fixture(scope="session")
def oidc_private_key() -> str:
    return rsa_private_key_pem()


@pytest.fixture
def oidc(live_server, settings, oidc_private_key) -> Application:
    """DOT as a live OpenID Connect provider with our client application, configured here as
    the provider ``local``."""
    settings.OAUTH2_PROVIDER = provider_settings(oidc_private_key)
    settings.AGNOST_AUTH_OAUTH_PROVIDERS = {PROVIDER: {
        "kind": "oidc", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "server_metadata_url": f"{live_server.url}/o/.well-known/openid-configuration",
    }}
    return Application.objects.create(
        name="agnost", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM, skip_authorization=True,
        redirect_uris=f"{live_server.url}/_auth/{PROVIDER}/callback",
    )


@pytest.fixture
def browser_factory(live_server):
    """``browser_factory(email, email_verified=True, **client_kwargs)``: a browser signed in
    to the provider as an end user whose provider account reports ``email`` (none if
    ``None``)."""

    def make(email: str | None, email_verified: bool = True, **client_kwargs) -> Client:
        claims = {"name": "Ada Lovelace", "picture": "https://pictures.example.com/ada.png"}
        if email is not None:
            claims.update(email=email, email_verified=email_verified)
        browser = Client(HTTP_HOST=urlsplit(live_server.url).netloc, **client_kwargs)
        browser.account = create_account(**claims)
        browser.force_login(browser.account)
        return browser

    return make


@pytest.fixture
def signed_up():
    """The ``user_signed_up`` signals sent during the test."""
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    signals.user_signed_up.connect(receiver)
    yield sent
    signals.user_signed_up.disconnect(receiver)


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def start(browser: Client, provider: str = PROVIDER) -> str:
    """Open ``/_auth/<provider>``; return the provider URL it redirects to."""
    response = browser.get(f"/_auth/{provider}")
    assert response.status_code == 302
    return response["Location"]


def to_callback(browser: Client, provider: str = PROVIDER) -> str:
    """Start and pass the provider's authorize page; return our callback's path and query."""
    response = browser.get(local_path(start(browser, provider)))
    assert response.status_code == 302, response.content
    assert urlsplit(response["Location"]).path == f"/_auth/{provider}/callback"
    return local_path(response["Location"])


def app_query(response) -> dict[str, str]:
    """The query string of a redirect to the app."""
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(APP_URL + "?")
    return dict(parse_qsl(urlsplit(location).query))


def sign_in(browser: Client, provider: str = PROVIDER) -> dict[str, str]:
    return app_query(browser.get(to_callback(browser, provider)))


def grant(access_token: str):
    return AgnostAPIClient().get(f"/_api/rest/v1/auth/grant?key={access_token}")


def assert_refused(query: dict[str, str], status: int, code: str, action: str = oauth.SIGN_IN) -> None:
    assert query["status"] == str(status)
    assert query["code"] == code
    assert query["action"] == action
    assert query["error"]
    assert "access_token" not in query


# Sign-up and sign-in ---------------------------------------------------------------------

def test_first_sign_in_creates_the_user_and_later_ones_find_it(oidc, browser_factory, signed_up):
    browser = browser_factory("ada@example.com")

    query = sign_in(browser)

    assert query["action"] == "oauth-signup"
    assert query["status"] == "200"
    response = grant(query["access_token"])
    assert response.status_code == 200, response.content
    body = response.json()
    user = body["user"]
    assert user["provider"] == PROVIDER
    assert user["providerUserId"] == str(browser.account.pk)  # the provider's sub
    assert user["email"] == "ada@example.com"
    assert user["emailVerified"] is True
    assert user["name"] == "Ada Lovelace"
    assert user["profilePicture"] == "https://pictures.example.com/ada.png"
    assert body["session"]["token"]
    assert body["session"]["userId"] == user["_id"]
    assert [s["provider"] for s in signed_up] == [PROVIDER]
    assert signed_up[0]["user"].pk == int(user["_id"])

    replay = grant(query["access_token"])
    assert replay.status_code == 403
    assert replay.json()["errors"][0]["code"] == "invalid_access_token"

    again = sign_in(browser)
    assert again["action"] == "oauth-signin"
    assert again["status"] == "200"
    second = grant(again["access_token"]).json()
    assert second["user"]["_id"] == user["_id"]
    assert second["user"]["lastLoginAt"] > user["lastLoginAt"]
    assert AuthProfile.objects.filter(provider=PROVIDER).count() == 1
    assert len(signed_up) == 1


def test_start_redirects_to_the_provider_with_pkce_and_keeps_state_server_side(
        oidc, browser_factory, live_server):
    browser = browser_factory("ada@example.com")

    url = urlsplit(start(browser))

    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{live_server.url}/o/authorize/"
    params = dict(parse_qsl(url.query))
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == f"{live_server.url}/_auth/{PROVIDER}/callback"
    assert params["scope"] == "openid email profile"
    assert params["code_challenge_method"] == "S256"
    assert params["code_challenge"]
    pending = caches["default"].get(oauth.STATE_KEY + params["state"])
    assert pending["provider"] == PROVIDER
    assert pending["redirect_uri"] == params["redirect_uri"]
    assert pending["code_verifier"] not in url.query  # only its S256 challenge travels


def test_callback_accepts_a_form_post_without_csrf_token(oidc, browser_factory):
    browser = browser_factory("ada@example.com", enforce_csrf_checks=True)
    callback = urlsplit(to_callback(browser))

    response = browser.post(callback.path, dict(parse_qsl(callback.query)))

    query = app_query(response)
    assert query["action"] == "oauth-signup"
    assert query["status"] == "200"
    assert grant(query["access_token"]).status_code == 200


def test_a_disabled_account_cannot_sign_in(oidc, browser_factory):
    browser = browser_factory("ada@example.com")
    assert sign_in(browser)["action"] == "oauth-signup"
    user = users.find_by_email("ada@example.com")
    user.is_active = False
    user.save()

    assert_refused(sign_in(browser), 403, "not_allowed")


# State and provider failures --------------------------------------------------------------

def test_a_tampered_or_reused_state_is_refused(oidc, browser_factory):
    browser = browser_factory("ada@example.com")
    callback = urlsplit(to_callback(browser))
    params = dict(parse_qsl(callback.query))

    tampered = browser.get(callback.path, {**params, "state": params["state"] + "x"})
    missing = browser.get(callback.path, {"code": params["code"]})

    assert_refused(app_query(tampered), 400, "invalid_oauth_state")
    assert_refused(app_query(missing), 400, "invalid_oauth_state")
    assert not AuthProfile.objects.filter(provider=PROVIDER).exists()
    assert app_query(browser.get(callback.path, params))["status"] == "200"
    assert_refused(app_query(browser.get(callback.path, params)), 400, "invalid_oauth_state")


def test_a_state_is_bound_to_its_provider(oidc, browser_factory, settings):
    settings.AGNOST_AUTH_OAUTH_PROVIDERS = {
        **settings.AGNOST_AUTH_OAUTH_PROVIDERS,
        "other": settings.AGNOST_AUTH_OAUTH_PROVIDERS[PROVIDER],
    }
    browser = browser_factory("ada@example.com")
    params = dict(parse_qsl(urlsplit(to_callback(browser)).query))

    assert_refused(app_query(browser.get("/_auth/other/callback", params)), 400, "invalid_oauth_state")


def test_a_provider_error_is_access_denied(oidc, browser_factory):
    browser = browser_factory("ada@example.com")
    state = dict(parse_qsl(urlsplit(start(browser)).query))["state"]

    response = browser.get(f"/_auth/{PROVIDER}/callback",
                           {"error": "access_denied", "error_description": "Call +1 555", "state": state})

    query = app_query(response)
    assert_refused(query, 401, "oauth_access_denied")
    assert "555" not in query["error"]  # the provider's text is not passed on to the app


def test_a_failed_token_exchange_is_a_provider_error(oidc, browser_factory):
    browser = browser_factory("ada@example.com")
    state = dict(parse_qsl(urlsplit(start(browser)).query))["state"]

    response = browser.get(f"/_auth/{PROVIDER}/callback", {"code": "not-a-code", "state": state})

    assert_refused(app_query(response), 502, "oauth_provider_error")
    assert not AuthProfile.objects.filter(provider=PROVIDER).exists()


def test_a_code_exchanged_with_another_verifier_is_refused_by_the_provider(oidc, browser_factory):
    browser = browser_factory("ada@example.com")
    callback = urlsplit(to_callback(browser))
    params = dict(parse_qsl(callback.query))
    key = oauth.STATE_KEY + params["state"]
    pending = caches["default"].get(key)
    caches["default"].set(key, {**pending, "code_verifier": "x" * 64})

    assert_refused(app_query(browser.get(callback.path, params)), 502, "oauth_provider_error")


def test_an_unreachable_discovery_document_is_a_provider_error(oidc, browser_factory, settings, live_server):
    config = settings.AGNOST_AUTH_OAUTH_PROVIDERS[PROVIDER]
    settings.AGNOST_AUTH_OAUTH_PROVIDERS = {PROVIDER: {
        **config, "server_metadata_url": f"{live_server.url}/o/no-such-discovery-document"}}
    browser = browser_factory("ada@example.com")

    assert_refused(app_query(browser.get(f"/_auth/{PROVIDER}")), 502, "oauth_provider_error")


# Accounts that already exist --------------------------------------------------------------

@pytest.mark.parametrize("email", ["eve@example.com", None], ids=["unverified", "no-email"])
def test_a_first_sign_in_without_a_verified_email_creates_no_account(
        oidc, browser_factory, signed_up, email):
    browser = browser_factory(email, email_verified=False)

    assert_refused(sign_in(browser), 403, "oauth_email_not_verified", action="oauth-signup")
    assert not AuthProfile.objects.exists()
    assert signed_up == []


def test_closed_sign_up_is_not_allowed(oidc, browser_factory, settings):
    settings.AGNOST_AUTH_ADAPTER = "tests.auth.test_oauth.ClosedSignupAdapter"
    browser = browser_factory("ada@example.com")

    assert_refused(sign_in(browser), 403, "not_allowed", action="oauth-signup")
    assert users.find_by_email("ada@example.com") is None


def test_links_a_local_account_whose_email_is_verified(oidc, browser_factory, agnost_client):
    local = users.create_user(email="carol@example.com", password="a long password 123",
                              email_verified=True)
    browser = browser_factory("carol@example.com")

    query = sign_in(browser)

    assert query["action"] == "oauth-signin"
    user = grant(query["access_token"]).json()["user"]
    assert user["_id"] == str(local.pk)
    assert user["provider"] == PROVIDER
    assert user["providerUserId"] == str(browser.account.pk)
    # The password still works, and the next OAuth sign-in finds the link directly.
    response = agnost_client.post("/_api/rest/v1/auth/signin-email",
                                  {"email": "carol@example.com", "password": "a long password 123"},
                                  format="json")
    assert response.status_code == 200, response.content
    assert grant(sign_in(browser)["access_token"]).json()["user"]["_id"] == str(local.pk)


@pytest.mark.parametrize(
    ("provider_verified", "local_fields"),
    [
        (True, {"email_verified": False}),  # the account's address is unconfirmed
        (False, {"email_verified": True}),  # the provider's is
        (True, {"email_verified": True, "provider": "github", "provider_user_id": "42"}),  # linked elsewhere
    ],
    ids=["local-unverified", "provider-unverified", "linked-elsewhere"],
)
def test_never_takes_over_an_account_by_an_unverified_or_taken_email(
        oidc, browser_factory, provider_verified, local_fields):
    local = users.create_user(email="carol@example.com", password="a long password 123", **local_fields)
    browser = browser_factory("Carol@Example.com", email_verified=provider_verified)

    assert_refused(sign_in(browser), 400, "email_not_unique")

    profile = AuthProfile.objects.get(user=local)
    assert (profile.provider, profile.provider_user_id) == (
        local_fields.get("provider", ""), local_fields.get("provider_user_id", ""))
    assert AuthProfile.objects.count() == 1


# Provider configuration ------------------------------------------------------------------

def test_an_unknown_provider_is_unsupported(db, client):
    assert_refused(app_query(client.get("/_auth/nosuch")), 404, "unsupported_oauth_provider")
    assert_refused(app_query(client.get("/_auth/nosuch/callback?code=x&state=y")), 400,
                   "invalid_oauth_state")


def test_other_methods_get_the_json_404_of_an_unknown_route(db, client):
    for response in (client.post("/_auth/local"), client.put("/_auth/local/callback")):
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "resource_not_found"


def test_a_provider_without_credentials_is_not_configured(db, client, settings):
    settings.AGNOST_AUTH_OAUTH_PROVIDERS = {"github": {"client_id": "id"}}

    assert_refused(app_query(client.get("/_auth/github")), 501, "oauth_provider_not_configured")


def test_an_admin_configured_provider_works(oidc, browser_factory, live_server):
    oidc.redirect_uris += f" {live_server.url}/_auth/corp/callback"
    oidc.save()
    OAuthProvider.objects.create(
        name="corp", kind="oidc", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        server_metadata_url=f"{live_server.url}/o/.well-known/openid-configuration",
    )
    OAuthProvider.objects.create(name="old", kind="oidc", client_id="x", client_secret="y",
                                 server_metadata_url="https://old.example.com/", enabled=False)
    browser = browser_factory("ada@example.com")

    query = sign_in(browser, "corp")

    assert query["action"] == "oauth-signup"
    assert grant(query["access_token"]).json()["user"]["provider"] == "corp"
    assert_refused(app_query(browser.get("/_auth/old")), 404, "unsupported_oauth_provider")


def test_settings_win_over_an_admin_row_of_the_same_name(oidc, browser_factory):
    OAuthProvider.objects.create(name=PROVIDER, kind="github", client_id="row-id", client_secret="row")
    browser = browser_factory("ada@example.com")

    params = dict(parse_qsl(urlsplit(start(browser)).query))

    assert params["client_id"] == CLIENT_ID


def test_github_start_redirects_to_github_with_pkce(db, client, settings):
    settings.AGNOST_AUTH_OAUTH_PROVIDERS = {"github": {"client_id": "gh-id", "client_secret": "gh-secret"}}

    url = urlsplit(client.get("/_auth/github")["Location"])

    assert f"{url.scheme}://{url.netloc}{url.path}" == oauth.GITHUB_AUTHORIZE_URL
    params = dict(parse_qsl(url.query))
    assert params["client_id"] == "gh-id"
    assert params["scope"] == "read:user user:email"
    assert params["redirect_uri"] == "http://testserver/_auth/github/callback"
    assert params["code_challenge_method"] == "S256"
    assert "gh-secret" not in url.query


def test_an_admin_row_of_kind_github_needs_no_discovery(db, client):
    OAuthProvider.objects.create(name="gh", kind="github", client_id="gh-id", client_secret="s")

    location = client.get("/_auth/gh")["Location"]

    assert location.startswith(oauth.GITHUB_AUTHORIZE_URL + "?")
    assert dict(parse_qsl(urlsplit(location).query))["redirect_uri"] == "http://testserver/_auth/gh/callback"


# Claims ----------------------------------------------------------------------------------

def test_github_identity_uses_the_primary_address_verified_only_if_github_says_so():
    user = {"id": 7, "login": "octo", "name": None, "avatar_url": "https://avatars.example.com/7"}
    verified = oauth.github_identity(user, [
        {"email": "other@example.com", "primary": False, "verified": True},
        {"email": "Octo@Example.com", "primary": True, "verified": True},
    ])
    unverified = oauth.github_identity(user, [{"email": "octo@example.com", "primary": True, "verified": False}])
    hidden = oauth.github_identity({**user, "email": None}, [])

    assert verified == oauth.Identity(sub="7", email="octo@example.com", email_verified=True,
                                      name="octo", picture="https://avatars.example.com/7")
    assert (unverified.email, unverified.email_verified) == ("octo@example.com", False)
    assert (hidden.email, hidden.email_verified) == (None, False)


def test_oidc_identity_reads_standard_claims():
    identity = oauth.oidc_identity({"sub": "abc", "email": "a@example.com", "email_verified": "true"})
    malformed = oauth.oidc_identity({"sub": 5, "email": "not an email", "email_verified": True,
                                     "picture": "javascript:alert(1)"})

    assert (identity.sub, identity.email, identity.email_verified) == ("abc", "a@example.com", True)
    assert (malformed.sub, malformed.email, malformed.email_verified, malformed.picture) == (
        "5", None, False, "")
    with pytest.raises(ValueError):
        oauth.oidc_identity({"email": "a@example.com"})
    with pytest.raises(ValueError):
        oauth.oidc_identity({"sub": "x" * 256})
