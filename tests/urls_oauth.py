"""The example project's routes plus django-oauth-toolkit at ``o/``: a real OpenID Connect
provider for the OAuth sign-in tests (``@pytest.mark.urls("tests.urls_oauth")``)."""

from django.urls import include, path

from project.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    *project_urlpatterns,
]
