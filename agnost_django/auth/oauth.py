"""OAuth2 / OpenID Connect sign-in (spec 6.2 "OAuth", 6.3).

``signInWithProvider(name)`` sends the browser to ``GET /_auth/<name>``, which redirects to
the provider (:func:`authorization_url`); the provider sends it back to
``GET|POST /_auth/<name>/callback``, which finds, links or creates the user, issues a
single-use grant token and redirects to ``AGNOST_AUTH_REDIRECT_URL`` with
``access_token=<grant>&action=oauth-signup|oauth-signin&status=200`` (:func:`complete`).
The app exchanges the grant at ``auth/grant?key=`` for ``{user, session}``.

Providers are named in ``AGNOST_AUTH_OAUTH_PROVIDERS``::

    AGNOST_AUTH_OAUTH_PROVIDERS = {
        "google": {"client_id": "...", "client_secret": "..."},
        "github": {"client_id": "...", "client_secret": "..."},
        "okta": {"kind": "oidc", "client_id": "...", "client_secret": "...",
                 "server_metadata_url": "https://example.okta.com/.well-known/openid-configuration"},
    }

(``kind`` defaults to the name for ``google`` and ``github``; ``scope`` overrides the kind's
default), and by the enabled *OAuth providers* of the admin; settings win on a name clash.

**State.** The ``state`` and the PKCE (S256) ``code_verifier`` live server-side in the
default cache under ``agnost:oauth:state:<state>`` for ten minutes, bound to the provider
name and the ``redirect_uri``; the callback deletes the entry, and only the request whose
delete succeeds may continue, so a state works once. The state is not also bound to the
browser by a cookie: the redirect contract ends with a grant token in the app's URL, which
an attacker could hand a victim directly, so a cookie would not close login CSRF here; it
would also break Apple's cross-site form post.

**Accounts.** With ``(provider, sub)`` known, the user signs in (``oauth-signin``).
Otherwise, if an account has the provider's email address, it is linked only when the
provider says the address is verified, the account's own address is verified
(``AuthProfile.email_verified``) and the account is not linked to a provider yet: the
profile then stores ``provider``/``provider_user_id``, so later sign-ins find it directly,
and a password it has keeps working (the client's User shows the provider from then on).
Any other match is refused with ``email_not_unique``: an unverified address never hands
over an account. Without a match a user is created (``oauth-signup``) if the provider
gives a verified email and the adapter's ``is_open_for_signup`` agrees.
``lastLoginAt`` is updated when the grant is exchanged.

**Errors** reach the app as ``action``, ``status``, ``code`` and ``error`` on the same
redirect: ``unsupported_oauth_provider`` (404), ``oauth_provider_not_configured`` (501),
``invalid_oauth_state`` (400), ``oauth_access_denied`` (401, the provider's own text is not
passed on), ``oauth_provider_error`` (502, logged: discovery, token exchange or userinfo
failed), ``oauth_email_not_verified`` (403), ``email_not_unique`` (400), ``not_allowed``
(403, sign-up closed or account disabled). OIDC discovery documents are cached for an hour
under ``agnost:oauth:metadata:``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from agnost_django.auth import exceptions, signals, tokens, users
from agnost_django.auth.adapter import get_adapter
from agnost_django.auth.conf import auth_settings
from agnost_django.auth.models import AuthProfile, OAuthProvider
from agnost_django.core.exceptions import AgnostAPIError

try:
    import requests
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.requests_client import OAuth2Session
except ImportError as exc:
    raise ImproperlyConfigured(
        f"Sign-in with OAuth providers needs Authlib and requests ({exc}): pip install 'agnost-django[oauth]'"
    ) from exc

logger = logging.getLogger(__name__)

SIGN_UP = "oauth-signup"
SIGN_IN = "oauth-signin"

STATE_KEY = "agnost:oauth:state:"
STATE_TTL = 600
METADATA_KEY = "agnost:oauth:metadata:"
METADATA_TTL = 3600
HTTP_TIMEOUT = 10

GOOGLE_METADATA_URL = "https://accounts.google.com/.well-known/openid-configuration"
GITHUB_AUTHORIZE_URL = "https://github.com/login/oauth/authorize"
GITHUB_TOKEN_URL = "https://github.com/login/oauth/access_token"
GITHUB_USER_URL = "https://api.github.com/user"
GITHUB_EMAILS_URL = "https://api.github.com/user/emails"
DEFAULT_SCOPES = {
    "google": "openid email profile",
    "github": "read:user user:email",
    "oidc": "openid email profile",
}


class OAuthErrorCode(str, Enum):
    INVALID_OAUTH_STATE = "invalid_oauth_state"
    OAUTH_ACCESS_DENIED = "oauth_access_denied"
    OAUTH_PROVIDER_ERROR = "oauth_provider_error"
    OAUTH_EMAIL_NOT_VERIFIED = "oauth_email_not_verified"


class InvalidOAuthState(AgnostAPIError):
    """A callback whose ``state`` is missing, unknown, expired, reused or another provider's (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = OAuthErrorCode.INVALID_OAUTH_STATE.value
    default_detail = _("This sign-in attempt is unknown or has expired. Please start again.")


