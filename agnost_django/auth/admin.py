from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from agnost_django.auth.models import AuthProfile, AuthToken, OAuthProvider, Session
from agnost_django.auth.sessions import revoke
from agnost_django.core import admin_site
from agnost_django.core.admin_display import ReadableAdminMixin, RecordAdminMixin, RecordInlineMixin, json_display, lines_display

#: Sessions shown on a user's page, newest first.
USER_PAGE_SESSIONS = 20


def agent_summary(session: Session) -> str:
    agent = session.user_agent or {}
    os_family = (agent.get("os") or {}).get("family", "Other")
    return f"{agent.get('family', 'Other')} {agent.get('major', '')} · {os_family}".replace("  ", " ")


def user_search_fields(prefix: str = "user__") -> list[str]:
    User = get_user_model()
    return [f"{prefix}{User.USERNAME_FIELD}", f"{prefix}{User.get_email_field_name()}"]


@admin.register(AuthProfile)
class AuthProfileAdmin(ReadableAdminMixin, admin.ModelAdmin):
    list_display = ["user", "phone", "email_verified", "phone_verified", "provider", "last_login_at", "locked_until"]
    list_filter = ["email_verified", "phone_verified", "provider"]
    search_fields = ["phone", "name", "provider_user_id"]
    ordering = ["-sign_up_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["sign_up_at", "last_login_at", "failed_sign_ins"]
    actions = ["unlock"]

    def get_search_fields(self, request):
        return [*self.search_fields, *user_search_fields()]

    @admin.action(description=_("Unlock selected accounts"))
    def unlock(self, request, queryset):
        queryset.update(locked_until=None, failed_sign_ins=0)


@admin.register(Session)
class SessionAdmin(RecordAdminMixin, admin.ModelAdmin):
    """Read-only (sessions are made by signing in); revoke them with the action or Delete."""

    list_display = ["user", "public_id", "created_at", "last_used_at", "expires_at", "ip", "agent"]
    list_filter = ["created_at", "expires_at"]
    search_fields = ["public_id", "ip"]
    ordering = ["-created_at"]
    raw_id_fields = ["user"]
    fields = ["user", "public_id", "created_at", "last_used_at", "expires_at", "ip", "agent",
              "user_agent_raw", "user_agent_display", "access_group_keys_display"]
    readonly_fields = fields
    actions = ["revoke_sessions"]
    user_agent_display = json_display(Session, "user_agent", description=_("user agent (parsed)"))
    access_group_keys_display = lines_display(Session, "access_group_keys")

    def get_search_fields(self, request):
        return [*self.search_fields, *user_search_fields()]

    @admin.display(description=_("user agent"))
    def agent(self, obj: Session) -> str:
        return agent_summary(obj)

    @admin.action(description=_("Revoke selected sessions"))
    def revoke_sessions(self, request, queryset):
        count = 0
        for user_id in set(queryset.values_list("user_id", flat=True)):
            user = get_user_model()._default_manager.get(pk=user_id)
            count += revoke(queryset, user=user)
        self.message_user(request, _("Revoked %(count)d session(s).") % {"count": count})

    def delete_model(self, request, obj):
        revoke(Session.objects.filter(pk=obj.pk), user=obj.user)

    def delete_queryset(self, request, queryset):
        self.revoke_sessions(request, queryset)


@admin.register(AuthToken)
class AuthTokenAdmin(RecordAdminMixin, admin.ModelAdmin):
    """Read-only: secrets are stored hashed and never shown."""

    list_display = ["purpose", "user", "target", "created_at", "expires_at", "used_at", "attempts"]
    list_filter = ["purpose", "created_at"]
    search_fields = ["target"]
    ordering = ["-created_at"]
    exclude = ["secret_hash"]
    readonly_fields = ["user", "purpose", "target", "action", "attempts", "created_at", "expires_at", "used_at"]

    def get_search_fields(self, request):
        return [*self.search_fields, *user_search_fields()]


@admin.register(OAuthProvider)
class OAuthProviderAdmin(ReadableAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "client_id", "enabled", "created_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "client_id"]
    ordering = ["name"]
    readonly_fields = ["created_at"]


# -- on the host's user page --------------------------------------------------------------------

class AuthProfileInline(ReadableAdminMixin, admin.StackedInline):
    model = AuthProfile
    fk_name = "user"
    extra = 0
    max_num = 1
    can_delete = False
    fields = ["name", "phone", "email_verified", "phone_verified", "provider", "provider_user_id",
              "profile_picture", "data", "sign_up_at", "last_login_at", "failed_sign_ins", "locked_until"]
    readonly_fields = ["sign_up_at", "last_login_at", "failed_sign_ins"]


class SessionInline(RecordInlineMixin, admin.TabularInline):
    model = Session
    fk_name = "user"
    newest_by = "created_at"
    limit = USER_PAGE_SESSIONS
    fields = readonly_fields = ["created_at", "last_used_at", "expires_at", "ip", "agent"]
    verbose_name_plural = _("sessions (newest first)")

    @admin.display(description=_("user agent"))
    def agent(self, obj: Session) -> str:
        return agent_summary(obj)


admin_site.add_user_inline(AuthProfileInline)
admin_site.add_user_inline(SessionInline)
