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


def test_session_pages_are_read_only_but_revocable(admin_client, auth_client):
    auth_client.post_("signup-email", {"email": "ro@example.com", "password": PASSWORD},
                      HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36")
    session = Session.objects.get()
    page = admin_client.get(f"/admin/agnost_auth/session/{session.pk}/change/").content.decode()
    assert 'name="_save"' not in page and "Close" in page  # a view page
    assert f"/admin/agnost_auth/session/{session.pk}/delete/" in page  # deletion (revocation) stays
    # Indented (PostgreSQL's jsonb orders the keys its own way).
    assert '<pre class="agnost-json">{\n  &quot;' in page and '\n  &quot;family&quot;: &quot;Chrome&quot;' in page
    assert admin_client.post(f"/admin/agnost_auth/session/{session.pk}/change/", {}).status_code == 403
    listing = admin_client.get("/admin/agnost_auth/session/").content.decode()
    assert "Chrome 120 · Linux" in listing


def test_profile_data_is_edited_as_indented_json(admin_client, auth_client):
    from agnost_django.auth.models import AuthProfile

    auth_client.post_("signup-email", {"email": "js@example.com", "password": PASSWORD})
    AuthProfile.objects.update(data={"team": "blue"})
    profile = AuthProfile.objects.get()
    url = f"/admin/agnost_auth/authprofile/{profile.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert '&quot;team&quot;: &quot;blue&quot;' in page and "{\n  &quot;team&quot;" in page
    response = admin_client.post(url, {"user": profile.user_id, "data": "[1, 2]", "sign_up_at_0": "2024-01-01",
                                       "sign_up_at_1": "00:00:00"})
    assert "Enter a JSON object" in response.content.decode()


def test_the_user_page_shows_profile_sessions_and_files(admin_client, auth_client):
    from agnost_django import agnost
    from agnost_django.storage.models import StoredFile

    auth_client.post_("signup-email", {"email": "page@example.com", "password": PASSWORD})
    profile_user = Session.objects.get().user
    agnost.storage().create_bucket("user-files").unwrap()
    data = agnost.storage().bucket("user-files").upload(b"hello", path="hello.txt").unwrap()
    StoredFile.objects.filter(pk=data["_id"]).update(owner=profile_user)
    page = admin_client.get(f"/admin/auth/user/{profile_user.pk}/change/").content.decode()
    assert 'id="agnost_profile-group"' in page
    assert 'id="agnost_sessions-group"' in page and "Sessions (newest first)" in page
    assert 'id="agnost_files-group"' in page and "hello.txt" in page
    assert f"/admin/agnost_auth/session/{Session.objects.get().pk}/change/" in page  # each linked
    add_page = admin_client.get("/admin/auth/user/add/").content.decode()
    assert "agnost_sessions-group" not in add_page and "agnost_profile-group" not in add_page
    # Saving the user page keeps working with the inlines (the profile's management form).
    assert 'name="agnost_profile-TOTAL_FORMS"' in page
