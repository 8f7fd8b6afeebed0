"""Wire shapes of the auth routes (spec 3.1 and 6.1), for the OpenAPI schema and the
browsable API's forms. The flows validate the input themselves (codes of spec 2.6)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": True}]})
class NameOrUserDataField(serializers.JSONField):
    """The user's name, or an object of extra user fields."""


# Requests

class SignUpEmailSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField()
    nameOrUserData = NameOrUserDataField(required=False)


class SignUpPhoneSerializer(serializers.Serializer):
    phone = serializers.CharField(help_text="E.164, e.g. +15005550006.")
    password = serializers.CharField()
    nameOrUserData = NameOrUserDataField(required=False)


class SignInEmailSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField()


class SignInPhoneSerializer(serializers.Serializer):
    phone = serializers.CharField()
    password = serializers.CharField()


class SignOutSerializer(serializers.Serializer):
    token = serializers.CharField(required=False, help_text="A session of the caller; the current one if absent.")


class ChangePasswordSerializer(serializers.Serializer):
    newPassword = serializers.CharField()
    oldPassword = serializers.CharField()


class NewPasswordSerializer(serializers.Serializer):
    newPassword = serializers.CharField()


class ChangeEmailSerializer(serializers.Serializer):
    currentPassword = serializers.CharField()
    newEmail = serializers.EmailField()


class ChangePhoneSerializer(serializers.Serializer):
    currentPassword = serializers.CharField()
    newPhone = serializers.CharField()


# Responses

class UserSerializer(serializers.Serializer):
    """The client's User; the app's extra user fields come along."""

    _id = serializers.CharField()
    provider = serializers.CharField()
    providerUserId = serializers.CharField()
    email = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    profilePicture = serializers.CharField(required=False)
    signUpAt = serializers.DateTimeField()
    lastLoginAt = serializers.DateTimeField()
    emailVerified = serializers.BooleanField()
    phoneVerified = serializers.BooleanField()


class SessionSerializer(serializers.Serializer):
    """The client's Session. ``token`` is the secret for the caller's own session, the
    public ``id`` for the others."""

    userId = serializers.CharField()
    token = serializers.CharField()
    id = serializers.CharField()
    creationDtm = serializers.DateTimeField()
    expiresAt = serializers.DateTimeField()
    lastUsedAt = serializers.DateTimeField()
    accessGroupKeys = serializers.ListField(child=serializers.CharField())
    userAgent = serializers.DictField(help_text="{family, major, minor, patch, device: {...}, os: {...}}")
    ip = serializers.CharField(allow_null=True)


class SignedInSerializer(serializers.Serializer):
    user = UserSerializer()
    session = SessionSerializer(allow_null=True, help_text="null while a confirmation is pending.")
