"""No orphaned bytes: after every change, the backend holds exactly the bytes that file rows
point at (bytes of a change are freed when it commits)."""

from __future__ import annotations

from agnost_django.storage.models import StoredFile


def assert_in_sync(backend_keys):
    assert sorted(backend_keys()) == sorted(StoredFile.objects.values_list("blob_key", flat=True))


def test_every_change_leaves_no_orphans(staff_api, alice_api, backend_keys, django_capture_on_commit_callbacks):
    def step(route, body):
        with django_capture_on_commit_callbacks(execute=True):
            response = alice_api.call(route, body) if route != "create-bucket" else staff_api.call(route, body)
        assert response.status_code == 200, response.json()
        assert_in_sync(backend_keys)
        return response

    step("create-bucket", {"name": "a"})
    step("create-bucket", {"name": "b"})
    Bucket = StoredFile._meta.get_field("bucket").related_model
    Bucket.objects.filter(name__in=["a", "b"]).update(owner=alice_api.user)
    for name in ["1.txt", "2.txt", "3.txt"]:
        with django_capture_on_commit_callbacks(execute=True):
            assert alice_api.upload("a", name, f"content of {name}").status_code == 200
    assert len(backend_keys()) == 3
    step("bucket/file/rename", {"bucket": "a", "file": "1.txt", "newName": "one.txt"})
    step("bucket/file/move", {"bucket": "a", "file": "one.txt", "bucketNameOrId": "b"})
    step("bucket/file/copy", {"bucket": "b", "file": "one.txt", "bucketNameOrId": "a"})
    step("bucket/file/duplicate", {"bucket": "a", "file": "2.txt"})
    assert len(backend_keys()) == 5
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.generic("POST", "/_api/rest/v1/storage/bucket/file/replace-object?bucket=a&file=2.txt",
                                     '"replaced"', content_type="application/json")
    assert response.status_code == 200
    assert_in_sync(backend_keys)
    step("bucket/file/delete", {"bucket": "a", "file": "3.txt"})
    step("bucket/delete-files", {"bucket": "a", "fileNamesOrIds": ["2 (2).txt"]})
    step("bucket/empty", {"bucket": "b"})
    assert len(backend_keys()) == 2
    step("bucket/delete", {"bucket": "a"})
    assert backend_keys() == []


def test_failed_uploads_leave_no_bytes(alice_api, settings, backend_keys):
    settings.AGNOST_STORAGE_MAX_UPLOAD_SIZE = 5
    assert alice_api.upload("root", "big.txt", "123456").status_code == 413
    assert alice_api.upload("root", "../bad", "x").status_code == 400
    assert alice_api.upload("nope", "a.txt", "x").status_code == 404
    assert backend_keys() == []


def test_sweep_removes_bytes_without_a_row(alice_api, backend_keys):
    from django.core.management import call_command

    from agnost_django.storage import blobs

    assert alice_api.upload("root", "kept.txt", "kept").status_code == 200
    import io

    orphan = blobs.save("default", io.BytesIO(b"orphan"))
    assert orphan in backend_keys()
    out = io.StringIO()
    call_command("agnost_storage_sweep", "--dry-run", "--min-age", "0", stdout=out)
    assert orphan in out.getvalue() and orphan in backend_keys()
    call_command("agnost_storage_sweep", "--min-age", "0", stdout=io.StringIO())
    assert orphan not in backend_keys()
    assert_in_sync(backend_keys)
