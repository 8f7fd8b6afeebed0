"""URLconf of a few tests: the example project's routes plus views that misbehave."""

from django.urls import include, path

from tests.auth.views import WhoAmI
from tests.core import views

urlpatterns = [
    path("_api/rest/v1/test/boom", views.BoomView.as_view()),
    path("_api/rest/v1/test/plain-boom", views.plain_boom),
    path("_api/rest/v1/test/plain-404", views.plain_not_found),
    path("host/whoami", WhoAmI.as_view()),
    path("", include("project.urls")),
]
