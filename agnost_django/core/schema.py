"""drf-spectacular integration: the client-key header on every operation, and the admin
session as a security scheme for the browsable API."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter


class AgnostAutoSchema(AutoSchema):
    def get_override_parameters(self):
        from agnost_django.core.conf import core_settings

        return [
            *super().get_override_parameters(),
            OpenApiParameter(
                core_settings.CLIENT_KEY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Client key (required, except for staff signed in to the admin).",
            ),
        ]


class StaffSessionScheme(OpenApiAuthenticationExtension):
    target_class = "agnost_django.core.authentication.StaffSessionAuthentication"
    name = "adminSession"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
