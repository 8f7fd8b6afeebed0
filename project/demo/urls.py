"""The demo page at ``/``: ``path("", include("project.demo.urls"))`` in ``project/urls.py``."""

from django.urls import path

from project.demo import views

app_name = "demo"

urlpatterns = [
    path("", views.index, name="index"),
]
