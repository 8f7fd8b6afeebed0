"""django-oauth-toolkit set up as a Google-like OpenID Connect provider for the OAuth tests.

The provider's end users are Django users in the same database as the app's accounts, so
they get addresses of their own (``provider-account-<n>@provider.invalid``) that no app
account uses, and the claims the provider reports about them (``email``,
``email_verified``, ``name``, ``picture``) come from :data:`CLAIMS`, which the tests fill.
The live server runs in a thread of the test process, so it sees the same dictionary.
"""

from __future__ import annotations

import itertools
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from oauth2_provider.oauth2_validators import OAuth2Validator

# Claims by the provider user's pk.
CLAIMS: dict[Any, dict[str, Any]] = {}
_numbers = itertools.count(1)


class ClaimsValidator(OAuth2Validator):
    """Adds the account's :data:`CLAIMS` to the ID token and userinfo (DOT filters them by
    the granted scopes)."""

    def get_additional_claims(self, request):
        return CLAIMS.get(request.user.pk, {})


def create_account(**claims: Any):
    """A provider end user reporting ``claims``."""
    User = get_user_model()
    address = f"provider-account-{next(_numbers)}@provider.invalid"
    fields = {User.USERNAME_FIELD: address}
    if User.get_email_field_name() != User.USERNAME_FIELD:
        fields[User.get_email_field_name()] = address
    account = User._default_manager.create_user(**fields)
    CLAIMS[account.pk] = claims
    return account


def rsa_private_key_pem() -> str:
    """A fresh RSA key for signing ID tokens (RS256)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def provider_settings(private_key: str) -> dict[str, Any]:
    """``OAUTH2_PROVIDER`` for a strict OpenID Connect provider (PKCE required)."""
    return {
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": private_key,
        "PKCE_REQUIRED": True,
        "OAUTH2_VALIDATOR_CLASS": "tests.auth.oauth_provider.ClaimsValidator",
        "SCOPES": {"openid": "OpenID Connect", "email": "Email address", "profile": "Profile"},
        "DEFAULT_SCOPES": ["openid"],
    }
