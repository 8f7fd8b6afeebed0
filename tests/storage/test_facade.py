"""``agnost.storage(alias)``: buckets and files through the server library (spec 1.2, 4.3).

Every call returns a :class:`~agnost_django.core.result.Result`; bytes are kept in the
``STORAGES`` backend under ``StoredFile.blob_key`` and freed once the change that drops them
commits (``django_capture_on_commit_callbacks(execute=True)`` plays the commit here).
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from agnost_django import agnost
from agnost_django.core.result import AgnostError, Result
from agnost_django.storage import blobs
from agnost_django.storage.models import Bucket, StoredFile

pytestmark = pytest.mark.django_db

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(autouse=True)
def _free_leftover_bytes(db, backend_keys):
    """Bytes of rows that the test transaction rolls back would outlive the test: free them,
    so that every test (and the next module) starts from the backend it found."""
    before = set(backend_keys())
    yield
    for key in set(backend_keys()) - before:
        blobs.delete_now("default", key)


@pytest.fixture
def storage():
    return agnost.storage("default")


@pytest.fixture
def photos(storage):
    storage.create_bucket("photos").unwrap()
    return storage.bucket("photos")


def only_error(result: Result, status: int, code: str):
    """The single error item of a failed Result."""
    assert isinstance(result, Result)
    assert not result.ok and not result and result.data is None
    assert result.errors.status == status, result.errors
    (item,) = result.errors.items
    assert item.code == code, item
    assert item.origin == ("server_error" if status >= 500 else "client_error")
    assert isinstance(item.message, str) and item.message
    return item


def blob_key(file_id: str) -> str:
    return StoredFile.objects.get(pk=file_id).blob_key


def stored_keys() -> set[str]:
    return set(StoredFile.objects.values_list("blob_key", flat=True))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# -- errors ---------------------------------------------------------------------------------

def test_seed_example_missing_bucket_is_bucket_not_found():
    result = agnost.storage("default").bucket("profile picture").file("profile1.png").get_info()
    item = only_error(result, 404, "bucket_not_found")
    assert result.errors.status_text == "Not Found"
    assert "profile picture" in item.message
    assert item.details == {"bucket": "profile picture"}
    data, errors = result
    assert data is None and errors is result.errors
    assert result.to_dict()["errors"]["items"] == [
        {"origin": "client_error", "code": "bucket_not_found", "message": item.message,
         "details": {"bucket": "profile picture"}}
    ]
    with pytest.raises(AgnostError) as raised:
        result.unwrap()
    assert raised.value.result is result


def test_unknown_storage_alias_and_chained_calls():
    missing = agnost.storage("nope")
    only_error(missing, 404, "storage_not_found")
    assert missing.errors.items[0].details == {"storage": "nope"}
    for result in (
        missing.bucket("photos").file("a.png").get_info(),
        missing.bucket("photos").upload(b"x", path="x.txt"),
        missing.create_bucket("photos"),
        missing.list_buckets(),
        missing.get_stats(),
    ):
        assert isinstance(result, Result)
        only_error(result, 404, "storage_not_found")


def test_missing_file_and_missing_bucket_on_every_kind_of_call(photos):
    only_error(photos.file("nope.png").get_info(), 404, "file_not_found")
    only_error(photos.file("nope.png").read(), 404, "file_not_found")
    only_error(photos.file("nope.png").delete(), 404, "file_not_found")
    assert photos.file("nope.png").exists() == Result(False, None)
    gone = agnost.storage().bucket("gone")
    assert gone.exists() == Result(False, None)
    for result in (gone.get_info(), gone.rename("x"), gone.empty(), gone.delete(), gone.make_public(),
                   gone.set_tag("a", 1), gone.list_files(), gone.upload(b"x", path="x.txt"),
                   gone.delete_files(["x"]), gone.file("x").exists()):
        only_error(result, 404, "bucket_not_found")


# -- storage manager ------------------------------------------------------------------------

def test_create_bucket(storage, user_factory):
    user = user_factory()
    created = storage.create_bucket("avatars", is_public=False, tags=["people"], user_id=user.pk)
    assert created.ok
    info = created.data
    assert info["name"] == "avatars" and info["isPublic"] is False and info["tags"] == ["people"]
    assert info["userId"] == str(user.pk)
    assert set(info) >= {"_id", "name", "isPublic", "tags", "userId", "createdAt", "updatedAt"}
    assert Bucket.objects.get(pk=info["_id"]).storage_alias == "default"
    only_error(storage.create_bucket("avatars"), 409, "bucket_already_exists")
    only_error(storage.create_bucket(""), 400, "invalid_bucket_name")
    only_error(storage.create_bucket("a/b"), 400, "invalid_bucket_name")
    default = storage.create_bucket("docs").data
    assert default["isPublic"] is True and default["tags"] == [] and default["userId"] is None
    # Buckets are found by name or by id.
    assert storage.bucket(info["_id"]).get_info().data["name"] == "avatars"


def test_list_buckets_search_paging_sort_and_count_info(storage):
    for name in ("bravo", "alpha", "charlie", "delta", "echo-x"):
        storage.create_bucket(name).unwrap()
    ours = {"alpha", "bravo", "charlie", "delta", "echo-x"}
    listed = storage.list_buckets(limit=100).data
    assert isinstance(listed, list) and ours <= {b["name"] for b in listed}
    assert [b["name"] for b in storage.list_buckets(search="ALP").data] == ["alpha"]
    assert [b["name"] for b in storage.list_buckets(search="a", sort={"field": "name", "direction": "asc"}).data] == [
        "alpha", "bravo", "charlie", "delta"]
    # Agnost's engine spelling ``order`` as well as the client's ``direction``.
    by_order = storage.list_buckets(search="a", sort={"field": "name", "order": "desc"}).data
    assert [b["name"] for b in by_order] == ["delta", "charlie", "bravo", "alpha"]
    page = storage.list_buckets(search="a", sort={"field": "name", "direction": "asc"}, page=2, limit=3,
                                return_count_info=True).data
    assert page["info"] == {"count": 4, "totalPages": 2, "currentPage": 2, "pageSize": 3}
    assert [b["name"] for b in page["data"]] == ["delta"]
    only_error(storage.list_buckets(sort={"field": "nope"}), 400, "invalid_field")


def test_list_files_of_the_whole_storage_and_stats(storage):
    storage.create_bucket("one").unwrap()
    storage.create_bucket("two").unwrap()
    storage.bucket("one").upload(b"12345", path="a.txt").unwrap()
    storage.bucket("one").upload(b"1234567890", path="b.txt").unwrap()
    storage.bucket("two").upload(b"123", path="reports/a.csv").unwrap()
    files = storage.list_files(sort={"field": "size", "order": "asc"}).data
    assert [(f["fileName"], f["size"]) for f in files] == [("reports/a.csv", 3), ("a.txt", 5), ("b.txt", 10)]
    assert sorted(f["fileName"] for f in storage.list_files(search="A.").data) == ["a.txt", "reports/a.csv"]
    counted = storage.list_files(return_count_info=True, limit=2).data
    assert counted["info"] == {"count": 3, "totalPages": 2, "currentPage": 1, "pageSize": 2}
    stats = storage.get_stats().data
    assert stats == {
        "bucketsCount": Bucket.objects.filter(storage_alias="default").count(),
        "objectsCount": 3, "totalStorageSize": 18, "averageObjectSize": 6,
        "minObjectSize": 3, "maxObjectSize": 10,
    }


# -- bucket manager -------------------------------------------------------------------------

def test_bucket_exists_and_detailed_info(storage, photos):
    assert photos.exists() == Result(True, None)
    info = photos.get_info().data
    assert info["name"] == "photos" and "stats" not in info
    empty = photos.get_info(detailed=True).data["stats"]
    assert empty == {"objectsCount": 0, "totalStorageSize": 0, "averageObjectSize": 0,
                     "minObjectSize": 0, "maxObjectSize": 0}
    photos.upload(b"x" * 100, path="a.bin").unwrap()
    photos.upload(b"x" * 301, path="b.bin").unwrap()
    stats = photos.get_info(detailed=True).data["stats"]
    assert stats == {"objectsCount": 2, "totalStorageSize": 401, "averageObjectSize": 200,
                     "minObjectSize": 100, "maxObjectSize": 301}
    # The bucket name is trimmed (spec 1.2: ``bucket(name)`` trims).
    assert storage.bucket("  photos ").exists().data is True


def test_rename_bucket(storage, photos):
    photos.upload(b"hello", path="a.txt").unwrap()
    renamed = photos.rename("pictures")
    assert renamed.data["name"] == "pictures"
    assert photos.name == "pictures"  # the manager follows
    assert photos.file("a.txt").read().data == b"hello"
    only_error(storage.bucket("photos").get_info(), 404, "bucket_not_found")
    storage.create_bucket("other").unwrap()
    only_error(photos.rename("other"), 409, "bucket_already_exists")
    only_error(storage.bucket("root").rename("x"), 400, "root_bucket_protected")


def test_empty_bucket_frees_the_bytes(photos, backend_keys, django_capture_on_commit_callbacks):
    keys = {blob_key(photos.upload(b"a", path=f"{n}.txt").data["_id"]) for n in range(3)}
    assert keys <= set(backend_keys())
    with django_capture_on_commit_callbacks(execute=True):
        assert photos.empty() == Result(3, None)
    assert photos.exists().data is True
    assert photos.list_files().data == []
    assert not keys & set(backend_keys())


def test_delete_bucket_and_only_if_empty(storage, photos, backend_keys, django_capture_on_commit_callbacks):
    key = blob_key(photos.upload(b"abc", path="a.txt").data["_id"])
    refused = photos.delete(only_if_empty=True)
    item = only_error(refused, 409, "bucket_not_empty")
    assert item.details == {"bucket": "photos"}
    assert photos.exists().data is True and key in backend_keys()
    with django_capture_on_commit_callbacks(execute=True):
        assert photos.delete() == Result(None, None)
    assert photos.exists().data is False
    assert key not in backend_keys()
    storage.create_bucket("empty").unwrap()
    assert storage.bucket("empty").delete(only_if_empty=True).ok
    assert storage.bucket("empty").exists().data is False
    only_error(storage.bucket("root").delete(), 400, "root_bucket_protected")


def test_bucket_privacy_with_and_without_files(photos):
    first = photos.upload(b"a", path="a.txt").data
    assert first["isPublic"] is True  # new files follow the bucket
    assert photos.make_private().data["isPublic"] is False
    assert photos.file("a.txt").get_info().data["isPublic"] is True  # files kept theirs
    assert photos.upload(b"b", path="b.txt").data["isPublic"] is False
    assert photos.make_public(include_files=True).data["isPublic"] is True
    assert {f["isPublic"] for f in photos.list_files().data} == {True}
    assert photos.make_private(include_files=True).data["isPublic"] is False
    assert {f["isPublic"] for f in photos.list_files().data} == {False}


def test_bucket_metadata_tags(photos):
    assert "metadata" not in photos.get_info().data
    assert photos.set_tag("owner", "ada").data["metadata"] == {"owner": "ada"}
    assert photos.set_tag("level", 3).data["metadata"] == {"owner": "ada", "level": 3}
    assert photos.remove_tag("owner").data["metadata"] == {"level": 3}
    assert photos.remove_tag("missing").data["metadata"] == {"level": 3}
    cleared = photos.remove_all_tags().data
    assert "metadata" not in cleared
    assert Bucket.objects.get(name="photos").metadata == {}


def test_bucket_string_tags(photos):
    assert photos.add_tags(["a", "b"]).data["tags"] == ["a", "b"]
    assert photos.add_tags("c").data["tags"] == ["a", "b", "c"]
    assert photos.add_tags(["b", "d"]).data["tags"] == ["a", "b", "c", "d"]
    assert photos.remove_tags(["a", "c", "zzz"]).data["tags"] == ["b", "d"]
    only_error(photos.add_tags([1]), 400, "invalid_tags")


def test_bucket_update_info(storage, photos):
    photos.upload(b"a", path="a.txt").unwrap()
    updated = photos.update_info("gallery", False, ["x"], include_files=True).data
    assert (updated["name"], updated["isPublic"], updated["tags"]) == ("gallery", False, ["x"])
    assert photos.name == "gallery"
    assert storage.bucket("gallery").file("a.txt").get_info().data["isPublic"] is False
    unchanged = photos.update_info(None, None).data
    assert (unchanged["name"], unchanged["isPublic"], unchanged["tags"]) == ("gallery", False, ["x"])


def test_delete_files_skips_unknown_paths(photos, backend_keys, django_capture_on_commit_callbacks):
    a = photos.upload(b"a", path="a.txt").data
    photos.upload(b"b", path="b.txt").unwrap()
    c = photos.upload(b"c", path="dir/c.txt").data
    keys = {blob_key(a["_id"]), blob_key(c["_id"])}
    with django_capture_on_commit_callbacks(execute=True):
        deleted = photos.delete_files(["a.txt", "missing.txt", c["_id"], "/nope/"])
    assert deleted == Result(2, None)
    assert [f["fileName"] for f in photos.list_files().data] == ["b.txt"]
    assert not keys & set(backend_keys())
    assert photos.delete_files([]) == Result(0, None)


def test_delete_files_with_one_path_as_a_string(photos):
    """One string is one path (as in ``services.delete_files`` and ``add_tags``), never a
    sequence of one-character paths."""
    photos.upload(b"a", path="a.txt").unwrap()
    photos.upload(b"t", path="t").unwrap()
    assert photos.delete_files("a.txt") == Result(1, None)
    assert [f["fileName"] for f in photos.list_files().data] == ["t"]


def test_bucket_list_files(photos):
    for name, content in (("b.txt", b"bb"), ("a.txt", b"a"), ("c/d.png", PNG)):
        photos.upload(content, path=name).unwrap()
    names = [f["fileName"] for f in photos.list_files(sort={"field": "fileName", "direction": "asc"}).data]
    assert names == ["a.txt", "b.txt", "c/d.png"]
    # Agnost's file field names (path, contentType) and its ``order``.
    names = [f["fileName"] for f in photos.list_files(sort={"field": "path", "order": "desc"}).data]
    assert names == ["c/d.png", "b.txt", "a.txt"]
    by_type = photos.list_files(sort=[{"field": "contentType", "order": "asc"}, {"field": "path", "order": "asc"}]).data
    assert [f["mimeType"] for f in by_type] == ["image/png", "text/plain", "text/plain"]
    assert [f["fileName"] for f in photos.list_files(search=".TXT").data] in (["a.txt", "b.txt"], ["b.txt", "a.txt"])
    page = photos.list_files(page=2, limit=2, sort={"field": "path", "order": "asc"}, return_count_info=True).data
    assert page["info"] == {"count": 3, "totalPages": 2, "currentPage": 2, "pageSize": 2}
    assert [f["fileName"] for f in page["data"]] == ["c/d.png"]
    assert [f["fileName"] for f in photos.list_files(expression="size > 1", sort={"field": "size"}).data] == [
        "b.txt", "c/d.png"]


# -- uploads --------------------------------------------------------------------------------

def test_upload_from_bytes(photos, backend_keys, storage_backend):
    data = photos.upload(b"hello world", path="/greetings/hello.txt", tags=["t"]).data
    assert data["fileName"] == "greetings/hello.txt"  # slashes around the path are dropped
    assert data["size"] == 11 and data["mimeType"] == "text/plain"
    assert data["checksum"] == hashlib.sha256(b"hello world").hexdigest()
    assert data["tags"] == ["t"] and data["userId"] is None
    assert data["publicPath"] == f"/_storage/{data['_id']}"
    assert data["bucketId"] == photos.get_info().data["_id"]
    key = blob_key(data["_id"])
    assert key in backend_keys()
    assert "hello" not in key  # names never reach the backend
    with storage_backend.open(key, "rb") as handle:
        assert handle.read() == b"hello world"


def test_upload_from_a_local_path(photos, tmp_path):
    local = tmp_path / "notes.txt"
    local.write_bytes(b"from disk")
    by_str = photos.upload(str(local)).data
    assert by_str["fileName"] == "notes.txt" and by_str["size"] == 9
    by_path = photos.upload(local, path="copy.txt").data
    assert by_path["fileName"] == "copy.txt"
    assert photos.file("copy.txt").read().data == b"from disk"
    only_error(photos.upload(tmp_path / "missing.txt"), 400, "file_upload_error")


def test_upload_from_django_files(photos):
    content = photos.upload(ContentFile(b"content file", name="cf.txt")).data
    assert content["fileName"] == "cf.txt" and content["size"] == 12
    uploaded = photos.upload(SimpleUploadedFile("avatar.png", PNG, content_type="image/png")).data
    assert uploaded["fileName"] == "avatar.png" and uploaded["mimeType"] == "image/png"
    assert uploaded["size"] == len(PNG)
    assert photos.file("avatar.png").read().data == PNG
    # A File without a name needs a path.
    only_error(photos.upload(ContentFile(b"nameless")), 400, "invalid_file_path")
    assert photos.upload(ContentFile(b"nameless"), path="named.txt").data["size"] == 8


def test_upload_from_an_open_binary_file(photos, tmp_path):
    local = tmp_path / "sub" / "data.bin"
    local.parent.mkdir()
    local.write_bytes(bytes(range(256)) * 4)
    with local.open("rb") as handle:
        data = photos.upload(handle).data
    assert data["fileName"] == "data.bin" and data["size"] == 1024
    assert photos.file("data.bin").read().data == bytes(range(256)) * 4


def test_upload_onto_an_existing_path(photos, backend_keys, django_capture_on_commit_callbacks):
    first = photos.upload(b"one", path="a.txt", tags=["keep"]).data
    old_key = blob_key(first["_id"])
    item = only_error(photos.upload(b"two", path="a.txt"), 409, "file_already_exists")
    assert item.details == {"file": "a.txt"}
    assert photos.file("a.txt").read().data == b"one"
    keys = set(backend_keys())
    with django_capture_on_commit_callbacks(execute=True):
        second = photos.upload(b"second!", path="a.txt", upsert=True).data
    assert second["_id"] == first["_id"]
    assert second["size"] == 7 and second["checksum"] == hashlib.sha256(b"second!").hexdigest()
    assert second["tags"] == ["keep"]  # kept unless new ones are given
    assert photos.file("a.txt").read().data == b"second!"
    assert StoredFile.objects.filter(name="a.txt").count() == 1
    assert old_key not in backend_keys()
    assert set(backend_keys()) == keys - {old_key} | {blob_key(first["_id"])}
    # upsert of a new path is a plain upload.
    assert photos.upload(b"new", path="b.txt", upsert=True).data["size"] == 3


def test_upload_size_mismatch_stores_nothing(photos, backend_keys):
    keys = set(backend_keys())
    item = only_error(photos.upload(b"12345", path="a.txt", size=4), 400, "file_upload_error")
    assert item.details == {"size": 4, "actual": 5}
    assert set(backend_keys()) == keys
    assert photos.file("a.txt").exists().data is False
    assert photos.upload(b"12345", path="a.txt", size=5).data["size"] == 5


def test_upload_mime_type_guessed_then_checked_against_the_bytes(photos):
    assert photos.upload(b"a,b\n1,2\n", path="t.csv").data["mimeType"] == "text/csv"
    assert photos.upload(PNG, path="pic.png").data["mimeType"] == "image/png"
    assert photos.upload(b"plain", path="x.txt", mime_type="text/markdown").data["mimeType"] == "text/markdown"
    # A lying name (or declared type) is corrected by sniffing.
    assert photos.upload(HTML, path="x.png").data["mimeType"] == "text/html"
    assert photos.upload(HTML, path="y.bin", mime_type="image/png").data["mimeType"] == "text/html"
    assert StoredFile.objects.get(name="x.png").detected_type == "text/html"
    # No name to guess from: the bytes decide.
    assert photos.upload(PNG, path="noext").data["mimeType"] == "image/png"


def test_upload_privacy_and_owner(storage, photos, user_factory):
    user = user_factory()
    data = photos.upload(b"x", path="a.txt", user_id=user.pk, is_public=False).data
    assert data["userId"] == str(user.pk) and data["isPublic"] is False
    assert StoredFile.objects.get(pk=data["_id"]).owner == user
    assert photos.upload(b"x", path="b.txt", user_id=user).data["userId"] == str(user.pk)
    storage.create_bucket("private", is_public=False).unwrap()
    assert storage.bucket("private").upload(b"x", path="c.txt").data["isPublic"] is False


def test_upload_limits(photos, settings, backend_keys):
    keys = set(backend_keys())
    settings.AGNOST_STORAGE_MAX_UPLOAD_SIZE = 4
    only_error(photos.upload(b"12345", path="a.txt"), 413, "file_too_large")
    assert set(backend_keys()) == keys
    only_error(photos.upload(12345, path="a.txt"), 400, "file_upload_error")
    only_error(photos.upload(b"1", path="../a.txt"), 400, "invalid_file_path")


# -- file manager ---------------------------------------------------------------------------

def test_file_exists_info_read_and_open(photos):
    created = photos.upload(b"some bytes", path="docs/a.txt").data
    file = photos.file("docs/a.txt")
    assert file.exists() == Result(True, None)
    assert file.get_info().data == created
    assert photos.file(created["_id"]).get_info().data["fileName"] == "docs/a.txt"  # by id too
    assert photos.file("/docs/a.txt").get_info().ok  # slashes around the path are ignored
    assert file.read() == Result(b"some bytes", None)
    opened = file.open()
    assert opened.ok
    with opened.data as handle:
        assert handle.read() == b"some bytes"
    with file.create_read_stream().unwrap() as handle:
        assert handle.read(4) == b"some"


def test_file_delete_frees_the_bytes(photos, backend_keys, django_capture_on_commit_callbacks):
    key = blob_key(photos.upload(b"x", path="a.txt").data["_id"])
    with django_capture_on_commit_callbacks(execute=True):
        assert photos.file("a.txt").delete() == Result(None, None)
    assert photos.file("a.txt").exists().data is False
    assert key not in backend_keys()


def test_file_privacy(storage):
    storage.create_bucket("private", is_public=False).unwrap()
    file = storage.bucket("private").file("a.txt")
    storage.bucket("private").upload(b"x", path="a.txt").unwrap()
    assert file.get_info().data["isPublic"] is False
    assert file.make_public().data["isPublic"] is True
    assert StoredFile.objects.get(name="a.txt").is_public is True
    assert file.make_private().data["isPublic"] is False
    assert storage.bucket("private").get_info().data["isPublic"] is False


def test_file_metadata_and_string_tags(photos):
    photos.upload(b"x", path="a.txt").unwrap()
    file = photos.file("a.txt")
    assert file.set_tag("k", "v").data["metadata"] == {"k": "v"}
    assert file.set_tag("n", [1, 2]).data["metadata"] == {"k": "v", "n": [1, 2]}
    assert file.remove_tag("k").data["metadata"] == {"n": [1, 2]}
    assert "metadata" not in file.remove_all_tags().data
    assert file.add_tags(["x", "y"]).data["tags"] == ["x", "y"]
    assert file.remove_tags("x").data["tags"] == ["y"]


def test_copy_to(photos, backend_keys, storage_backend):
    original = photos.upload(b"copy me", path="a.txt", tags=["t"], is_public=False).data
    photos.file("a.txt").set_tag("k", 1).unwrap()
    copied = photos.file("a.txt").copy_to("b.txt").data
    assert copied["_id"] != original["_id"] and copied["fileName"] == "b.txt"
    assert (copied["size"], copied["mimeType"], copied["isPublic"], copied["tags"], copied["checksum"]) == (
        original["size"], original["mimeType"], False, ["t"], original["checksum"])
    assert copied["metadata"] == {"k": 1}
    assert blob_key(copied["_id"]) != blob_key(original["_id"])
    assert {blob_key(copied["_id"]), blob_key(original["_id"])} <= set(backend_keys())
    assert photos.file("b.txt").read().data == b"copy me"
    keys = set(backend_keys())
    only_error(photos.file("a.txt").copy_to("b.txt"), 409, "file_already_exists")
    assert set(backend_keys()) == keys  # the bytes copied for nothing are gone at once
    agnost.storage().create_bucket("other").unwrap()
    elsewhere = photos.file("a.txt").copy_to(bucket="other").data
    assert elsewhere["fileName"] == "a.txt" and elsewhere["bucketId"] != original["bucketId"]
    assert agnost.storage().bucket("other").file("a.txt").read().data == b"copy me"


def test_move_to_renames_without_copying_bytes(photos, backend_keys):
    original = photos.upload(b"move me", path="a.txt").data
    key = blob_key(original["_id"])
    keys = set(backend_keys())
    file = photos.file("a.txt")
    moved = file.move_to("dir/b.txt").data
    assert moved["_id"] == original["_id"] and moved["fileName"] == "dir/b.txt"
    assert moved["publicPath"] == original["publicPath"]
    assert file.path == "dir/b.txt"  # the manager follows
    assert blob_key(original["_id"]) == key
    assert set(backend_keys()) == keys
    assert photos.file("a.txt").exists().data is False
    assert file.read().data == b"move me"
    photos.upload(b"other", path="c.txt").unwrap()
    only_error(file.move_to("c.txt"), 409, "file_already_exists")
    assert photos.file("c.txt").read().data == b"other"
    assert file.get_info().data["fileName"] == "dir/b.txt"
    assert set(backend_keys()) == keys | {blob_key(photos.file("c.txt").get_info().data["_id"])}


def test_move_to_another_bucket(storage, photos, backend_keys):
    original = photos.upload(b"travel", path="a.txt").data
    key = blob_key(original["_id"])
    keys = set(backend_keys())
    other = storage.create_bucket("other").data
    moved = photos.file("a.txt").move_to(bucket="other").data
    assert moved["_id"] == original["_id"] and moved["bucketId"] == other["_id"]
    assert moved["fileName"] == "a.txt"
    assert blob_key(original["_id"]) == key and set(backend_keys()) == keys
    assert photos.file("a.txt").exists().data is False
    assert storage.bucket("other").file("a.txt").read().data == b"travel"
    renamed = storage.bucket("other").file("a.txt").move_to("b.txt", bucket="photos").data
    assert (renamed["fileName"], renamed["bucketId"]) == ("b.txt", original["bucketId"])
    only_error(photos.file("b.txt").move_to(bucket="missing"), 404, "bucket_not_found")


def test_a_file_manager_follows_its_file_into_another_bucket(storage, photos):
    """``move_to`` updates the manager's path to follow the file; it must follow the bucket
    too, else the manager names another (or no) file."""
    storage.create_bucket("other").unwrap()
    photos.upload(b"travel", path="a.txt").unwrap()
    file = photos.file("a.txt")
    file.move_to(bucket="other").unwrap()
    photos.upload(b"newcomer", path="a.txt").unwrap()  # a new file where the old one was
    assert file.read().data == b"travel"
    assert file.get_info().data["bucketId"] == storage.bucket("other").get_info().data["_id"]


def test_replace(photos, backend_keys, django_capture_on_commit_callbacks, tmp_path):
    original = photos.upload(b"version one", path="a.txt", tags=["t"]).data
    old_key = blob_key(original["_id"])
    file = photos.file("a.txt")
    with django_capture_on_commit_callbacks(execute=True):
        replaced = file.replace(b"version two!").data
    assert replaced["_id"] == original["_id"] and replaced["fileName"] == "a.txt"
    assert replaced["size"] == 12 and replaced["checksum"] == hashlib.sha256(b"version two!").hexdigest()
    assert replaced["checksum"] != original["checksum"] and replaced["tags"] == ["t"]
    assert replaced["uploadedAt"] >= original["uploadedAt"]
    new_key = blob_key(original["_id"])
    assert new_key != old_key
    assert old_key not in backend_keys() and new_key in backend_keys()
    assert file.read().data == b"version two!"
    # From a local path; a size that does not match stores nothing.
    local = tmp_path / "v3.txt"
    local.write_bytes(b"v3")
    keys = set(backend_keys())
    only_error(file.replace(local, size=3), 400, "file_upload_error")
    assert set(backend_keys()) == keys and file.read().data == b"version two!"
    with django_capture_on_commit_callbacks(execute=True):
        assert file.replace(local, size=2).data["size"] == 2
    assert file.read().data == b"v3"
    assert new_key not in backend_keys()
    # The type follows the new bytes.
    assert file.replace(PNG, mime_type="image/png").data["mimeType"] == "image/png"


def test_file_update_info(photos):
    photos.upload(b"x", path="a.txt", is_public=True).unwrap()
    file = photos.file("a.txt")
    updated = file.update_info("b/c.txt", False, ["z"]).data
    assert (updated["fileName"], updated["isPublic"], updated["tags"]) == ("b/c.txt", False, ["z"])
    assert file.path == "b/c.txt"
    assert file.read().data == b"x"
    photos.upload(b"y", path="d.txt").unwrap()
    only_error(file.update_info("d.txt", None), 409, "file_already_exists")
    assert file.update_info(None, None).data["fileName"] == "b/c.txt"


# -- urls -----------------------------------------------------------------------------------

def test_url_of_a_public_file(photos, client):
    data = photos.upload(b"public bytes", path="a.txt", is_public=True).data
    url = photos.file("a.txt").url()
    assert url == Result(data["publicPath"], None)
    response = client.get(url.data)
    assert response.status_code == 200 and body(response) == b"public bytes"
    assert photos.file("a.txt").url(base="https://api.example.com/").data == (
        f"https://api.example.com/_storage/{data['_id']}")


def test_url_of_a_private_file_is_signed(photos, client):
    data = photos.upload(b"secret bytes", path="a.txt", is_public=False).data
    url = photos.file("a.txt").url().unwrap()
    assert url.startswith(data["publicPath"] + "?token=")
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert body(response) == b"secret bytes"
    assert "no-store" in response["Cache-Control"]
    path, token = url.split("?token=")
    middle = len(token) - 10
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
    only_http_error(client.get(f"{path}?token={tampered}"), 403, "invalid_signature")
    expired = photos.file("a.txt").url(expires=-1).unwrap()
    only_http_error(client.get(expired), 403, "invalid_signature")
    only_http_error(client.get(path), 403, "not_public")
    # A token is good for its own file only.
    other = photos.upload(b"other", path="b.txt", is_public=False).data
    only_http_error(client.get(f"{other['publicPath']}?token={token}"), 403, "invalid_signature")
    # ``expires`` also signs a public file's URL.
    photos.file("a.txt").make_public().unwrap()
    assert "?token=" in photos.file("a.txt").url(expires=60).data


def only_http_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    (item,) = response.json()["errors"]
    assert item["code"] == code


# -- bytes and rows stay in step ------------------------------------------------------------

def test_no_orphaned_bytes(storage, backend_keys, django_capture_on_commit_callbacks, tmp_path):
    before = set(backend_keys())

    def new_keys() -> set[str]:
        return set(backend_keys()) - before

    local = tmp_path / "local.txt"
    local.write_bytes(b"local")
    with django_capture_on_commit_callbacks(execute=True):
        storage.create_bucket("a").unwrap()
        storage.create_bucket("b").unwrap()
        a, b = storage.bucket("a"), storage.bucket("b")
        a.upload(b"one", path="1.txt").unwrap()
        a.upload(local).unwrap()
        a.upload(PNG, path="img.png").unwrap()
        a.file("1.txt").copy_to("1-copy.txt").unwrap()
        a.file("1.txt").copy_to(bucket="b").unwrap()
        a.file("1-copy.txt").move_to("moved.txt").unwrap()
        a.file("img.png").move_to(bucket="b").unwrap()
        a.file("local.txt").replace(b"replaced").unwrap()
        a.upload(b"upserted", path="1.txt", upsert=True).unwrap()
        only_error(a.upload(b"dup", path="1.txt"), 409, "file_already_exists")
        only_error(a.file("1.txt").copy_to("moved.txt"), 409, "file_already_exists")
        only_error(a.upload(b"xx", path="bad.txt", size=1), 400, "file_upload_error")
        a.file("moved.txt").delete().unwrap()
        b.upload(b"to delete", path="gone.txt").unwrap()
        b.delete_files(["gone.txt", "never.txt"]).unwrap()
    assert new_keys() == stored_keys()
    assert StoredFile.objects.count() == 4
    with django_capture_on_commit_callbacks(execute=True):
        b.delete().unwrap()
    assert new_keys() == stored_keys()
    assert StoredFile.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        a.empty().unwrap()
    assert new_keys() == stored_keys() == set()
