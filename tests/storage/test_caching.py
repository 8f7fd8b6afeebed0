"""Caching of the public route: public files are revalidated on every use (``no-cache`` with
an ``ETag`` and a ``Last-Modified``, answered by a 304 without the bytes), so a file made
private, deleted or replaced is never shown again from a browser's or a CDN's cache."""

from __future__ import annotations

from django.utils.http import http_date

from tests.storage.test_public import codes, path_of, upload


def test_public_files_are_revalidated_with_cheap_304s(alice_api, client, django_assert_max_num_queries):
    file = upload(alice_api, "hello.txt", "hi there", True)
    response = client.get(path_of(file))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, no-cache"
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert etag == f'"{file["checksum"]}"'

    again = client.get(path_of(file), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag and again["Cache-Control"] == "public, no-cache"
    assert not again.content
    assert client.get(path_of(file), HTTP_IF_NONE_MATCH=f'"other", {etag}').status_code == 304
    assert client.get(path_of(file), HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.get(path_of(file), HTTP_IF_NONE_MATCH='"other"').status_code == 200
    assert client.get(path_of(file), HTTP_IF_MODIFIED_SINCE=http_date(0)).status_code == 200
    with django_assert_max_num_queries(1):  # the 304 reads one row and never opens the bytes
        assert client.get(path_of(file), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_file_made_private_is_not_revalidated_from_cache(alice_api, client):
    file = upload(alice_api, "hello.txt", "hi there", True)
    etag = client.get(path_of(file))["ETag"]
    made_private = alice_api.call("bucket/file/make-private", {"bucket": "root", "file": "hello.txt"})
    assert made_private.status_code == 200
    for conditional in ({"HTTP_IF_NONE_MATCH": etag}, {"HTTP_IF_MODIFIED_SINCE": http_date(2**32)}):
        response = client.get(path_of(file), **conditional)
        assert response.status_code == 403 and codes(response) == ["not_public"]
    owner = alice_api.get(path_of(file), HTTP_IF_NONE_MATCH=etag)  # private: never stored, never a 304
    assert owner.status_code == 200 and owner["Cache-Control"] == "private, no-store"


def test_deleted_and_replaced_files_are_not_revalidated_from_cache(alice_api, client):
    file = upload(alice_api, "hello.txt", "hi there", True)
    etag = client.get(path_of(file))["ETag"]
    replaced = alice_api.generic(
        "POST", "/_api/rest/v1/storage/bucket/file/replace-object?bucket=root&file=hello.txt",
        b"new bytes", content_type="text/plain")
    assert replaced.status_code == 200, replaced.json()
    response = client.get(path_of(file), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"new bytes"
    assert response["ETag"] != etag

    alice_api.call("bucket/file/delete", {"bucket": "root", "file": "hello.txt"})
    response = client.get(path_of(file), HTTP_IF_NONE_MATCH=response["ETag"])
    assert response.status_code == 404 and codes(response) == ["invalid_file_identifier"]


def test_a_longer_max_age_is_opt_in(alice_api, client, settings):
    settings.AGNOST_STORAGE_PUBLIC_CACHE_MAX_AGE = 600
    file = upload(alice_api, "hello.txt", "hi there", True)
    assert client.get(path_of(file))["Cache-Control"] == "public, max-age=600"
