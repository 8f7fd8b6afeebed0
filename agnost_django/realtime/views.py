"""``POST /_api/rest/v1/realtime/get-members`` (spec 3.8)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from agnost_django.core.api import AgnostViewSet
from agnost_django.core.callers import MissingSessionToken
from agnost_django.core.schema import error_responses
from agnost_django.realtime import names, services
from agnost_django.realtime.adapter import get_adapter
from agnost_django.realtime.conf import realtime_settings
from agnost_django.realtime.exceptions import ChannelNotAllowed


class ChannelSerializer(serializers.Serializer):
    channel = serializers.CharField()


class MemberSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The member's socket id.")
    data = serializers.JSONField(allow_null=True, help_text="Its profile (updateProfile), or null.")


@extend_schema(tags=["realtime"])
class RealtimeViewSet(AgnostViewSet):
    agnost_module = "realtime"

    @property
    def app_settings(self):
        return realtime_settings

    def get_serializer(self, *args, **kwargs):
        return ChannelSerializer(*args, **kwargs)

    @extend_schema(request=ChannelSerializer, responses={200: MemberSerializer(many=True), **error_responses(503)},
                   description="The channel's members.")
    def get_members(self, request):
        body = self.body()
        services.require_enabled()
        channel = names.clean_channel(body.get("channel"))
        user = request.user if request.user.is_authenticated else None
        if not get_adapter().can_see_members(user, channel):
            if user is None:
                raise MissingSessionToken()
            raise ChannelNotAllowed(details={"channel": channel})
        return Response(services.get_members(channel))
