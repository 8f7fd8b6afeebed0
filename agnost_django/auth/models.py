"""What the host's user model lacks: the auth profile, sessions, one-time tokens and
OAuth providers. Users themselves are the host's ``AUTH_USER_MODEL``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuthProfile(models.Model):
    """Agnost's user fields that Django's user model does not have, one row per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agnost_profile",
        verbose_name=_("user"),
    )
    phone = models.CharField(_("phone"), max_length=32, unique=True, null=True, blank=True,
                             help_text=_("E.164, e.g. +15551234567."))
    email_verified = models.BooleanField(_("email verified"), default=False)
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    provider = models.CharField(_("provider"), max_length=50, blank=True,
                                help_text=_("Empty for email/phone accounts, else the OAuth provider."))
    provider_user_id = models.CharField(_("provider user id"), max_length=255, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    profile_picture = models.URLField(_("profile picture"), max_length=1000, blank=True)
    data = models.JSONField(_("extra fields"), default=dict, blank=True,
                            help_text=_("Fields given at sign-up beyond the known ones."))
    sign_up_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    last_login_at = models.DateTimeField(_("last sign-in at"), default=timezone.now)
    failed_sign_ins = models.PositiveIntegerField(_("failed sign-ins in a row"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("auth profile")
        verbose_name_plural = _("auth profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_user_id"],
                condition=~models.Q(provider=""),
                name="agnost_auth_unique_provider_user",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class Session(models.Model):
    """A signed-in client. The token is shown once, at sign-in; only its hash is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="agnost_sessions", verbose_name=_("user"))
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    key_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.JSONField(_("user agent"), default=dict, blank=True)
    user_agent_raw = models.CharField(_("User-Agent header"), max_length=500, blank=True)
    access_group_keys = models.JSONField(_("access group keys"), default=list, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.public_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class AuthToken(models.Model):
    """A single-use secret: an emailed link, an SMS code, or an access token for
    ``getAuthGrant``. Stored as a hash; void after use, expiry or too many wrong guesses."""

    class Purpose(models.TextChoices):
        EMAIL_CONFIRM = "email-confirm", _("email confirmation link")
        MAGIC_LINK = "magic-link", _("magic link")
        RESET_PASSWORD = "reset-pwd", _("password reset link")
        CHANGE_EMAIL = "change-email", _("email change link")
        PHONE_CONFIRM = "phone-confirm", _("phone confirmation code")
        CHANGE_PHONE = "change-phone", _("phone change code")
        SIGN_IN_CODE = "signin-code", _("sign-in code")
        RESET_PASSWORD_CODE = "reset-pwd-code", _("password reset code")
        GRANT = "grant", _("access token for a session")
        RESET_GRANT = "reset-grant", _("access token for a password reset")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="agnost_auth_tokens", verbose_name=_("user"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    secret_hash = models.CharField(_("secret hash"), max_length=64, db_index=True, editable=False)
    target = models.CharField(_("target"), max_length=254, blank=True,
                              help_text=_("The email or phone the secret was sent to."))
    action = models.CharField(_("action"), max_length=30, blank=True,
                              help_text=_("What the app is told on redirect (oauth-signup, magic-link ...)."))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pending code or token")
        verbose_name_plural = _("pending codes and tokens")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["purpose", "target"], name="agnost_auth_token_target")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.user}"


class OAuthProvider(models.Model):
    """An OAuth2 / OpenID Connect provider configured in the admin (settings may add more)."""

    class Kind(models.TextChoices):
        GOOGLE = "google", "Google"
        GITHUB = "github", "GitHub"
        OIDC = "oidc", _("OpenID Connect (generic)")

    name = models.SlugField(_("name"), max_length=50, unique=True,
                            help_text=_("What the client passes to signInWithProvider(name)."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    client_id = models.CharField(_("client id"), max_length=255)
    client_secret = models.CharField(_("client secret"), max_length=500)
    server_metadata_url = models.URLField(
        _("discovery URL"), max_length=500, blank=True,
        help_text=_("OpenID Connect only: https://issuer/.well-known/openid-configuration"),
    )
    scope = models.CharField(_("scope"), max_length=255, blank=True,
                             help_text=_("Empty: the kind's default."))
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("OAuth provider")
        verbose_name_plural = _("OAuth providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