class OAuthAccessDenied(AgnostAPIError):
    """The provider returned an ``error`` (the user cancelled or was refused) (401)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = OAuthErrorCode.OAUTH_ACCESS_DENIED.value
    default_detail = _("Sign-in was cancelled or refused by the provider.")


class OAuthProviderError(AgnostAPIError):
    """The provider failed or answered nonsense during discovery, token exchange or user info (502)."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = OAuthErrorCode.OAUTH_PROVIDER_ERROR.value
    default_detail = _("The sign-in provider could not be reached or gave an invalid answer.")


class OAuthEmailNotVerified(AgnostAPIError):
    """A first sign-in whose provider gives no email address or an unverified one (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = OAuthErrorCode.OAUTH_EMAIL_NOT_VERIFIED.value
    default_detail = _("The provider did not confirm an email address for this account.")


@dataclass(frozen=True)
class Identity:
    """Who the provider says the user is."""

    sub: str
    email: str | None = None
    email_verified: bool = False
    name: str = ""
    picture: str = ""


@dataclass(frozen=True)
class Provider:
    """One configured provider, from settings or an :class:`OAuthProvider` row."""

    name: str
    kind: str
    client_id: str
    client_secret: str
    server_metadata_url: str = ""
    scope: str = ""

    def session(self, **kwargs: Any) -> OAuth2Session:
        """An Authlib client for this provider (PKCE S256, ``HTTP_TIMEOUT`` seconds per call)."""
        return OAuth2Session(
            self.client_id, self.client_secret, scope=self.scope or DEFAULT_SCOPES[self.kind],
            code_challenge_method="S256", default_timeout=HTTP_TIMEOUT, **kwargs,
        )

    def endpoints(self, session: OAuth2Session) -> dict[str, str]:
        """``authorize``, ``token`` and (OIDC) ``userinfo`` URLs and the token endpoint's
        client authentication method; for OIDC read from the discovery document, and
        cached for an hour."""
        if self.kind == "github":
            return {"authorize": GITHUB_AUTHORIZE_URL, "token": GITHUB_TOKEN_URL,
                    "auth_method": "client_secret_post"}
        key = METADATA_KEY + hashlib.sha256(self.server_metadata_url.encode()).hexdigest()
        endpoints = caches["default"].get(key)
        if endpoints is None:
            metadata = _get_json(session, self.server_metadata_url, withhold_token=True)
            if not isinstance(metadata, dict):
                raise ValueError("The discovery document is not an object.")
            methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
            endpoints = {
                "authorize": _url(metadata, "authorization_endpoint"),
                "token": _url(metadata, "token_endpoint"),
                "userinfo": _url(metadata, "userinfo_endpoint"),
                "auth_method": ("client_secret_basic" if "client_secret_basic" in methods
                                else "client_secret_post"),
            }
            caches["default"].set(key, endpoints, METADATA_TTL)
        return endpoints

    def fetch_identity(self, session: OAuth2Session, endpoints: dict[str, str]) -> Identity:
        """The signed-in user's identity, with ``session`` holding the access token."""
        if self.kind == "github":
            headers = {"Accept": "application/vnd.github+json"}
            return github_identity(_get_json(session, GITHUB_USER_URL, headers=headers),
                                   _get_json(session, GITHUB_EMAILS_URL, headers=headers))
        return oidc_identity(_get_json(session, endpoints["userinfo"]))


