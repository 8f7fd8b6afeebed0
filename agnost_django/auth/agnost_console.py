"""The auth module on the admin console: users, live sessions and locked accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from agnost_django.auth.conf import auth_settings
from agnost_django.auth.models import AuthProfile, OAuthProvider, Session
from agnost_django.core.console import Check, Count, Link, Panel, admin_url, capped_count
from agnost_django.core.health import dotted


def panel(request) -> Panel:
    now = timezone.now()
    User = get_user_model()
    opts = User._meta
    users_url = admin_url(f"{opts.app_label}_{opts.model_name}_changelist")
    sessions_url = admin_url("agnost_auth_session_changelist")
    locked = AuthProfile.objects.filter(locked_until__gt=now)
    sign_in = [_("email")] if auth_settings.EMAIL_ENABLED else []
    if auth_settings.PHONE_ENABLED:
        sign_in.append(_("phone"))
    sign_in += list(OAuthProvider.objects.filter(enabled=True).values_list("name", flat=True)[:10])
    sign_in += [name for name in auth_settings.OAUTH_PROVIDERS if name not in sign_in]
    return Panel(
        checks=[Check(_("user model"), opts.label), Check(_("adapter"), dotted(auth_settings.ADAPTER)),
                Check(_("sign-in by"), ", ".join(map(str, sign_in)) or "—")],
        counts=[
            Count(_("users"), capped_count(User._default_manager.all()), users_url),
            Count(_("live sessions"), capped_count(Session.objects.filter(expires_at__gt=now)), sessions_url),
            Count(_("locked accounts"), capped_count(locked), admin_url("agnost_auth_authprofile_changelist"),
                  alert=locked.exists()),
        ],
        links=[link for link in (Link(_("Users"), users_url), Link(_("Sessions"), sessions_url)) if link.url],
    )
