"""Policy hooks of the auth module. Subclass :class:`DefaultAuthAdapter` and point
``AGNOST_AUTH_ADAPTER`` at your class to change one of them."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from agnost_django.auth import sms
from agnost_django.auth.conf import auth_settings


class DefaultAuthAdapter:
    def is_open_for_signup(self, request: Any, *, email: str | None, phone: str | None) -> bool:
        """Called before every sign-up (including a first OAuth sign-in); return ``False``
        to refuse it with ``not_allowed``."""
        return True

    def new_user(self, *, email: str | None, phone: str | None):
        """An unsaved user for a new account. When the model's ``USERNAME_FIELD`` is its
        ``EMAIL_FIELD`` the username is the email (phone-only accounts get
        ``<digits>@phone.invalid``); otherwise it is the email or phone when that fits and
        is free, else a random UUID."""
        User = get_user_model()
        user = User()
        email_field = User.get_email_field_name()
        if email:
            setattr(user, email_field, email)
        if User.USERNAME_FIELD == email_field:
            setattr(user, email_field, email or f"{(phone or '').lstrip('+')}@phone.invalid")
        else:
            setattr(user, User.USERNAME_FIELD, self.free_username(email or phone or ""))
        return user

    def free_username(self, wanted: str) -> str:
        """``wanted`` if it fits the username field and nobody has it, else a random UUID."""
        User = get_user_model()
        field = User._meta.get_field(User.USERNAME_FIELD)
        if wanted and len(wanted) <= (field.max_length or 150) and not User._default_manager.filter(
            **{User.USERNAME_FIELD: wanted}
        ).exists():
            return wanted
        return uuid.uuid4().hex

    def send_mail(self, template: str, to: str, context: dict[str, Any]) -> None:
        """Render ``agnost_auth/email/<template>_subject.txt`` and ``_message.txt`` (and
        ``_message.html`` if it exists) and send them. Raise to report a failure."""
        prefix = f"agnost_auth/email/{template}"
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        text = render_to_string(f"{prefix}_message.txt", context)
        from_email = auth_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL
        message = EmailMultiAlternatives(subject, text, from_email, [to])
        try:
            message.attach_alternative(render_to_string(f"{prefix}_message.html", context), "text/html")
        except TemplateDoesNotExist:
            pass
        message.send()

    def send_code(self, purpose: str, phone: str, code: str) -> None:
        """Send an SMS code for ``purpose`` (phone-confirm, change-phone, signin-code,
        reset-pwd-code). Raise to report a failure."""
        sms.send_sms(phone, f"Your verification code is {code}. It expires in "
                            f"{auth_settings.CODE_TTL // 60} minutes.")


def get_adapter() -> DefaultAuthAdapter:
    return auth_settings.ADAPTER()
