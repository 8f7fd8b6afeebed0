"""Every authentication flow of the altogic client, as plain functions.

REST views and the server library call these. Each takes the Django ``request`` (or
``None`` from server code) first; sign-in style flows return ``{"user", "session"}`` plus
the session token, which the view may also put in the ``session_token`` cookie.

Answers never tell whether an email or phone is registered on the routes that send links
or codes (resend, send-magic, send-reset, send-reset-code, send-code): for an unknown,
already verified or otherwise ineligible account they succeed and send nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from agnost_django.auth import exceptions, signals, tokens, users
from agnost_django.auth.adapter import get_adapter
from agnost_django.auth.conf import auth_settings
from agnost_django.auth.models import AuthProfile, Session
from agnost_django.auth.sessions import create_session, find_user_session, revoke, session_payload
from agnost_django.core.exceptions import ValidationFailed

Purpose = tokens.Purpose


@dataclass
class SignedIn:
    """A sign-in result: the client's body and the new session's token."""

    body: dict[str, Any]
    token: str | None = None


def require_str(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationFailed(f"{field} is required.", details={"field": field})
    return value


def signed_in(user, request) -> SignedIn:
    session, token = create_session(user, request)
    signals.user_signed_in.send(sender=Session, user=user, request=request, session=session)
    return SignedIn({"user": users.user_payload(user), "session": session_payload(session, token)}, token)


def pending(user) -> SignedIn:
    return SignedIn({"user": users.user_payload(user), "session": None})


def _link_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("agnost_auth_links:verify") + "?" + urlencode({"key": token}))


def _send_link(request, user, purpose: str, to: str) -> None:
    token = tokens.issue_link(user, purpose, to)
    context = {"url": _link_url(request, token), "user": user, "target": to,
               "expires_minutes": auth_settings.LINK_TTL // 60}
    try:
        get_adapter().send_mail(purpose, to, context)
    except Exception as exc:
        tokens.void_pending(user, purpose, to)
        raise exceptions.CannotSendAuthEmail() from exc


def _send_code(user, purpose: str, phone: str) -> None:
    code = tokens.issue_code(user, purpose, phone)
    try:
        get_adapter().send_code(purpose, phone, code)
    except Exception as exc:
        tokens.void_pending(user, purpose, phone)
        raise exceptions.CannotSendSmsCode() from exc


def _require_email_auth() -> None:
    if not auth_settings.EMAIL_ENABLED:
        raise exceptions.NotAllowed("Email accounts are disabled.")


def _require_phone_auth() -> None:
    if not auth_settings.PHONE_ENABLED:
        raise exceptions.NotAllowed("Phone accounts are disabled.")


# Sign-up --------------------------------------------------------------------------------

def sign_up_with_email(request, email: Any, password: Any, name_or_user_data: Any = None) -> SignedIn:
    _require_email_auth()
    return _sign_up(request, password, name_or_user_data, email=users.normalise_email(email))


def sign_up_with_phone(request, phone: Any, password: Any, name_or_user_data: Any = None) -> SignedIn:
    _require_phone_auth()
    return _sign_up(request, password, name_or_user_data, phone=users.normalise_phone(phone))


def _sign_up(request, password: Any, name_or_user_data: Any, *, email: str | None = None,
             phone: str | None = None) -> SignedIn:
    """Create the account; with confirmation on, send the link or code and answer
    ``{user, session: null}``, else sign in."""
    require_str(password, "password")
    name, data, picture = users.split_user_data(name_or_user_data)
    if not get_adapter().is_open_for_signup(request, email=email, phone=phone):
        raise exceptions.NotAllowed("Sign-up is closed.")
    confirm = auth_settings.EMAIL_CONFIRMATION if email else auth_settings.PHONE_CONFIRMATION
    with transaction.atomic():
        user = users.create_user(email=email, phone=phone, password=password, name=name,
                                 data=data, profile_picture=picture)
        if confirm and email:
            _send_link(request, user, Purpose.EMAIL_CONFIRM, email)
        elif confirm:
            _send_code(user, Purpose.PHONE_CONFIRM, phone)
    signals.user_signed_up.send(sender=AuthProfile, user=user, request=request, provider="")
    return pending(user) if confirm else signed_in(user, request)


# Sign-in --------------------------------------------------------------------------------

def _password_sign_in(user, password: Any):
    """Check ``password`` for ``user`` (``None`` if unknown), counting failures towards
    the account lock. A locked account refuses every password, right or wrong."""
    if not isinstance(password, str) or not password:
        raise ValidationFailed("password is required.", details={"field": "password"})
    if user is None:
        get_user_model()().set_password(password)  # same time as a real check
        raise exceptions.InvalidSignInCredentials()
    profile = users.profile_of(user)
    if profile.is_locked:
        wait = int((profile.locked_until - timezone.now()).total_seconds()) + 1
        raise exceptions.AccountLocked(details={"retryAfter": wait})
    if profile.provider and not user.has_usable_password():
        raise exceptions.InvalidProviderSignIn(details={"provider": profile.provider})
    if not (user.check_password(password) and user.is_active):
        _record_failure(profile)
        raise exceptions.InvalidSignInCredentials()
    if profile.failed_sign_ins:
        AuthProfile.objects.filter(pk=profile.pk).update(failed_sign_ins=0)
    return profile


def _record_failure(profile: AuthProfile) -> None:
    AuthProfile.objects.filter(pk=profile.pk).update(failed_sign_ins=F("failed_sign_ins") + 1)
    threshold = auth_settings.LOCKOUT_THRESHOLD
    if threshold:  # one UPDATE, so concurrent failures lock exactly once
        AuthProfile.objects.filter(pk=profile.pk, failed_sign_ins__gte=threshold).update(
            failed_sign_ins=0,
            locked_until=timezone.now() + timedelta(seconds=auth_settings.LOCKOUT_DURATION),
        )


def sign_in_with_email(request, email: Any, password: Any) -> SignedIn:
    _require_email_auth()
    email = users.normalise_email(email)
    user = users.find_by_email(email)
    profile = _password_sign_in(user, password)
    if auth_settings.EMAIL_CONFIRMATION and not profile.email_verified:
        raise exceptions.EmailNotVerified()
    return signed_in(user, request)


def sign_in_with_phone(request, phone: Any, password: Any) -> SignedIn:
    _require_phone_auth()
    phone = users.normalise_phone(phone)
    user = users.find_by_phone(phone)
    profile = _password_sign_in(user, password)
    if auth_settings.PHONE_CONFIRMATION and not profile.phone_verified:
        raise exceptions.PhoneNotVerified()
    return signed_in(user, request)


def send_sign_in_code(request, phone: Any) -> None:
    _require_phone_auth()
    if not auth_settings.SIGN_IN_CODES:
        raise exceptions.SmsAuthCodesDisabled()
    phone = users.normalise_phone(phone)
    user = users.find_by_phone(phone)
    if user is not None and user.is_active:
        if users.profile_of(user).phone_verified or not auth_settings.PHONE_CONFIRMATION:
            _send_code(user, Purpose.SIGN_IN_CODE, phone)


def sign_in_with_code(request, phone: Any, code: Any) -> SignedIn:
    _require_phone_auth()
    if not auth_settings.SIGN_IN_CODES:
        raise exceptions.SmsAuthCodesDisabled()
    phone = users.normalise_phone(phone)
    token = tokens.consume_code(phone, code, (Purpose.SIGN_IN_CODE,))
    if not token.user.is_active:
        raise exceptions.InvalidAccessToken()
    # The code reached the phone: that proves it, as a confirmation code would.
    AuthProfile.objects.filter(user=token.user, phone_verified=False).update(phone_verified=True)
    return signed_in(token.user, request)


def get_auth_grant(request, key: Any) -> SignedIn:
    token = tokens.consume_link(key if isinstance(key, str) else None, (Purpose.GRANT,))
    if not token.user.is_active:
        raise exceptions.InvalidAccessToken()
    return signed_in(token.user, request)


# Verification ---------------------------------------------------------------------------

def resend_verification_email(request, email: Any) -> None:
    _require_email_auth()
    if not auth_settings.EMAIL_CONFIRMATION:
        raise exceptions.EmailVerificationDisabled()
    email = users.normalise_email(email)
    user = users.find_by_email(email)
    if user is not None and user.is_active and not users.profile_of(user).email_verified:
        _send_link(request, user, Purpose.EMAIL_CONFIRM, email)


def resend_verification_code(request, phone: Any) -> None:
    _require_phone_auth()
    if not auth_settings.PHONE_CONFIRMATION:
        raise exceptions.PhoneVerificationDisabled()
    phone = users.normalise_phone(phone)
    user = users.find_by_phone(phone)
    if user is not None and user.is_active and not users.profile_of(user).phone_verified:
        _send_code(user, Purpose.PHONE_CONFIRM, phone)


def verify_phone(request, phone: Any, code: Any) -> SignedIn:
    """Confirm a sign-up phone (→ ``{user, session}``) or a phone change (→ ``{user,
    session: null}``) with the SMS code sent to ``phone``."""
    phone = users.normalise_phone(phone)
    token = tokens.consume_code(phone, code, (Purpose.PHONE_CONFIRM, Purpose.CHANGE_PHONE))
    user = token.user
    profile = users.profile_of(user)
    if token.purpose == Purpose.PHONE_CONFIRM:
        AuthProfile.objects.filter(pk=profile.pk).update(phone_verified=True)
        profile.phone_verified = True
        return signed_in(user, request)
    _apply_phone(user, profile, phone)
    return pending(user)


def _apply_phone(user, profile: AuthProfile, phone: str) -> None:
    if AuthProfile.objects.filter(phone=phone).exclude(pk=profile.pk).exists():
        raise exceptions.PhoneNotUnique(details={"field": "phone"})
    old = profile.phone
    profile.phone, profile.phone_verified = phone, auth_settings.PHONE_CONFIRMATION
    profile.save(update_fields=["phone", "phone_verified"])
    signals.phone_changed.send(sender=AuthProfile, user=user, old=old, new=phone)


def _apply_email(user, profile: AuthProfile, email: str, *, verified: bool) -> None:
    existing = users.find_by_email(email)
    if existing is not None and existing.pk != user.pk:
        raise exceptions.EmailNotUnique(details={"field": "email"})
    field = users.email_field()
    old = getattr(user, field, "")
    setattr(user, field, email)
    update = [field]
    username_field = get_user_model().USERNAME_FIELD
    if username_field != field and getattr(user, username_field) == old:
        setattr(user, username_field, get_adapter().free_username(email))
        update.append(username_field)
    user.save(update_fields=update)
    profile.email_verified = verified
    profile.save(update_fields=["email_verified"])
    signals.email_changed.send(sender=AuthProfile, user=user, old=old, new=email)


def open_link(request, key: Any) -> tuple[str, dict[str, str]]:
    """The landing of an emailed link: do what it confirms and return the ``action`` and
    the query parameters for the redirect to the app (spec 6.3)."""
    token = tokens.consume_link(
        key if isinstance(key, str) else None,
        (Purpose.EMAIL_CONFIRM, Purpose.MAGIC_LINK, Purpose.RESET_PASSWORD, Purpose.CHANGE_EMAIL),
    )
    user, purpose = token.user, token.purpose
    profile = users.profile_of(user)
    if not user.is_active:
        raise exceptions.InvalidAccessToken()
    if purpose == Purpose.CHANGE_EMAIL:
        _apply_email(user, profile, token.target, verified=True)
        return purpose, {}
    if purpose == Purpose.RESET_PASSWORD:
        return purpose, {"access_token": tokens.issue_link(user, Purpose.RESET_GRANT, action=purpose)}
    if not profile.email_verified:  # a link that reached the inbox proves the address
        AuthProfile.objects.filter(pk=profile.pk).update(email_verified=True)
    return purpose, {"access_token": tokens.issue_link(user, Purpose.GRANT, action=purpose)}


# Magic link and password reset -------------------------------------------------------

def send_magic_link(request, email: Any) -> None:
    _require_email_auth()
    email = users.normalise_email(email)
    user = users.find_by_email(email)
    if user is not None and user.is_active:
        profile = users.profile_of(user)
        if profile.email_verified or not auth_settings.EMAIL_CONFIRMATION:
            _send_link(request, user, Purpose.MAGIC_LINK, email)


def send_reset_password_email(request, email: Any) -> None:
    _require_email_auth()
    email = users.normalise_email(email)
    user = users.find_by_email(email)
    if user is not None and user.is_active:
        _send_link(request, user, Purpose.RESET_PASSWORD, email)


def send_reset_password_code(request, phone: Any) -> None:
    _require_phone_auth()
    phone = users.normalise_phone(phone)
    user = users.find_by_phone(phone)
    if user is not None and user.is_active:
        _send_code(user, Purpose.RESET_PASSWORD_CODE, phone)


def _set_new_password(request, user, new_password: str, *, keep=None) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password"])
    AuthProfile.objects.filter(user=user).update(failed_sign_ins=0, locked_until=None)
    others = Session.objects.filter(user=user)
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    revoke(others, user=user)
    signals.password_changed.send(sender=AuthProfile, user=user, request=request)


def reset_password_with_token(request, key: Any, new_password: Any) -> None:
    """Set a password with the access token of a reset link; signs out every session."""
    require_str(new_password, "newPassword")
    token = tokens.peek_link(key if isinstance(key, str) else None, (Purpose.RESET_GRANT,))
    users.check_password(new_password, token.user)
    tokens.consume_link(key, (Purpose.RESET_GRANT,))
    _set_new_password(request, token.user, new_password)


def reset_password_with_code(request, phone: Any, code: Any, new_password: Any) -> None:
    """Set a password with an SMS reset code; signs out every session."""
    _require_phone_auth()
    phone = users.normalise_phone(phone)
    require_str(new_password, "newPassword")
    user = users.find_by_phone(phone)
    if user is not None:
        users.check_password(new_password, user)
    token = tokens.consume_code(phone, code, (Purpose.RESET_PASSWORD_CODE,))
    _set_new_password(request, token.user, new_password)


# Signed-in user -------------------------------------------------------------------------

def _check_current_password(user, password: Any, field: str) -> None:
    if not isinstance(password, str) or not user.check_password(password):
        raise exceptions.InvalidCredentials(details={"field": field})


def change_password(request, user, session, new_password: Any, old_password: Any) -> None:
    """Change the password; every other session is signed out."""
    _check_current_password(user, old_password, "oldPassword")
    require_str(new_password, "newPassword")
    users.check_password(new_password, user)
    _set_new_password(request, user, new_password, keep=session)


def change_email(request, user, current_password: Any, new_email: Any) -> dict[str, Any]:
    _require_email_auth()
    _check_current_password(user, current_password, "currentPassword")
    email = users.normalise_email(new_email)
    existing = users.find_by_email(email)
    if existing is not None and existing.pk != user.pk:
        raise exceptions.EmailNotUnique(details={"field": "newEmail"})
    profile = users.profile_of(user)
    if auth_settings.EMAIL_CONFIRMATION:
        _send_link(request, user, Purpose.CHANGE_EMAIL, email)
    else:
        _apply_email(user, profile, email, verified=False)
    return users.user_payload(user)


def change_phone(request, user, current_password: Any, new_phone: Any) -> dict[str, Any]:
    _require_phone_auth()
    _check_current_password(user, current_password, "currentPassword")
    phone = users.normalise_phone(new_phone)
    if AuthProfile.objects.filter(phone=phone).exclude(user=user).exists():
        raise exceptions.PhoneNotUnique(details={"field": "newPhone"})
    profile = users.profile_of(user)
    if auth_settings.PHONE_CONFIRMATION:
        _send_code(user, Purpose.CHANGE_PHONE, phone)
    else:
        _apply_phone(user, profile, phone)
    return users.user_payload(user)


def sign_out(user, current: Session, token: Any = None) -> bool:
    """Delete the session named by ``token`` (one of the caller's, by token or id), or the
    current one. Returns whether the current session was deleted."""
    if token:
        if not isinstance(token, str):
            raise ValidationFailed("token must be a string.", details={"field": "token"})
        session = find_user_session(user, token)
        if session is None:
            raise exceptions.SessionNotFound()
    else:
        session = current
    revoke(Session.objects.filter(pk=session.pk), user=user)
    return session.pk == current.pk


def sign_out_all(user) -> None:
    revoke(Session.objects.all(), user=user)


def sign_out_all_except(user, current: Session) -> None:
    revoke(Session.objects.exclude(pk=current.pk), user=user)


def list_sessions(user, current: Session, current_token: str) -> list[dict[str, Any]]:
    live = Session.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("-created_at")
    return [session_payload(s, current_token if s.pk == current.pk else None) for s in live]
