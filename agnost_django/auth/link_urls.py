"""Browser-facing routes of the auth module, mounted under ``/_auth/``: the landing of
emailed links and the OAuth redirect and callback."""

from __future__ import annotations

from django.urls import path

from agnost_django.auth.views import LinkLandingView, OAuthCallbackView, OAuthStartView

app_name = "agnost_auth_links"

urlpatterns = [
    path("verify", LinkLandingView.as_view(), name="verify"),
    path("<str:provider>", OAuthStartView.as_view(), name="oauth-start"),
    path("<str:provider>/callback", OAuthCallbackView.as_view(), name="oauth-callback"),
]
