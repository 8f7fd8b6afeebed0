"""Settings of the auth module (``AGNOST_AUTH_*``), read at use time."""

from __future__ import annotations

import os
from typing import Any

from agnost_django.core.conf import AppSettings


class AuthSettings(AppSettings):
    prefix = "AGNOST_AUTH_"

    @property
    def ADAPTER(self) -> type:
        """Dotted path of the adapter class (policy hooks: sign-up, usernames, delivery)."""
        return self._import("ADAPTER", "agnost_django.auth.adapter.DefaultAuthAdapter")

    @property
    def EMAIL_ENABLED(self) -> bool:
        """Whether email + password accounts are allowed."""
        return self._get("EMAIL_ENABLED", True)

    @property
    def EMAIL_CONFIRMATION(self) -> bool:
        """Whether a new email address must be confirmed through a link before sign-in
        (and before an email change takes effect)."""
        return self._get("EMAIL_CONFIRMATION", False)

    @property
    def PHONE_ENABLED(self) -> bool:
        """Whether phone + password accounts are allowed."""
        return self._get("PHONE_ENABLED", True)

    @property
    def PHONE_CONFIRMATION(self) -> bool:
        """Whether a new phone number must be confirmed with an SMS code before sign-in
        (and before a phone change takes effect)."""
        return self._get("PHONE_CONFIRMATION", True)

    @property
    def SIGN_IN_CODES(self) -> bool:
        """Whether verified phones may sign in with a one-time SMS code."""
        return self._get("SIGN_IN_CODES", True)

    @property
    def DEFAULT_PHONE_REGION(self) -> str | None:
        """Region for phone numbers given without ``+country`` (e.g. ``"US"``); ``None``
        requires the international form."""
        return self._get("DEFAULT_PHONE_REGION", None)

    @property
    def LOCAL_PROVIDER(self) -> str:
        """``provider`` of email and phone accounts in the client's User shape."""
        return self._get("LOCAL_PROVIDER", "altogic")

    @property
    def REDIRECT_URL(self) -> str:
        """The app URL that email links and OAuth callbacks redirect to (with
        ``action``, ``status`` and ``access_token`` in the query string)."""
        return self._get("REDIRECT_URL", "http://localhost:3000/auth-redirect")

    @property
    def SESSION_TTL(self) -> int:
        """Seconds a session lives after its last renewal."""
        return self._get("SESSION_TTL", 30 * 24 * 3600)

    @property
    def SESSION_SLIDING(self) -> bool:
        """Whether using a session extends it by ``SESSION_TTL`` (at most once a minute)."""
        return self._get("SESSION_SLIDING", True)

    @property
    def SESSION_COOKIE(self) -> bool:
        """Whether sign-in also sets the ``session_token`` cookie (cleared on sign-out)."""
        return self._get("SESSION_COOKIE", True)

    @property
    def LINK_TTL(self) -> int:
        """Seconds an emailed link (confirmation, magic link, reset) stays valid."""
        return self._get("LINK_TTL", 3600)

    @property
    def CODE_TTL(self) -> int:
        """Seconds an SMS code stays valid."""
        return self._get("CODE_TTL", 600)

    @property
    def GRANT_TTL(self) -> int:
        """Seconds an access token given to the app (``getAuthGrant``) stays valid."""
        return self._get("GRANT_TTL", 600)

    @property
    def CODE_MAX_ATTEMPTS(self) -> int:
        """Wrong guesses after which an SMS code is void."""
        return self._get("CODE_MAX_ATTEMPTS", 5)

    @property
    def LOCKOUT_THRESHOLD(self) -> int:
        """Consecutive failed password sign-ins that lock an account (0: never)."""
        return self._get("LOCKOUT_THRESHOLD", 10)

    @property
    def LOCKOUT_DURATION(self) -> int:
        """Seconds a locked account refuses password sign-ins."""
        return self._get("LOCKOUT_DURATION", 900)

    @property
    def ARGON2(self) -> dict[str, int]:
        """Argon2id parameters of ``agnost_django.auth.hashers.Argon2PasswordHasher``
        (OWASP's recommendation: 19 MiB in KiB, 2 passes, 1 lane); missing keys keep these."""
        return {"time_cost": 2, "memory_cost": 19456, "parallelism": 1, **self._get("ARGON2", {})}

    @property
    def HASHING_CONCURRENCY(self) -> int:
        """Password hashes one process computes at once; more wait (bounds memory and CPU)."""
        return self._get("HASHING_CONCURRENCY", os.cpu_count() or 2)

    @property
    def THROTTLE_RATES(self) -> dict[str, str]:
        """Per-client-IP DRF rates of the ``sign_in``, ``sign_up`` and ``send`` (code and
        link sending) routes; a missing scope or ``None`` is unthrottled."""
        defaults = {"sign_in": "20/min", "sign_up": "20/min", "send": "10/min"}
        return {**defaults, **self._get("THROTTLE_RATES", {})}

    @property
    def SMS_BACKEND(self) -> type:
        """Dotted path of the SMS backend (console, locmem or your own)."""
        return self._import("SMS_BACKEND", "agnost_django.auth.sms.ConsoleBackend")

    @property
    def SMS_FILE_PATH(self) -> str | None:
        """File that ``agnost_django.auth.sms.FileBackend`` appends messages to."""
        return self._get("SMS_FILE_PATH", None)

    @property
    def FROM_EMAIL(self) -> str | None:
        """Sender of auth emails; ``None`` uses ``DEFAULT_FROM_EMAIL``."""
        return self._get("FROM_EMAIL", None)

    @property
    def OAUTH_PROVIDERS(self) -> dict[str, dict[str, Any]]:
        """OAuth2 / OpenID Connect providers by name (see the README); the admin's
        *OAuth providers* add to these."""
        return self._get("OAUTH_PROVIDERS", {})


auth_settings = AuthSettings()
