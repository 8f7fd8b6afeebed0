"""Routes of the realtime module under ``/_api/rest/v1/`` (the websocket is in routing.py)."""

from django.urls import path

from agnost_django.realtime.views import RealtimeViewSet

app_name = "agnost_realtime"

urlpatterns = [
    path("realtime/get-members", RealtimeViewSet.as_view({"post": "get_members"}), name="get-members"),
]
