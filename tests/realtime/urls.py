from django.urls import include, path

from tests.realtime import views

urlpatterns = [
    path("host/announce", views.announce),
    path("", include("project.urls")),
]
