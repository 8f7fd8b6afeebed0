"""The storage routes through DRF's test client, with the shapes and errors the altogic
client expects (spec 3.3, 3.4)."""

from __future__ import annotations

import pytest

from agnost_django.storage.models import Bucket, StoredFile


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["errors"]]


def upload(api, bucket: str, name: str, text: str = "hello world", **kwargs):
    response = api.upload(bucket, name, text, **kwargs)
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.fixture
def photos(staff_api):
    response = staff_api.call("create-bucket", {"name": "photos", "isPublic": True, "tags": ["media"]})
    assert response.status_code == 200, response.json()
    return response.json()


# -- buckets --------------------------------------------------------------------------------

def test_create_bucket_shape_and_owner(staff_api, staff):
    response = staff_api.call("create-bucket", {"name": "  docs ", "isPublic": False, "tags": "a"})
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"_id", "name", "isPublic", "tags", "userId", "createdAt", "updatedAt"}
    assert body["name"] == "docs" and body["isPublic"] is False and body["tags"] == ["a"]
    assert body["userId"] == str(staff.pk)


def test_create_bucket_name_clash_and_bad_names(staff_api, photos):
    assert codes(staff_api.call("create-bucket", {"name": "photos"})) == ["bucket_already_exists"]
    for bad in ["", "a/b", "..", "x\x00y", "tab\there", 5, "7a1b3c9e-2d4f-4c6b-8a9e-0f1e2d3c4b5a", "x" * 200]:
        response = staff_api.call("create-bucket", {"name": bad})
        assert response.status_code == 400 and codes(response) == ["invalid_bucket_name"], bad
    assert Bucket.objects.count() == 2  # photos and root (created by migrate)


def test_create_bucket_needs_staff(alice_api, anon_api):
    assert alice_api.call("create-bucket", {"name": "mine"}).status_code == 403
    response = anon_api.call("create-bucket", {"name": "mine"})
    assert response.status_code == 401 and codes(response) == ["missing_session_token"]
    assert not Bucket.objects.filter(name="mine").exists()


def test_bucket_exists_get_and_stats(staff_api, alice_api, photos):
    assert staff_api.call("bucket/exists", {"bucket": "photos"}).json() is True
    assert staff_api.call("bucket/exists", {"bucket": photos["_id"]}).json() is True
    assert staff_api.call("bucket/exists", {"bucket": "nope"}).json() is False
    upload(alice_api, "photos", "a.txt", "12345")
    upload(alice_api, "photos", "b.txt", "1")
    detailed = alice_api.call("bucket/get", {"bucket": "photos", "detailed": True}).json()
    assert detailed["stats"] == {"objectsCount": 2, "totalStorageSize": 6, "averageObjectSize": 3,
                                 "minObjectSize": 1, "maxObjectSize": 5}
    assert "stats" not in alice_api.call("bucket/get", {"bucket": "photos"}).json()
    response = alice_api.call("bucket/get", {"bucket": "nope"})
    assert response.status_code == 404 and codes(response) == ["bucket_not_found"]
    stats = staff_api.get("/_api/rest/v1/storage/stats").json()
    assert stats["bucketsCount"] == 2 and stats["objectsCount"] == 2 and stats["totalStorageSize"] == 6
    assert alice_api.get("/_api/rest/v1/storage/stats").status_code == 403


def test_root_bucket_exists_and_is_protected(staff_api):
    assert staff_api.call("bucket/exists", {"bucket": "root"}).json() is True
    assert codes(staff_api.call("bucket/delete", {"bucket": "root"})) == ["root_bucket_protected"]
    assert codes(staff_api.call("bucket/rename", {"bucket": "root", "newName": "x"})) == ["root_bucket_protected"]


def test_rename_privacy_tags_update(staff_api, alice_api, photos):
    upload(alice_api, "photos", "a.txt")
    renamed = staff_api.call("bucket/rename", {"bucket": "photos", "newName": "pictures"}).json()
    assert renamed["name"] == "pictures" and renamed["_id"] == photos["_id"]
    private = staff_api.call("bucket/make-private", {"bucket": "pictures", "includeFiles": True}).json()
    assert private["isPublic"] is False and not StoredFile.objects.get().is_public
    public = staff_api.call("bucket/make-public", {"bucket": "pictures"}).json()
    assert public["isPublic"] is True and not StoredFile.objects.get().is_public  # files untouched
    assert staff_api.call("bucket/add-tags", {"bucket": "pictures", "tags": ["x", "media"]}).json()["tags"] == ["media", "x"]
    assert staff_api.call("bucket/remove-tags", {"bucket": "pictures", "tags": "media"}).json()["tags"] == ["x"]
    updated = staff_api.call("bucket/update", {"bucket": "pictures", "newName": "p2", "isPublic": False,
                                               "tags": ["t"], "includeFiles": False}).json()
    assert (updated["name"], updated["isPublic"], updated["tags"]) == ("p2", False, ["t"])
    assert codes(staff_api.call("bucket/add-tags", {"bucket": "p2", "tags": [1]})) == ["invalid_tags"]


