"""The client's AuthManager routes under ``/_api/rest/v1/auth/`` and the browser-facing
link landing under ``/_auth/``."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.utils.http import urlencode
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from agnost_django.auth import flows
from agnost_django.auth.authentication import COOKIE
from agnost_django.auth.conf import auth_settings
from agnost_django.auth import serializers as s
from agnost_django.auth.permissions import IsSignedIn
from agnost_django.auth.throttles import AuthRateThrottle
from agnost_django.auth.users import user_payload
from agnost_django.core.api import AgnostViewSet
from agnost_django.core.exceptions import AgnostAPIError
from agnost_django.core.schema import NULL, error_responses

SESSION_ACTIONS = {
    "signout", "signout_all", "signout_all_except", "sessions", "user", "change_pwd",
    "change_email", "change_phone",
}
THROTTLE_SCOPES = {
    "signup_email": "sign_up", "signup_phone": "sign_up",
    "signin_email": "sign_in", "signin_phone": "sign_in", "signin_code": "sign_in",
    "grant": "sign_in", "verify_phone": "sign_in", "reset_pwd": "sign_in", "reset_pwd_code": "sign_in",
    "resend": "send", "resend_code": "send", "send_magic": "send", "send_reset": "send",
    "send_reset_code": "send", "send_code": "send",
}


def signed_in_response(request, result: flows.SignedIn) -> Response:
    response = Response(result.body)
    if result.token and auth_settings.SESSION_COOKIE:
        secure = request.is_secure()
        response.set_cookie(
            COOKIE, result.token, max_age=auth_settings.SESSION_TTL, httponly=True,
            secure=secure, samesite="None" if secure else "Lax",
        )
    return response


def cleared(response: Response) -> Response:
    if auth_settings.SESSION_COOKIE:
        response.delete_cookie(COOKIE)
    return response


def _query(*names: str) -> list[OpenApiParameter]:
    return [OpenApiParameter(name, str, required=True) for name in names]


def _doc(request=None, response=NULL, errors=(), query=()):
    """``extend_schema`` of one auth action: ``response`` on 200 (JSON ``null`` by default,
    which the client ignores), the action's own error statuses, its query parameters."""
    return extend_schema(request=request, parameters=_query(*query),
                         responses={200: response, **error_responses(*errors)})


@extend_schema(tags=["auth"])
class AuthViewSet(AgnostViewSet):
    """Sign-up, sign-in, sessions, verification and credential changes."""

    agnost_module = "auth"

    @property
    def app_settings(self):
        return auth_settings

    def get_permissions(self):
        permissions = super().get_permissions()
        if self.action in SESSION_ACTIONS:
            permissions.append(IsSignedIn())
        return permissions

    def get_throttles(self):
        scope = THROTTLE_SCOPES.get(self.action)
        return [*super().get_throttles(), *([AuthRateThrottle(scope)] if scope else [])]

    # Helpers
    def query(self, name):
        return self.request.query_params.get(name)

    @property
    def session(self):
        return self.request.auth

    # Sign-up and sign-in
    @_doc(s.SignUpEmailSerializer, s.SignedInSerializer, (503,))
    def signup_email(self, request):
        return signed_in_response(request, flows.sign_up_with_email(
            request, self.field("email"), self.field("password"), self.field("nameOrUserData")))

    @_doc(s.SignUpPhoneSerializer, s.SignedInSerializer, (503,))
    def signup_phone(self, request):
        return signed_in_response(request, flows.sign_up_with_phone(
            request, self.field("phone"), self.field("password"), self.field("nameOrUserData")))

    @_doc(s.SignInEmailSerializer, s.SignedInSerializer)
    def signin_email(self, request):
        return signed_in_response(request, flows.sign_in_with_email(
            request, self.field("email"), self.field("password")))

    @_doc(s.SignInPhoneSerializer, s.SignedInSerializer)
    def signin_phone(self, request):
        return signed_in_response(request, flows.sign_in_with_phone(
            request, self.field("phone"), self.field("password")))

    @_doc(None, s.SignedInSerializer, query=("code", "phone"))
    def signin_code(self, request):
        return signed_in_response(request, flows.sign_in_with_code(
            request, self.query("phone"), self.query("code")))

    @_doc(None, s.SignedInSerializer, query=("key",))
    def grant(self, request):
        return signed_in_response(request, flows.get_auth_grant(request, self.query("key")))

    @_doc(None, s.SignedInSerializer, query=("code", "phone"))
    def verify_phone(self, request):
        return signed_in_response(request, flows.verify_phone(
            request, self.query("phone"), self.query("code")))

    # Sending links and codes
    @_doc(errors=(503,), query=("email",))
    def resend(self, request):
        flows.resend_verification_email(request, self.query("email"))
        return Response()

    @_doc(errors=(503,), query=("phone",))
    def resend_code(self, request):
        flows.resend_verification_code(request, self.query("phone"))
        return Response()

    @_doc(errors=(503,), query=("email",))
    def send_magic(self, request):
        flows.send_magic_link(request, self.query("email"))
        return Response()

    @_doc(errors=(503,), query=("email",))
    def send_reset(self, request):
        flows.send_reset_password_email(request, self.query("email"))
        return Response()

    @_doc(errors=(503,), query=("phone",))
    def send_reset_code(self, request):
        flows.send_reset_password_code(request, self.query("phone"))
        return Response()

    @_doc(errors=(503,), query=("phone",))
    def send_code(self, request):
        flows.send_sign_in_code(request, self.query("phone"))
        return Response()

    @_doc(s.NewPasswordSerializer, query=("key",))
    def reset_pwd(self, request):
        flows.reset_password_with_token(request, self.query("key"), self.field("newPassword"))
        return Response()

    @_doc(s.NewPasswordSerializer, query=("phone", "code"))
    def reset_pwd_code(self, request):
        flows.reset_password_with_code(
            request, self.query("phone"), self.query("code"), self.field("newPassword"))
        return Response()

    # Signed-in user
    @_doc(response=s.UserSerializer)
    def user(self, request):
        return Response(user_payload(request.user))

    @_doc(response=s.SessionSerializer(many=True))
    def sessions(self, request):
        token = request._request.agnost_session_token
        return Response(flows.list_sessions(request.user, self.session, token))

    @_doc(s.SignOutSerializer, errors=(404,))
    def signout(self, request):
        current_deleted = flows.sign_out(request.user, self.session, self.field("token"))
        return cleared(Response()) if current_deleted else Response()

    @_doc()
    def signout_all(self, request):
        flows.sign_out_all(request.user)
        return cleared(Response())

    @_doc()
    def signout_all_except(self, request):
        flows.sign_out_all_except(request.user, self.session)
        return Response()

    @_doc(s.ChangePasswordSerializer)
    def change_pwd(self, request):
        flows.change_password(
            request, request.user, self.session, self.field("newPassword"), self.field("oldPassword"))
        return Response()

    @_doc(s.ChangeEmailSerializer, s.UserSerializer, (503,))
    def change_email(self, request):
        return Response(flows.change_email(
            request, request.user, self.field("currentPassword"), self.field("newEmail")))

    @_doc(s.ChangePhoneSerializer, s.UserSerializer, (503,))
    def change_phone(self, request):
        return Response(flows.change_phone(
            request, request.user, self.field("currentPassword"), self.field("newPhone")))


