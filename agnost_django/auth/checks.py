"""System checks of the auth module (ids ``agnost_auth.E###`` / ``W###``)."""

from __future__ import annotations

import importlib.util

from django.core.checks import Error, Tags, Warning, register


@register(Tags.security)
def check_auth_settings(app_configs=None, **kwargs):
    from agnost_django.auth.conf import auth_settings

    errors = []
    for name in ("ADAPTER", "SMS_BACKEND"):
        try:
            getattr(auth_settings, name)
        except Exception as exc:
            errors.append(Error(str(exc), id="agnost_auth.E001"))
    unknown = set(auth_settings.THROTTLE_RATES) - {"sign_in", "sign_up", "send"}
    if unknown:
        errors.append(Error(
            f"AGNOST_AUTH_THROTTLE_RATES has unknown scopes: {', '.join(sorted(unknown))}.",
            hint="Use sign_in, sign_up and send.", id="agnost_auth.E002",
        ))
    redirect = auth_settings.REDIRECT_URL
    if not isinstance(redirect, str) or not redirect.startswith(("http://", "https://")):
        errors.append(Error(
            "AGNOST_AUTH_REDIRECT_URL must be an absolute http(s) URL of your app.",
            id="agnost_auth.E003",
        ))
    if auth_settings.PHONE_ENABLED and importlib.util.find_spec("phonenumbers") is None:
        errors.append(Warning(
            "phonenumbers is not installed: phone sign-up, sign-in and SMS codes answer 500.",
            hint="pip install 'agnost-django[phone]', or AGNOST_AUTH_PHONE_ENABLED = False",
            id="agnost_auth.W001",
        ))
    if importlib.util.find_spec("authlib") is None:
        errors.append(Warning(
            "Authlib is not installed: sign-in with OAuth providers answers 500.",
            hint="pip install 'agnost-django[oauth]'", id="agnost_auth.W002",
        ))
    return errors
