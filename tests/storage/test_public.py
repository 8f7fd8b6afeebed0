"""The public route ``/_storage/<file id>`` and signed URLs."""

from __future__ import annotations

import uuid

from agnost_django import agnost
from agnost_django.storage.links import signed_url
from agnost_django.storage.models import StoredFile


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["errors"]]


def path_of(file) -> str:
    return file["publicPath"].replace("http://testserver", "")


def upload(api, name, text, public):
    response = api.upload("root", name, text, options={"isPublic": public})
    assert response.status_code == 200, response.json()
    return response.json()


def test_public_file_for_anyone(alice_api, client):
    file = upload(alice_api, "hello.txt", "hi there", True)
    response = client.get(path_of(file))  # no client key, no session: an <img src>
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"hi there"
    assert response["Cache-Control"].startswith("public")
    assert response["ETag"] == f'"{file["checksum"]}"'
    assert response["Content-Length"] == "8"
    attachment = client.get(path_of(file) + "?download=1")
    assert attachment["Content-Disposition"].startswith('attachment; filename="hello.txt"')


def test_private_file_needs_owner_staff_or_token(alice_api, bob_api, staff_api, client, alice):
    file = upload(alice_api, "secret.txt", "s3cr3t", False)
    response = client.get(path_of(file))
    assert response.status_code == 403 and codes(response) == ["not_public"]
    assert response["Content-Type"] == "application/json"
    assert client.get(path_of(file), HTTP_SESSION="not a token").status_code == 403
    assert bob_api.get(path_of(file)).status_code == 403
    owner = alice_api.get(path_of(file))
    assert owner.status_code == 200 and owner["Cache-Control"] == "private, no-store"
    assert staff_api.get(path_of(file)).status_code == 200
    token = agnost.auth.create_session(alice).data["session"]["token"]
    client.cookies["session_token"] = token  # the cookie an <img> request carries
    assert client.get(path_of(file)).status_code == 200


def test_signed_urls(alice_api, client):
    file = upload(alice_api, "secret.txt", "s3cr3t", False)
    other = upload(alice_api, "other.txt", "x", False)
    stored = StoredFile.objects.get(pk=file["_id"])
    url = signed_url(stored, 60).replace("http://testserver", "")
    assert client.get(url).status_code == 200
    tampered = url[:-2] + ("AA" if not url.endswith("AA") else "BB")
    assert codes(client.get(tampered)) == ["invalid_signature"]
    expired = signed_url(stored, -1)
    assert codes(client.get(expired)) == ["invalid_signature"]
    token = url.split("token=")[1]
    assert codes(client.get(path_of(other) + "?token=" + token)) == ["invalid_signature"]  # another file


def test_address_is_stable_across_rename_and_move(alice_api, staff_api, client):
    staff_api.call("create-bucket", {"name": "elsewhere", "isPublic": True})
    file = upload(alice_api, "a.txt", "same", True)
    alice_api.call("bucket/file/rename", {"bucket": "root", "file": "a.txt", "newName": "b.txt"})
    moved = alice_api.call("bucket/file/move", {"bucket": "root", "file": "b.txt", "bucketNameOrId": "elsewhere"}).json()
    assert moved["publicPath"] == file["publicPath"]
    assert client.get(path_of(file)).status_code == 200


def test_unknown_and_malformed_addresses(client, db):
    response = client.get(f"/_storage/{uuid.uuid4()}")
    assert response.status_code == 404 and codes(response) == ["invalid_file_identifier"]
    response = client.get("/_storage/not-an-id")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert client.post(f"/_storage/{uuid.uuid4()}").status_code == 405
