"""Users as the client sees them: lookup by email or phone, creation, the User shape."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from agnost_django.auth import exceptions
from agnost_django.auth.conf import auth_settings
from agnost_django.auth.models import AuthProfile
from agnost_django.core.exceptions import ValidationFailed

# Keys of ``nameOrUserData`` that are never copied into the profile's extra fields; the
# verification flags are the server's to set, not the client's.
RESERVED_FIELDS = {
    "_id", "id", "email", "phone", "password", "provider", "providerUserId", "signUpAt",
    "lastLoginAt", "emailVerified", "phoneVerified", "name", "profilePicture",
}


def normalise_email(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise exceptions.InvalidEmail(details={"field": "email"})
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise exceptions.InvalidEmail(details={"field": "email", "value": value}) from None
    return email


def _phonenumbers():
    try:
        import phonenumbers
    except ImportError as exc:
        raise ImproperlyConfigured(
            "Phone numbers (sign-up, sign-in and codes by SMS) need phonenumbers: "
            "pip install 'agnost-django[phone]'") from exc
    return phonenumbers


def normalise_phone(value: Any) -> str:
    if value is None or value == "":
        raise exceptions.MissingPhoneNumber(details={"field": "phone"})
    if not isinstance(value, str):
        raise exceptions.InvalidPhone(details={"field": "phone"})
    phonenumbers = _phonenumbers()
    try:
        number = phonenumbers.parse(value.strip(), auth_settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise exceptions.InvalidPhone(details={"field": "phone", "value": value}) from None
    if not phonenumbers.is_valid_number(number):
        raise exceptions.InvalidPhone(details={"field": "phone", "value": value})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_password(password: Any, user=None) -> str:
    if not isinstance(password, str) or not password:
        raise exceptions.InvalidPassword(details={"field": "password", "reasons": ["required"]})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise exceptions.InvalidPassword(
            " ".join(exc.messages), details={"field": "password", "reasons": exc.messages}
        ) from None
    return password


def email_field() -> str:
    return get_user_model().get_email_field_name()


def find_by_email(email: str):
    User = get_user_model()
    return User._default_manager.filter(**{f"{email_field()}__iexact": email}).first()


def find_by_phone(phone: str):
    profile = AuthProfile.objects.select_related("user").filter(phone=phone).first()
    return profile.user if profile else None


def profile_of(user) -> AuthProfile:
    """The user's profile, created on first use for users made outside agnost (admin,
    createsuperuser)."""
    try:
        return user.agnost_profile
    except AuthProfile.DoesNotExist:
        profile, _created = AuthProfile.objects.get_or_create(
            user=user,
            defaults={"sign_up_at": getattr(user, "date_joined", None) or timezone.now()},
        )
        user.agnost_profile = profile
        return profile


def create_user(
    *,
    email: str | None = None,
    phone: str | None = None,
    password: str | None = None,
    name: str = "",
    data: dict[str, Any] | None = None,
    email_verified: bool = False,
    phone_verified: bool = False,
    provider: str = "",
    provider_user_id: str = "",
    profile_picture: str = "",
):
    """Create a user and its profile in one transaction. Raises ``email_not_unique`` /
    ``phone_not_unique`` (also when a concurrent sign-up wins the race)."""
    from agnost_django.auth.adapter import get_adapter

    if email and find_by_email(email):
        raise exceptions.EmailNotUnique(details={"field": "email"})
    if phone and AuthProfile.objects.filter(phone=phone).exists():
        raise exceptions.PhoneNotUnique(details={"field": "phone"})
    user = get_adapter().new_user(email=email, phone=phone)
    if password:
        check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            now = timezone.now()
            user.agnost_profile = AuthProfile.objects.create(
                user=user, phone=phone or None, name=name or "", data=data or {},
                email_verified=email_verified, phone_verified=phone_verified,
                provider=provider, provider_user_id=provider_user_id,
                profile_picture=profile_picture, sign_up_at=now, last_login_at=now,
            )
    except IntegrityError:
        if phone and AuthProfile.objects.filter(phone=phone).exists():
            raise exceptions.PhoneNotUnique(details={"field": "phone"}) from None
        raise exceptions.EmailNotUnique(details={"field": "email"}) from None
    return user


def split_user_data(name_or_user_data: Any) -> tuple[str, dict[str, Any], str]:
    """``nameOrUserData``: a string is the name; an object's known fields are kept and the
    rest stored as extra fields (reserved keys dropped)."""
    if name_or_user_data is None:
        return "", {}, ""
    if isinstance(name_or_user_data, str):
        return name_or_user_data[:255], {}, ""
    if isinstance(name_or_user_data, dict):
        name = name_or_user_data.get("name")
        picture = name_or_user_data.get("profilePicture")
        extra = {k: v for k, v in name_or_user_data.items() if k not in RESERVED_FIELDS}
        return (str(name)[:255] if name else ""), extra, (str(picture)[:1000] if picture else "")
    raise ValidationFailed(
        "nameOrUserData must be a string or an object.", details={"field": "nameOrUserData"}
    )


def user_payload(user) -> dict[str, Any]:
    """The client's User object."""
    profile = profile_of(user)
    payload: dict[str, Any] = dict(profile.data)
    payload.update({
        "_id": str(user.pk),
        "provider": profile.provider or auth_settings.LOCAL_PROVIDER,
        "providerUserId": profile.provider_user_id or str(user.pk),
        "signUpAt": profile.sign_up_at.isoformat(),
        "lastLoginAt": profile.last_login_at.isoformat(),
        "emailVerified": profile.email_verified,
        "phoneVerified": profile.phone_verified,
    })
    email = getattr(user, email_field(), "") or ""
    if email and not email.endswith("@phone.invalid"):
        payload["email"] = email
    if profile.phone:
        payload["phone"] = profile.phone
    if profile.name:
        payload["name"] = profile.name
    if profile.profile_picture:
        payload["profilePicture"] = profile.profile_picture
    return payload
