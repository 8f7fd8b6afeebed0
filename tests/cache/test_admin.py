from __future__ import annotations

from agnost_django.cache import services

URL = "/admin/agnost_cache/cacheentry/"


def test_browse_search_and_delete(admin_client):
    services.set_value("user:1", {"name": "Ada"}, ttl=300)
    services.set_value("user:2", "Bob")
    services.set_value("session:x", 1)
    page = admin_client.get(URL).content.decode()
    assert "user:1" in page and "session:x" in page and "3 keys" in page
    assert "&quot;Ada&quot;" in page or '"Ada"' in page
    found = admin_client.get(URL, {"q": "user:*"}).content.decode()
    assert "user:2" in found and "session:x" not in found
    found = admin_client.get(URL, {"q": "sess"}).content.decode()  # plain text: a substring
    assert "session:x" in found and "user:1" not in found
    response = admin_client.post(URL, {"keys": ["user:1", "session:x"]}, follow=True)
    assert "Deleted 2 key(s)" in response.content.decode()
    assert services.get_value("user:1") is None and services.get_value("user:2") == "Bob"


def test_the_index_lists_the_page(admin_client):
    assert "Cache keys" in admin_client.get("/admin/").content.decode()


def test_non_staff_cannot_see_it(client, user_factory):
    client.force_login(user_factory())
    response = client.get(URL)
    assert response.status_code == 302  # to the admin login


def test_view_only_staff_cannot_delete(client, user_factory):
    from django.contrib.auth.models import Permission

    user = user_factory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_cacheentry"))
    client.force_login(user)
    services.set_value("k", 1)
    page = client.get(URL).content.decode()
    assert "k" in page and "Delete selected keys" not in page
    assert client.post(URL, {"keys": ["k"]}).status_code == 403
    assert services.get_value("k") == 1
