"""Storage quota per user (``AGNOST_STORAGE_USER_QUOTA_BYTES``): what a client's uploads,
replacements, copies and duplicates may add to the files a user owns; refused with
``storage_quota_exceeded`` (403), also when uploads race."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from agnost_django import agnost
from agnost_django.storage import blobs, services
from agnost_django.storage.exceptions import StorageQuotaExceeded
from agnost_django.storage.models import StoredFile
from agnost_django.storage.uploads import from_chunks

API = "/_api/rest/v1/storage"


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["errors"]]


def raw_upload(api, name: str, size: int, bucket: str = "root"):
    return api.generic("POST", f"{API}/bucket/upload-object?bucket={bucket}&fileName={name}",
                       b"x" * size, content_type="application/octet-stream")


def test_default_quota_is_one_gigabyte(settings):
    from agnost_django.storage.conf import storage_settings

    del settings.AGNOST_STORAGE_USER_QUOTA_BYTES
    assert storage_settings.USER_QUOTA_BYTES == 1024**3


def test_uploads_past_the_quota_are_refused(alice_api, bob_api, settings, backend_keys):
    settings.AGNOST_STORAGE_USER_QUOTA_BYTES = 100
    assert raw_upload(alice_api, "a.bin", 60).status_code == 200
    assert raw_upload(alice_api, "b.bin", 40).status_code == 200  # exactly the quota
    keys = backend_keys()
    refused = raw_upload(alice_api, "c.bin", 1)
    assert refused.status_code == 403 and codes(refused) == ["storage_quota_exceeded"]
    assert refused.json()["errors"][0]["details"] == {"quota": 100, "used": 100, "size": 1}
    assert backend_keys() == keys  # the refused bytes are not left behind
    assert raw_upload(bob_api, "c.bin", 100).status_code == 200  # per user
    alice_api.call("bucket/file/delete", {"bucket": "root", "file": "a.bin"})
    assert raw_upload(alice_api, "c.bin", 60).status_code == 200  # deleting frees space
    settings.AGNOST_STORAGE_USER_QUOTA_BYTES = None
    assert raw_upload(alice_api, "d.bin", 1000).status_code == 200


def test_replacements_count_the_difference(alice_api, settings):
    settings.AGNOST_STORAGE_USER_QUOTA_BYTES = 100
    assert raw_upload(alice_api, "a.bin", 60).status_code == 200
    replace = f"{API}/bucket/file/replace-object?bucket=root&file=a.bin"
    assert alice_api.generic("POST", replace, b"y" * 100, content_type="text/plain").status_code == 200
    refused = alice_api.generic("POST", replace, b"y" * 101, content_type="text/plain")
    assert refused.status_code == 403 and codes(refused) == ["storage_quota_exceeded"]
    assert StoredFile.objects.get(name="a.bin").size == 100


def test_copies_and_duplicates_count(alice_api, staff_api, settings):
    settings.AGNOST_STORAGE_USER_QUOTA_BYTES = 100
    staff_api.call("create-bucket", {"name": "other", "isPublic": True})
    assert raw_upload(alice_api, "a.bin", 60).status_code == 200
    for route, body in (("duplicate", {}), ("copy", {"bucketNameOrId": "other"})):
        refused = alice_api.call(f"bucket/file/{route}", {"bucket": "root", "file": "a.bin", **body})
        assert refused.status_code == 403 and codes(refused) == ["storage_quota_exceeded"], route
    assert StoredFile.objects.count() == 1


def test_server_code_is_not_counted(alice, settings):
    settings.AGNOST_STORAGE_USER_QUOTA_BYTES = 10
    result = agnost.storage().root.upload(b"z" * 50, path="big.bin", user_id=alice.pk)
    assert result.errors is None and result.data["userId"] == str(alice.pk)


@pytest.mark.django_db(transaction=True)
def test_racing_uploads_cannot_pass_the_quota_together(settings, django_user_model, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite database is private to one connection; the services pass runs this")
    settings.AGNOST_STORAGE_KEY_PREFIX = "quota-race"
    settings.AGNOST_STORAGE_USER_QUOTA_BYTES = 3000
    owner = django_user_model.objects.create_user(username="racer", email="racer@example.com", password="x")
    bucket = services.ensure_root("default")
    save_unique = services._save_unique

    def slow_save_unique(file, **kwargs):
        time.sleep(0.2)  # widen the window between counting the owner's bytes and saving the row
        return save_unique(file, **kwargs)

    monkeypatch.setattr(services, "_save_unique", slow_save_unique)
    barrier = threading.Barrier(6)

    def put(index):
        try:
            barrier.wait()
            services.upload(bucket, owner, from_chunks([b"r" * 1001], 10_000), f"part-{index}.bin")
            return "stored"
        except StorageQuotaExceeded:
            return "refused"
        finally:
            connections.close_all()

    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            outcomes = list(pool.map(put, range(6)))
        assert sorted(outcomes) == ["refused"] * 4 + ["stored"] * 2
        assert sum(StoredFile.objects.filter(owner=owner).values_list("size", flat=True)) == 2002
        assert sorted(blobs.list_keys("default")) == sorted(StoredFile.objects.values_list("blob_key", flat=True))
    finally:
        for file in StoredFile.objects.all():
            file.delete()
