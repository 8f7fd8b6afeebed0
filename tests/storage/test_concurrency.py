"""Concurrent uploads of one name: every upload is kept, under distinct numbered names."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from agnost_django import agnost
from agnost_django.storage import blobs
from agnost_django.storage.models import StoredFile


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_of_one_name_keep_every_file(settings):
    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite database is private to one connection; the services pass runs this")
    settings.AGNOST_STORAGE_KEY_PREFIX = "concurrency"
    from agnost_django.storage import services
    from agnost_django.storage.adapter import SYSTEM
    from agnost_django.storage.uploads import from_chunks

    bucket = services.ensure_root("default")
    barrier = threading.Barrier(12)

    def put(index):
        try:
            barrier.wait()
            file = services.upload(bucket, SYSTEM, from_chunks([f"copy {index}".encode()], 1000), "same.txt")
            return file.name
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        names = list(pool.map(put, range(12)))
    assert sorted(names) == sorted(["same.txt", *(f"same ({n}).txt" for n in range(2, 13))])
    assert sorted(blobs.list_keys("default")) == sorted(StoredFile.objects.values_list("blob_key", flat=True))
    contents = {agnost.storage().root.file(name).read().unwrap() for name in names}
    assert contents == {f"copy {index}".encode() for index in range(12)}
    for file in StoredFile.objects.all():
        file.delete()
