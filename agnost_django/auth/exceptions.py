"""Error codes and exceptions of the auth module (Agnost's spellings where they exist)."""

from __future__ import annotations

from enum import Enum

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from agnost_django.core.callers import InvalidSessionToken, MissingSessionToken  # noqa: F401 (core's contract)
from agnost_django.core.exceptions import AgnostAPIError, NotAllowed  # noqa: F401 (not_allowed is core's)


class AuthErrorCode(str, Enum):
    MISSING_SESSION_TOKEN = "missing_session_token"
    INVALID_SESSION_TOKEN = "invalid_session_token"
    NOT_ALLOWED = "not_allowed"
    EMAIL_NOT_UNIQUE = "email_not_unique"
    PHONE_NOT_UNIQUE = "phone_not_unique"
    INVALID_EMAIL = "invalid_email_address"
    INVALID_PHONE = "invalid_phone_number"
    INVALID_PASSWORD = "invalid_password"
    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_SIGN_IN_CREDENTIALS = "invalid_sign_in_credentials"
    INVALID_PROVIDER_SIGN_IN = "invalid_provider_sign_in"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    PHONE_NOT_VERIFIED = "phone_not_verified"
    EMAIL_VERIFICATION_DISABLED = "email_verification_disabled"
    PHONE_VERIFICATION_DISABLED = "phone_verification_disabled"
    SMS_AUTH_CODES_DISABLED = "sms_auth_codes_disabled"
    MISSING_ACCESS_TOKEN = "missing_access_token"
    INVALID_ACCESS_TOKEN = "invalid_access_token"
    INVALID_TOKEN_TYPE = "invalid_token_type"
    MISSING_PHONE_NUMBER = "missing_phone_number"
    MISSING_SMS_CODE = "missing_sms_code"
    ACCOUNT_LOCKED = "account_locked"
    USER_NOT_FOUND = "user_not_found"
    SESSION_NOT_FOUND = "session_not_found"
    CANNOT_SEND_AUTH_EMAIL = "cannot_send_auth_email"
    CANNOT_SEND_SMS_CODE = "cannot_send_sms_code"
    UNSUPPORTED_OAUTH_PROVIDER = "unsupported_oauth_provider"
    OAUTH_PROVIDER_NOT_CONFIGURED = "oauth_provider_not_configured"


class EmailNotUnique(AgnostAPIError):
    """Duplicate email (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = AuthErrorCode.EMAIL_NOT_UNIQUE.value
    default_detail = _("An account with this email address already exists.")


class PhoneNotUnique(AgnostAPIError):
    """Duplicate phone (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = AuthErrorCode.PHONE_NOT_UNIQUE.value
    default_detail = _("An account with this phone number already exists.")


class InvalidEmail(AgnostAPIError):
    """Malformed email (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = AuthErrorCode.INVALID_EMAIL.value
    default_detail = _("Enter a valid email address.")


class InvalidPhone(AgnostAPIError):
    """Malformed phone number (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = AuthErrorCode.INVALID_PHONE.value
    default_detail = _("Enter a valid phone number in international format (+15551234567).")


class InvalidPassword(AgnostAPIError):
    """A password the validators refuse (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = AuthErrorCode.INVALID_PASSWORD.value
    default_detail = _("This password is not allowed.")


class InvalidCredentials(AgnostAPIError):
    """Wrong current password on a credential change (401)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = AuthErrorCode.INVALID_CREDENTIALS.value
    default_detail = _("The current password is not correct.")


class InvalidSignInCredentials(AgnostAPIError):
    """Unknown account or wrong password (401; the same for both)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = AuthErrorCode.INVALID_SIGN_IN_CREDENTIALS.value
    default_detail = _("The email or phone and password do not match.")


class InvalidProviderSignIn(AgnostAPIError):
    """Password sign-in of an OAuth account (401)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = AuthErrorCode.INVALID_PROVIDER_SIGN_IN.value
    default_detail = _("This account signs in through its OAuth provider.")


class EmailNotVerified(AgnostAPIError):
    """Sign-in before email confirmation (401)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = AuthErrorCode.EMAIL_NOT_VERIFIED.value
    default_detail = _("Confirm your email address first.")


class PhoneNotVerified(AgnostAPIError):
    """Sign-in before phone confirmation (401)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = AuthErrorCode.PHONE_NOT_VERIFIED.value
    default_detail = _("Confirm your phone number first.")


class EmailVerificationDisabled(AgnostAPIError):
    """Email confirmation is off (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = AuthErrorCode.EMAIL_VERIFICATION_DISABLED.value
    default_detail = _("Email confirmation is not enabled.")


class PhoneVerificationDisabled(AgnostAPIError):
    """Phone confirmation is off (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = AuthErrorCode.PHONE_VERIFICATION_DISABLED.value
    default_detail = _("Phone confirmation is not enabled.")


class SmsAuthCodesDisabled(AgnostAPIError):
    """Sign-in codes are off (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = AuthErrorCode.SMS_AUTH_CODES_DISABLED.value
    default_detail = _("Sign-in with SMS codes is not enabled.")


class MissingAccessToken(AgnostAPIError):
    """No access token or code was given (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = AuthErrorCode.MISSING_ACCESS_TOKEN.value
    default_detail = _("The access token is missing.")


class InvalidAccessToken(AgnostAPIError):
    """Unknown, used or expired token or code (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = AuthErrorCode.INVALID_ACCESS_TOKEN.value
    default_detail = _("The access token or code is not valid, was used already or has expired.")


class InvalidTokenType(AgnostAPIError):
    """A token of another purpose (401)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = AuthErrorCode.INVALID_TOKEN_TYPE.value
    default_detail = _("This token cannot be used here.")


class MissingPhoneNumber(AgnostAPIError):
    """No phone given (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = AuthErrorCode.MISSING_PHONE_NUMBER.value
    default_detail = _("The phone number is missing.")


class MissingSmsCode(AgnostAPIError):
    """No code given (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = AuthErrorCode.MISSING_SMS_CODE.value
    default_detail = _("The SMS code is missing.")


class AccountLocked(AgnostAPIError):
    """Password sign-in of a locked account (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = AuthErrorCode.ACCOUNT_LOCKED.value
    default_detail = _("Too many failed sign-ins: this account is locked for a while.")


class UserNotFound(AgnostAPIError):
    """Server library: unknown user (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = AuthErrorCode.USER_NOT_FOUND.value
    default_detail = _("No such user.")


class SessionNotFound(AgnostAPIError):
    """signOut with a token that is not one of the caller's sessions (404, not invalidating)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = AuthErrorCode.SESSION_NOT_FOUND.value
    default_detail = _("No such session of this user.")


class CannotSendAuthEmail(AgnostAPIError):
    """The email backend failed (503)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = AuthErrorCode.CANNOT_SEND_AUTH_EMAIL.value
    default_detail = _("The email could not be sent.")


class CannotSendSmsCode(AgnostAPIError):
    """The SMS backend failed (503)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = AuthErrorCode.CANNOT_SEND_SMS_CODE.value
    default_detail = _("The SMS could not be sent.")


class UnsupportedOAuthProvider(AgnostAPIError):
    """Unknown provider name (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = AuthErrorCode.UNSUPPORTED_OAUTH_PROVIDER.value
    default_detail = _("No such OAuth provider.")


class OAuthProviderNotConfigured(AgnostAPIError):
    """A provider without client credentials (501)."""

    status_code = status.HTTP_501_NOT_IMPLEMENTED
    default_code = AuthErrorCode.OAUTH_PROVIDER_NOT_CONFIGURED.value
    default_detail = _("This OAuth provider is not configured.")