def test_changing_a_bucket_needs_its_owner_or_staff(alice_api, photos):
    response = alice_api.call("bucket/rename", {"bucket": "photos", "newName": "x"})
    assert response.status_code == 403 and codes(response) == ["not_allowed"]
    Bucket.objects.filter(name="photos").update(owner=alice_api.user)
    assert alice_api.call("bucket/rename", {"bucket": "photos", "newName": "x"}).status_code == 200


def test_list_buckets_expression_paging_sort(staff_api):
    for name in ["b1", "b2", "b3"]:
        staff_api.call("create-bucket", {"name": name, "isPublic": name != "b2"})
    names = [b["name"] for b in staff_api.call("list-buckets", {"expression": "isPublic == true && name != 'root'",
                                                                  "options": {"sort": {"field": "name", "direction": "desc"}}}).json()]
    assert names == ["b3", "b1"]
    page = staff_api.call("list-buckets", {"expression": None, "options": {"limit": 2, "page": 2, "returnCountInfo": True,
                                                                            "sort": {"field": "name", "direction": "asc"}}}).json()
    assert page["info"] == {"count": 4, "totalPages": 2, "currentPage": 2, "pageSize": 2}
    assert [b["name"] for b in page["data"]] == ["b3", "root"]
    assert codes(staff_api.call("list-buckets", {"expression": "secret == 1"})) == ["invalid_field"]
    assert codes(staff_api.call("list-buckets", {"expression": "name =="})) == ["invalid_expression"]


def test_empty_and_delete_bucket(staff_api, alice_api, photos):
    upload(alice_api, "photos", "a.txt")
    upload(alice_api, "photos", "b.txt")
    assert staff_api.call("bucket/empty", {"bucket": "photos"}).status_code == 200
    assert StoredFile.objects.count() == 0
    upload(alice_api, "photos", "c.txt")
    assert staff_api.call("bucket/delete", {"bucket": "photos"}).status_code == 200
    assert not Bucket.objects.filter(name="photos").exists() and StoredFile.objects.count() == 0
    assert codes(staff_api.call("bucket/delete", {"bucket": "photos"})) == ["bucket_not_found"]


# -- files ----------------------------------------------------------------------------------

def test_upload_shape_owner_and_numbered_names(alice_api, alice, photos):
    first = upload(alice_api, "photos", "notes/today.txt", "hi", options={"contentType": "text/plain;charset=UTF-8",
                                                                          "createBucket": False})
    assert set(first) >= {"_id", "bucketId", "fileName", "size", "encoding", "mimeType", "publicPath", "isPublic",
                          "uploadedAt", "updatedAt", "userId", "tags"}
    assert first["bucketId"] == photos["_id"] and first["userId"] == str(alice.pk)
    assert first["isPublic"] is True  # the bucket's default
    assert first["publicPath"] == f"http://testserver/_storage/{first['_id']}"
    second = upload(alice_api, "photos", "notes/today.txt", "again", options={"isPublic": False, "tags": ["x"]})
    third = upload(alice_api, "photos", "/notes/today.txt/", "again")
    assert (second["fileName"], third["fileName"]) == ("notes/today (2).txt", "notes/today (3).txt")
    assert second["isPublic"] is False and second["tags"] == ["x"]


def test_upload_errors_change_nothing(alice_api, anon_api, staff_api, photos):
    for bad in ["../x", "a/../b", "a//b", "./a", "x\x1fy", "C:evil", "a\\b", ""]:
        response = alice_api.upload("photos", bad, "x")
        assert response.status_code == 400 and codes(response) == ["invalid_file_path"], bad
    assert codes(alice_api.upload("nope", "a.txt", "x")) == ["bucket_not_found"]
    assert codes(anon_api.upload("photos", "a.txt", "x")) == ["missing_session_token"]
    assert codes(alice_api.upload("photos", "a.txt", "x", options={"isPublic": "yes"})) == ["validation_error"]
    # createBucket needs the right to create buckets
    assert alice_api.upload("fresh", "a.txt", "x", options={"createBucket": True}).status_code == 403
    assert StoredFile.objects.count() == 0
    created = upload(staff_api, "fresh", "a.txt", "x", options={"createBucket": True})
    assert Bucket.objects.get(name="fresh").pk == __import__("uuid").UUID(created["bucketId"])


