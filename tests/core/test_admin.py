from __future__ import annotations

from agnost_django.core.models import ClientKey, hash_secret


def test_add_a_key_in_the_admin_shows_the_secret_once(admin_client, api_client):
    response = admin_client.post(
        "/admin/agnost_core/clientkey/add/",
        {"name": "web app", "active": "on", "allowed_origins": "https://app.example.com\n",
         "allowed_operations": "cache\ndb.get_list"},
        follow=True,
    )
    assert response.status_code == 200
    key = ClientKey.objects.get(name="web app")
    assert key.allowed_origins == ["https://app.example.com"]
    assert key.allowed_operations == ["cache", "db.get_list"]
    message = next(str(m) for m in response.context["messages"])
    secret = next(word for word in message.split() if word.startswith("agk_"))
    assert hash_secret(secret) == key.key_hash
    # The list shows the masked prefix only.
    listing = admin_client.get("/admin/agnost_core/clientkey/").content.decode()
    assert key.prefix in listing and secret not in listing
    # Editing keeps the secret.
    admin_client.post(
        f"/admin/agnost_core/clientkey/{key.pk}/change/",
        {"name": "web app 2", "active": "on", "allowed_origins": "", "allowed_operations": ""},
    )
    key.refresh_from_db()
    assert key.name == "web app 2" and key.key_hash == hash_secret(secret)


def test_invalid_entries_are_refused_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/agnost_core/clientkey/add/",
        {"name": "bad", "active": "on", "allowed_origins": "not an origin", "allowed_operations": ""},
    )
    assert response.status_code == 200
    assert "Not an origin" in response.content.decode()
    assert not ClientKey.objects.exists()


def test_deactivate_action(admin_client, client_key_factory, api_client):
    key, secret = client_key_factory()
    admin_client.post(
        "/admin/agnost_core/clientkey/",
        {"action": "deactivate", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert not key.active
    assert api_client.get("/_api/rest/v1/cache/stats", HTTP_X_CLIENT_KEY=secret).status_code == 403
