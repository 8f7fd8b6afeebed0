from django.urls import path

from agnost_django.functions.views import EndpointListView

app_name = "agnost_functions"

urlpatterns = [
    path("endpoints", EndpointListView.as_view(), name="endpoints"),
]