def test_file_get_exists_download(alice_api, bob_api, anon_api, photos):
    file = upload(alice_api, "photos", "a.txt", "content")
    for ident in ("a.txt", file["_id"]):
        assert alice_api.call("bucket/file/exists", {"bucket": "photos", "file": ident}).json() is True
        assert alice_api.call("bucket/file/get", {"bucket": photos["_id"], "file": ident}).json()["_id"] == file["_id"]
    assert alice_api.call("bucket/file/exists", {"bucket": "photos", "file": "b.txt"}).json() is False
    assert codes(alice_api.call("bucket/file/get", {"bucket": "photos", "file": "b.txt"})) == ["file_not_found"]
    assert codes(alice_api.call("bucket/file/get", {"bucket": "photos"})) == ["missing_file_identifier"]
    response = anon_api.call("bucket/file/download", {"bucket": "photos", "file": "a.txt"})  # public file
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"content"
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_private_file_needs_owner_or_staff(alice_api, bob_api, anon_api, staff_api, photos):
    upload(alice_api, "photos", "secret.txt", "s3cr3t", options={"isPublic": False})
    body = {"bucket": "photos", "file": "secret.txt"}
    for route in ("bucket/file/get", "bucket/file/download", "bucket/file/exists"):
        assert bob_api.call(route, body).status_code == 403 and codes(bob_api.call(route, body)) == ["not_allowed"]
        assert codes(anon_api.call(route, body)) == ["missing_session_token"]
        assert alice_api.call(route, body).status_code == 200
        assert staff_api.call(route, body).status_code == 200
    # listings only show bob the public files
    assert bob_api.call("bucket/list-files", {"bucket": "photos"}).json() == []
    assert len(alice_api.call("bucket/list-files", {"bucket": "photos"}).json()) == 1
    assert codes(bob_api.call("bucket/file/delete", body)) == ["not_allowed"]
    assert StoredFile.objects.count() == 1


def test_rename_duplicate_tags_update_privacy(alice_api, photos):
    upload(alice_api, "photos", "a.txt", "x")
    upload(alice_api, "photos", "b.txt", "y")
    body = {"bucket": "photos", "file": "a.txt"}
    clash = alice_api.call("bucket/file/rename", {**body, "newName": "b.txt"})
    assert clash.status_code == 409 and codes(clash) == ["file_already_exists"]
    assert codes(alice_api.call("bucket/file/rename", {**body, "newName": "../b"})) == ["invalid_file_path"]
    renamed = alice_api.call("bucket/file/rename", {**body, "newName": "c.txt"}).json()
    assert renamed["fileName"] == "c.txt"
    body["file"] = "c.txt"
    copy = alice_api.call("bucket/file/duplicate", body).json()
    named = alice_api.call("bucket/file/duplicate", {**body, "duplicateName": "d.txt"}).json()
    assert (copy["fileName"], named["fileName"]) == ("c (2).txt", "d.txt")
    assert copy["_id"] != renamed["_id"] and copy["size"] == 1
    assert alice_api.call("bucket/file/add-tags", {**body, "tags": ["t1", "t2"]}).json()["tags"] == ["t1", "t2"]
    assert alice_api.call("bucket/file/remove-tags", {**body, "tags": ["t1"]}).json()["tags"] == ["t2"]
    assert alice_api.call("bucket/file/make-private", body).json()["isPublic"] is False
    assert alice_api.call("bucket/file/make-public", body).json()["isPublic"] is True
    updated = alice_api.call("bucket/file/update", {**body, "newName": "e.txt", "isPublic": False, "tags": []}).json()
    assert (updated["fileName"], updated["isPublic"], updated["tags"]) == ("e.txt", False, [])


def test_move_and_copy_between_buckets(staff_api, alice_api, photos):
    staff_api.call("create-bucket", {"name": "archive"})
    upload(alice_api, "archive", "a.txt", "old")
    file = upload(alice_api, "photos", "a.txt", "new")
    key = StoredFile.objects.get(pk=file["_id"]).blob_key
    moved = alice_api.call("bucket/file/move", {"bucket": "photos", "file": "a.txt", "bucketNameOrId": "archive"}).json()
    assert moved["_id"] == file["_id"] and moved["fileName"] == "a (2).txt"
    assert moved["bucketId"] == Bucket.objects.get(name="archive").pk.__str__()
    assert StoredFile.objects.get(pk=file["_id"]).blob_key == key  # no byte copy
    copied = alice_api.call("bucket/file/copy", {"bucket": "archive", "file": "a (2).txt", "bucketNameOrId": "photos"}).json()
    assert copied["fileName"] == "a (2).txt" and copied["_id"] != file["_id"]  # the name it has
    assert codes(alice_api.call("bucket/file/move", {"bucket": "archive", "file": "a.txt", "bucketNameOrId": "nope"})) \
        == ["bucket_not_found"]


