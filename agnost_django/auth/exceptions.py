"""Error codes and exceptions of the auth module (Agnost's spellings where they exist)."""

from __future__ import annotations

from enum import Enum

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from agnost_django.core.callers import InvalidSessionToken, MissingSessionToken  # noqa: F401 (core's contract)
from agnost_django.core.exceptions import AgnostAPIError


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


def _error(name: str, http_status: int, code: AuthErrorCode, detail: str, doc: str) -> type[AgnostAPIError]:
    return type(name, (AgnostAPIError,), {
        "status_code": http_status, "default_code": code.value,
        "default_detail": detail, "__doc__": doc,
    })


S = status
NotAllowed = _error("NotAllowed", S.HTTP_403_FORBIDDEN, AuthErrorCode.NOT_ALLOWED,
                    _("This authentication method is disabled."), "The auth method is switched off (403).")
EmailNotUnique = _error("EmailNotUnique", S.HTTP_400_BAD_REQUEST, AuthErrorCode.EMAIL_NOT_UNIQUE,
                        _("An account with this email address already exists."), "Duplicate email (400).")
PhoneNotUnique = _error("PhoneNotUnique", S.HTTP_400_BAD_REQUEST, AuthErrorCode.PHONE_NOT_UNIQUE,
                        _("An account with this phone number already exists."), "Duplicate phone (400).")
InvalidEmail = _error("InvalidEmail", S.HTTP_400_BAD_REQUEST, AuthErrorCode.INVALID_EMAIL,
                      _("Enter a valid email address."), "Malformed email (400).")
InvalidPhone = _error("InvalidPhone", S.HTTP_400_BAD_REQUEST, AuthErrorCode.INVALID_PHONE,
                      _("Enter a valid phone number in international format (+15551234567)."),
                      "Malformed phone number (400).")
InvalidPassword = _error("InvalidPassword", S.HTTP_400_BAD_REQUEST, AuthErrorCode.INVALID_PASSWORD,
                         _("This password is not allowed."), "A password the validators refuse (400).")
InvalidCredentials = _error("InvalidCredentials", S.HTTP_401_UNAUTHORIZED, AuthErrorCode.INVALID_CREDENTIALS,
                            _("The current password is not correct."),
                            "Wrong current password on a credential change (401).")
InvalidSignInCredentials = _error("InvalidSignInCredentials", S.HTTP_401_UNAUTHORIZED,
                                  AuthErrorCode.INVALID_SIGN_IN_CREDENTIALS,
                                  _("The email or phone and password do not match."),
                                  "Unknown account or wrong password (401; the same for both).")
InvalidProviderSignIn = _error("InvalidProviderSignIn", S.HTTP_401_UNAUTHORIZED, AuthErrorCode.INVALID_PROVIDER_SIGN_IN,
                               _("This account signs in through its OAuth provider."),
                               "Password sign-in of an OAuth account (401).")
EmailNotVerified = _error("EmailNotVerified", S.HTTP_401_UNAUTHORIZED, AuthErrorCode.EMAIL_NOT_VERIFIED,
                          _("Confirm your email address first."), "Sign-in before email confirmation (401).")
PhoneNotVerified = _error("PhoneNotVerified", S.HTTP_401_UNAUTHORIZED, AuthErrorCode.PHONE_NOT_VERIFIED,
                          _("Confirm your phone number first."), "Sign-in before phone confirmation (401).")
EmailVerificationDisabled = _error("EmailVerificationDisabled", S.HTTP_400_BAD_REQUEST,
                                   AuthErrorCode.EMAIL_VERIFICATION_DISABLED,
                                   _("Email confirmation is not enabled."), "Email confirmation is off (400).")
PhoneVerificationDisabled = _error("PhoneVerificationDisabled", S.HTTP_400_BAD_REQUEST,
                                   AuthErrorCode.PHONE_VERIFICATION_DISABLED,
                                   _("Phone confirmation is not enabled."), "Phone confirmation is off (400).")
SmsAuthCodesDisabled = _error("SmsAuthCodesDisabled", S.HTTP_400_BAD_REQUEST, AuthErrorCode.SMS_AUTH_CODES_DISABLED,
                              _("Sign-in with SMS codes is not enabled."), "Sign-in codes are off (400).")
MissingAccessToken = _error("MissingAccessToken", S.HTTP_400_BAD_REQUEST, AuthErrorCode.MISSING_ACCESS_TOKEN,
                            _("The access token is missing."), "No access token or code was given (400).")
InvalidAccessToken = _error("InvalidAccessToken", S.HTTP_403_FORBIDDEN, AuthErrorCode.INVALID_ACCESS_TOKEN,
                            _("The access token or code is not valid, was used already or has expired."),
                            "Unknown, used or expired token or code (403).")
InvalidTokenType = _error("InvalidTokenType", S.HTTP_401_UNAUTHORIZED, AuthErrorCode.INVALID_TOKEN_TYPE,
                          _("This token cannot be used here."), "A token of another purpose (401).")
MissingPhoneNumber = _error("MissingPhoneNumber", S.HTTP_400_BAD_REQUEST, AuthErrorCode.MISSING_PHONE_NUMBER,
                            _("The phone number is missing."), "No phone given (400).")
MissingSmsCode = _error("MissingSmsCode", S.HTTP_400_BAD_REQUEST, AuthErrorCode.MISSING_SMS_CODE,
                        _("The SMS code is missing."), "No code given (400).")
AccountLocked = _error("AccountLocked", S.HTTP_403_FORBIDDEN, AuthErrorCode.ACCOUNT_LOCKED,
                       _("Too many failed sign-ins: this account is locked for a while."),
                       "Password sign-in of a locked account (403).")
UserNotFound = _error("UserNotFound", S.HTTP_404_NOT_FOUND, AuthErrorCode.USER_NOT_FOUND,
                      _("No such user."), "Server library: unknown user (404).")
SessionNotFound = _error("SessionNotFound", S.HTTP_404_NOT_FOUND, AuthErrorCode.SESSION_NOT_FOUND,
                         _("No such session of this user."),
                         "signOut with a token that is not one of the caller's sessions (404, not invalidating).")
CannotSendAuthEmail = _error("CannotSendAuthEmail", S.HTTP_503_SERVICE_UNAVAILABLE, AuthErrorCode.CANNOT_SEND_AUTH_EMAIL,
                             _("The email could not be sent."), "The email backend failed (503).")
CannotSendSmsCode = _error("CannotSendSmsCode", S.HTTP_503_SERVICE_UNAVAILABLE, AuthErrorCode.CANNOT_SEND_SMS_CODE,
                           _("The SMS could not be sent."), "The SMS backend failed (503).")
UnsupportedOAuthProvider = _error("UnsupportedOAuthProvider", S.HTTP_404_NOT_FOUND,
                                  AuthErrorCode.UNSUPPORTED_OAUTH_PROVIDER,
                                  _("No such OAuth provider."), "Unknown provider name (404).")
OAuthProviderNotConfigured = _error("OAuthProviderNotConfigured", S.HTTP_501_NOT_IMPLEMENTED,
                                    AuthErrorCode.OAUTH_PROVIDER_NOT_CONFIGURED,
                                    _("This OAuth provider is not configured."),
                                    "A provider without client credentials (501).")