class LinkLandingView(APIView):
    """``GET /_auth/verify?key=...``: the target of every emailed link. Does what the link
    confirms, then redirects to ``AGNOST_AUTH_REDIRECT_URL`` with ``action``, ``status``
    and, on success, ``access_token`` (or ``code`` and ``error`` on failure)."""

    authentication_classes: list = []
    permission_classes: list = []
    schema = None

    def get(self, request):
        from agnost_django.core.parsers import raw_query_dict

        key = raw_query_dict(request.META.get("QUERY_STRING", "")).get("key")
        try:
            action, params = flows.open_link(request, key)
            query = {"action": action, "status": "200", **params}
        except AgnostAPIError as exc:
            query = {"status": str(exc.status_code), "code": exc.code, "error": exc.message}
        return redirect_to_app(query)


def redirect_to_app(query: dict[str, str]) -> HttpResponseRedirect:
    base = auth_settings.REDIRECT_URL
    separator = "&" if "?" in base else "?"
    return HttpResponseRedirect(base + separator + urlencode(query))


class OAuthBrowserView(APIView):
    """Base of the OAuth browser routes: no authentication or CSRF (the ``state`` protects
    them), no schema entry, DRF errors in the agnost envelope. These are browser pages, not
    API resources: a method they do not define gets the JSON 404 of an unknown route."""

    authentication_classes = ()
    permission_classes = ()
    schema = None

    def get_exception_handler(self):
        from agnost_django.core.api import exception_handler

        return exception_handler

    def http_method_not_allowed(self, request, *args, **kwargs):
        from django.http import Http404

        raise Http404


class OAuthStartView(OAuthBrowserView):
    """``GET /_auth/<provider>``: where ``signInWithProvider(provider)`` lands. Redirects to
    the provider's authorization page, or to the app with ``status`` and ``code`` when the
    provider is unknown, unconfigured or unreachable."""

    def get(self, request, provider: str):
        from agnost_django.auth import oauth

        try:
            return HttpResponseRedirect(oauth.authorization_url(request, provider))
        except AgnostAPIError as exc:
            return redirect_to_app(oauth.failure_query(exc))


class OAuthCallbackView(OAuthBrowserView):
    """``GET|POST /_auth/<provider>/callback``: the provider's redirect back (POST for
    form-post providers such as Apple). Signs the user in or up and redirects to the app
    with ``access_token``, ``action`` and ``status=200``, or ``action``, ``status``,
    ``code`` and ``error``."""

    def get(self, request, provider: str):
        return self.finish(request, provider, request.query_params)

    def post(self, request, provider: str):
        return self.finish(request, provider, request.data)

    def finish(self, request, provider: str, params):
        from agnost_django.auth import oauth

        try:
            action, grant = oauth.complete(request, provider, params)
        except AgnostAPIError as exc:
            return redirect_to_app(oauth.failure_query(exc))
        return redirect_to_app({"action": action, "status": "200", "access_token": grant})