def get_provider(name: str) -> Provider:
    """The provider called ``name``. Unknown or disabled → ``unsupported_oauth_provider``;
    incomplete → ``oauth_provider_not_configured``."""
    config = auth_settings.OAUTH_PROVIDERS.get(name)
    if config is None:
        row = OAuthProvider.objects.filter(name=name, enabled=True).first()
        if row is None:
            raise exceptions.UnsupportedOAuthProvider(details={"provider": name})
        config = {"kind": row.kind, "client_id": row.client_id, "client_secret": row.client_secret,
                  "server_metadata_url": row.server_metadata_url, "scope": row.scope}
    kind = config.get("kind") or name
    metadata_url = config.get("server_metadata_url") or (GOOGLE_METADATA_URL if kind == "google" else "")
    if (kind not in DEFAULT_SCOPES or not config.get("client_id") or not config.get("client_secret")
            or (kind != "github" and not metadata_url)):
        raise exceptions.OAuthProviderNotConfigured(details={"provider": name})
    return Provider(name=name, kind=kind, client_id=config["client_id"],
                    client_secret=config["client_secret"], server_metadata_url=metadata_url,
                    scope=config.get("scope") or "")


def authorization_url(request, name: str) -> str:
    """Start a sign-in: remember a new state and PKCE verifier, return the provider URL."""
    provider = get_provider(name)
    redirect_uri = request.build_absolute_uri(
        reverse("agnost_auth_links:oauth-callback", args=[provider.name]))
    state, code_verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    with provider.session(redirect_uri=redirect_uri) as session, _provider_errors(provider):
        endpoints = provider.endpoints(session)
        url, _state = session.create_authorization_url(
            endpoints["authorize"], state=state, code_verifier=code_verifier)
    caches["default"].set(STATE_KEY + state, {
        "provider": provider.name, "code_verifier": code_verifier, "redirect_uri": redirect_uri,
    }, STATE_TTL)
    return url