def test_replace_object(alice_api, bob_api, photos):
    file = upload(alice_api, "photos", "a.txt", "old")
    response = alice_api.generic("POST", "/_api/rest/v1/storage/bucket/file/replace-object?bucket=photos&file=a.txt"
                                 "&options={\"contentType\":\"text/plain\"}", '"brand new"', content_type="application/json")
    assert response.status_code == 200, response.json()
    replaced = response.json()
    assert replaced["_id"] == file["_id"] and replaced["size"] == 9 and replaced["publicPath"] == file["publicPath"]
    denied = bob_api.generic("POST", "/_api/rest/v1/storage/bucket/file/replace-object?bucket=photos&file=a.txt",
                             '"mine now"', content_type="application/json")
    assert codes(denied) == ["not_allowed"]
    missing = alice_api.generic("POST", "/_api/rest/v1/storage/bucket/file/replace-object?bucket=photos",
                                '"x"', content_type="application/json")
    assert codes(missing) == ["missing_file_identifier"]


def test_delete_files_and_delete_by_url(alice_api, photos):
    a = upload(alice_api, "photos", "a.txt")
    upload(alice_api, "photos", "b.txt")
    upload(alice_api, "photos", "c.txt")
    assert alice_api.call("bucket/delete-files", {"bucket": "photos", "fileNamesOrIds": [a["_id"], "b.txt", "zzz"]}) \
        .status_code == 200
    assert list(StoredFile.objects.values_list("name", flat=True)) == ["c.txt"]
    c = alice_api.call("bucket/file/get", {"bucket": "photos", "file": "c.txt"}).json()
    assert alice_api.call("delete-file", {"fileUrl": c["publicPath"]}).status_code == 200
    assert StoredFile.objects.count() == 0
    assert codes(alice_api.call("delete-file", {"fileUrl": c["publicPath"]})) == ["file_not_found"]
    assert codes(alice_api.call("delete-file", {"fileUrl": "https://elsewhere.example/x.png"})) == ["invalid_file_url"]


def test_list_and_search_files(alice_api, staff_api, photos):
    staff_api.call("create-bucket", {"name": "other"})
    for name, text in [("a.txt", "1"), ("b.txt", "22"), ("c.bin", "333")]:
        upload(alice_api, "photos", name, text)
    upload(alice_api, "other", "d.txt", "4444")
    files = alice_api.call("bucket/list-files", {"bucket": "photos", "expression": "size >= 2",
                                                  "options": {"sort": {"field": "size", "direction": "desc"}}}).json()
    assert [f["fileName"] for f in files] == ["c.bin", "b.txt"]
    found = alice_api.call("search-files", {"expression": "ENDSWITH(fileName, '.txt')",
                                            "options": {"returnCountInfo": True, "limit": 2,
                                                        "sort": {"field": "fileName", "direction": "asc"}}}).json()
    assert found["info"]["count"] == 3 and [f["fileName"] for f in found["data"]] == ["a.txt", "b.txt"]
    assert codes(alice_api.call("search-files", {"expression": "blob_key == 'x'"})) == ["invalid_field"]
    assert codes(alice_api.call("search-files", {"options": {"sort": {"field": "size", "direction": "up"}}})) \
        == ["validation_error"]
    by_bucket = alice_api.call("search-files", {"expression": f"bucketId == '{photos['_id']}'"}).json()
    assert len(by_bucket) == 3


def test_bodies_that_are_not_objects(alice_api):
    response = alice_api.post("/_api/rest/v1/storage/bucket/get", "[1]", content_type="application/json")
    assert response.status_code == 400
    response = alice_api.post("/_api/rest/v1/storage/bucket/get", "{", content_type="application/json")
    assert codes(response) == ["invalid_request_body_syntax"]


def test_names_with_a_nul_are_not_found(alice_api, photos):
    assert codes(alice_api.upload("pho\x00tos", "a.txt", "x")) == ["bucket_not_found"]
    upload(alice_api, "photos", "a.txt")
    response = alice_api.post("/_api/rest/v1/storage/bucket/file/get", {"bucket": "photos", "file": "a\x00.txt"},
                              format="json")
    assert response.status_code == 404 and codes(response) == ["file_not_found"], response.content
