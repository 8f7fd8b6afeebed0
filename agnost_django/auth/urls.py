"""Routes of the auth module, mounted under ``/_api/rest/v1/`` by ``agnost_django.urls``."""

from __future__ import annotations

from django.urls import path

from agnost_django.auth.views import AuthViewSet

app_name = "agnost_auth"

ROUTES = {
    # path: {method: action}
    "signup-email": {"post": "signup_email"},
    "signup-phone": {"post": "signup_phone"},
    "signin-email": {"post": "signin_email"},
    "signin-phone": {"post": "signin_phone"},
    "signin-code": {"post": "signin_code"},
    "signout": {"post": "signout"},
    "signout-all": {"post": "signout_all"},
    "signout-all-except": {"post": "signout_all_except"},
    "sessions": {"get": "sessions"},
    "user": {"get": "user"},
    "change-pwd": {"post": "change_pwd"},
    "grant": {"get": "grant"},
    "resend": {"post": "resend"},
    "resend-code": {"post": "resend_code"},
    "send-magic": {"post": "send_magic"},
    "send-reset": {"post": "send_reset"},
    "send-reset-code": {"post": "send_reset_code"},
    "send-code": {"post": "send_code"},
    "reset-pwd": {"post": "reset_pwd"},
    "reset-pwd-code": {"post": "reset_pwd_code"},
    "change-email": {"post": "change_email"},
    "change-phone": {"post": "change_phone"},
    "verify-phone": {"post": "verify_phone"},
}

urlpatterns = [
    path(f"auth/{route}", AuthViewSet.as_view(actions), name=route)
    for route, actions in ROUTES.items()
]
