"""The websocket route of the realtime module, composed by ``agnost_django.routing``."""

from django.urls import re_path

from agnost_django.realtime.consumer import SocketIOConsumer

websocket_urlpatterns = [
    re_path(r"^socket\.io/$", SocketIOConsumer.as_asgi()),
]