def complete(request, name: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """Finish a sign-in from the callback's parameters; return the ``action`` and a grant
    token for the app. Raises the errors above and ``email_not_unique`` / ``not_allowed``
    (account rules in the module docstring)."""
    pending = _pop_state(params.get("state"), name)
    if params.get("error"):
        raise OAuthAccessDenied(details={"provider": name})
    code = params.get("code")
    if not code:
        raise OAuthProviderError(_("The provider returned no authorization code."))
    provider = get_provider(name)
    # Closing the session closes its connections now rather than whenever it is collected.
    with provider.session(redirect_uri=pending["redirect_uri"]) as session, _provider_errors(provider):
        endpoints = provider.endpoints(session)
        session.token_endpoint_auth_method = endpoints["auth_method"]
        session.fetch_token(endpoints["token"], code=code, code_verifier=pending["code_verifier"],
                            redirect_uri=pending["redirect_uri"])
        identity = provider.fetch_identity(session, endpoints)
    user, action = sign_in_with_identity(request, provider.name, identity)
    return action, tokens.issue_link(user, tokens.Purpose.GRANT, action=action)


def failure_query(exc: AgnostAPIError) -> dict[str, str]:
    """The redirect parameters that report ``exc`` to the app (spec 6.3)."""
    return {"action": getattr(exc, "action", SIGN_IN), "status": str(exc.status_code),
            "code": exc.code, "error": exc.message}


def sign_in_with_identity(request, provider: str, identity: Identity):
    """Find, link or create the user for ``identity``; return ``(user, action)``."""
    profile = (AuthProfile.objects.select_related("user")
               .filter(provider=provider, provider_user_id=identity.sub).first())
    if profile is not None:
        return _active(profile.user), SIGN_IN
    user = users.find_by_email(identity.email) if identity.email else None
    if user is not None:
        _link(_active(user), provider, identity)
        return user, SIGN_IN
    return _sign_up(request, provider, identity), SIGN_UP


def oidc_identity(claims: Any) -> Identity:
    """An :class:`Identity` from OpenID Connect userinfo claims."""
    if not isinstance(claims, dict) or not claims.get("sub"):
        raise ValueError("The userinfo response has no sub.")
    verified = claims.get("email_verified")
    return _identity(claims["sub"], claims.get("email"), verified is True or verified == "true",
                     claims.get("name"), claims.get("picture"))


def github_identity(user: Any, emails: Any) -> Identity:
    """An :class:`Identity` from GitHub's ``/user`` and ``/user/emails``: the primary
    address, verified only if GitHub says so."""
    if not isinstance(user, dict) or not user.get("id"):
        raise ValueError("The GitHub user has no id.")
    primary = next((e for e in emails if isinstance(e, dict) and e.get("primary")), None) \
        if isinstance(emails, list) else None
    email = primary.get("email") if primary else user.get("email")
    verified = bool(primary and primary.get("verified") is True)
    return _identity(user["id"], email, verified, user.get("name") or user.get("login"),
                     user.get("avatar_url"))


# Helpers --------------------------------------------------------------------------------

@contextmanager
def _provider_errors(provider: Provider) -> Iterator[None]:
    """Turn network, protocol and response-shape failures into ``oauth_provider_error``."""
    try:
        yield
    except (requests.RequestException, AuthlibBaseError, ValueError) as exc:
        logger.warning("OAuth provider %r failed: %s", provider.name, exc, exc_info=exc)
        raise OAuthProviderError(details={"provider": provider.name}) from exc


def _get_json(session: OAuth2Session, url: str, **kwargs: Any) -> Any:
    response = session.get(url, **kwargs)
    response.raise_for_status()
    return response.json()


def _url(metadata: dict[str, Any], name: str) -> str:
    value = metadata.get(name)
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise ValueError(f"The discovery document has no {name}.")
    return value


def _identity(sub: Any, email: Any, verified: bool, name: Any, picture: Any) -> Identity:
    if len(str(sub)) > AuthProfile._meta.get_field("provider_user_id").max_length:
        raise ValueError("The provider's user id is too long.")
    try:
        email = users.normalise_email(email) if email else None
    except AgnostAPIError:
        email = None
    if not (isinstance(picture, str) and picture.startswith(("https://", "http://"))
            and len(picture) <= AuthProfile._meta.get_field("profile_picture").max_length):
        picture = ""
    return Identity(sub=str(sub), email=email, email_verified=bool(email) and verified,
                    name=str(name or "")[:255], picture=picture)


def _pop_state(state: Any, name: str) -> dict[str, str]:
    """The pending sign-in for ``state``, removed so that it works once."""
    if not isinstance(state, str) or not state:
        raise InvalidOAuthState()
    cache = caches["default"]
    pending = cache.get(STATE_KEY + state)
    # Of two concurrent callbacks with one state, only the one whose delete succeeds goes on.
    if pending is None or not cache.delete(STATE_KEY + state) or pending.get("provider") != name:
        raise InvalidOAuthState()
    return pending


def _active(user):
    if not user.is_active:
        raise exceptions.NotAllowed(_("This account is disabled."))
    return user


def _link(user, provider: str, identity: Identity) -> None:
    """Attach ``identity`` to an existing account, or refuse with ``email_not_unique``."""
    profile = users.profile_of(user)
    if identity.email_verified and profile.email_verified and not profile.provider:
        try:
            with transaction.atomic():
                linked = AuthProfile.objects.filter(pk=profile.pk, provider="").update(
                    provider=provider, provider_user_id=identity.sub)
        except IntegrityError:  # a concurrent first sign-in created this identity
            linked = 0
        if linked:
            profile.provider, profile.provider_user_id = provider, identity.sub
            return
    raise exceptions.EmailNotUnique(details={"field": "email", "provider": provider})


def _sign_up(request, provider: str, identity: Identity):
    try:
        if not identity.email or not identity.email_verified:
            raise OAuthEmailNotVerified(details={"provider": provider})
        if not get_adapter().is_open_for_signup(request, email=identity.email, phone=None):
            raise exceptions.NotAllowed(_("Sign-up is closed."))
        user = users.create_user(
            email=identity.email, provider=provider, provider_user_id=identity.sub,
            email_verified=True, name=identity.name, profile_picture=identity.picture,
        )
    except AgnostAPIError as exc:
        exc.action = SIGN_UP  # what the failure redirect tells the app
        raise
    signals.user_signed_up.send(sender=AuthProfile, user=user, request=request, provider=provider)
    return user
