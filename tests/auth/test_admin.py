from __future__ import annotations

from agnost_django.auth.models import Session
from tests.auth.conftest import PASSWORD, error_code, new_phone


def test_admin_pages_and_revoke_action(admin_client, auth_client, settings):
    settings.AGNOST_AUTH_PHONE_CONFIRMATION = True
    token = auth_client.post_("signup-email", {"email": "adm@example.com", "password": PASSWORD}).json()["session"]["token"]
    phone = new_phone()
    auth_client.post_("signup-phone", {"phone": phone, "password": PASSWORD})
    for url in ("/admin/agnost_auth/authprofile/", "/admin/agnost_auth/session/",
                "/admin/agnost_auth/authtoken/", "/admin/agnost_auth/oauthprovider/"):
        page = admin_client.get(url)
        assert page.status_code == 200, url
        assert token not in page.content.decode()
    session = Session.objects.get()
    detail = admin_client.get(f"/admin/agnost_auth/session/{session.pk}/change/").content.decode()
    assert token not in detail and session.key_hash not in detail
    assert "adm@example.com" in admin_client.get("/admin/agnost_auth/session/?q=adm@example").content.decode()
    admin_client.post("/admin/agnost_auth/session/", {"action": "revoke_sessions", "_selected_action": [session.pk]})
    assert error_code(auth_client.get_("user")) == "invalid_session_token"
    # Pending codes are read-only and show no secret.
    assert admin_client.get("/admin/agnost_auth/authtoken/add/").status_code == 403
    listing = admin_client.get("/admin/agnost_auth/authtoken/").content.decode()
    assert phone in listing and "secret_hash" not in listing


def test_unlock_action(admin_client, auth_client, settings):
    settings.AGNOST_AUTH_LOCKOUT_THRESHOLD = 1
    auth_client.post_("signup-email", {"email": "u@example.com", "password": PASSWORD})
    auth_client.post_("signin-email", {"email": "u@example.com", "password": "nope"})
    from agnost_django.auth.models import AuthProfile

    profile = AuthProfile.objects.get()
    assert profile.is_locked
    admin_client.post("/admin/agnost_auth/authprofile/", {"action": "unlock", "_selected_action": [profile.pk]})
    profile.refresh_from_db()
    assert not profile.is_locked
