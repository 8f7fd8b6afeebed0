"""Buckets and files in the Django admin: changelists, uploads and replacements through the
forms, the public / private actions, deletions and the signed download links. Bytes are freed
once the change commits (``django_capture_on_commit_callbacks(execute=True)`` plays it)."""

from __future__ import annotations

import hashlib
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client

from agnost_django import agnost
from agnost_django.storage import blobs
from agnost_django.storage.models import Bucket, StoredFile

ADMIN = "/admin/agnost_storage"
BUCKETS = f"{ADMIN}/bucket/"
FILES = f"{ADMIN}/storedfile/"


@pytest.fixture(autouse=True)
def _free_leftover_bytes(db, backend_keys):
    """Bytes of rows that the test transaction rolls back would outlive the test."""
    before = set(backend_keys())
    yield
    for key in set(backend_keys()) - before:
        blobs.delete_now("default", key)


@pytest.fixture
def admin(client, user_factory):
    """The test client, signed in to the admin as a superuser."""
    user = user_factory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def photos(db):
    agnost.storage().create_bucket("photos").unwrap()
    return Bucket.objects.get(name="photos")


def upload(bucket: str, path: str, content: bytes, **options) -> StoredFile:
    data = agnost.storage().bucket(bucket).upload(content, path=path, **options).unwrap()
    return StoredFile.objects.get(pk=data["_id"])


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def download_links(page: str) -> list[str]:
    """The signed links (``/_storage/<id>?token=``) of a page."""
    return [html.unescape(href) for href in re.findall(r'href="(/_storage/[^"]+)"', page)]


def admin_downloads(page: str) -> list[str]:
    """The links of a page to the staff-only content view."""
    return [html.unescape(href) for href in re.findall(r'href="(/admin/agnost_storage/storedfile/[^"]+/content/[^"]*)"', page)]


def form_data(bucket: Bucket, *, name: str = "", is_public: bool = False, tags: str = "[]", **extra) -> dict:
    data = {"bucket": str(bucket.pk), "name": name, "tags": tags, "owner": "", **extra}
    if is_public:
        data["is_public"] = "on"
    return data


# -- changelists ----------------------------------------------------------------------------

def test_changelists_show_sizes_and_download_links(admin, photos):
    small = upload("photos", "small.txt", b"x" * 1024)
    upload("photos", "big.bin", b"y" * (3 * 1024 * 1024))
    buckets = page_of(admin.get(BUCKETS))
    assert "photos" in buckets
    assert filesizeformat(1024 + 3 * 1024 * 1024) in buckets  # "3.0 MB" (non-breaking space)
    assert "3.0\xa0MB" in buckets
    files = page_of(admin.get(FILES))
    assert "small.txt" in files and "big.bin" in files
    assert "1.0\xa0KB" in files and "3.0\xa0MB" in files
    links = admin_downloads(files)
    assert len(links) == 2 and download_links(files) == []  # no signed link in the list
    assert f"{FILES}{small.pk}/content/?download=1" in links
    # An empty bucket shows 0 bytes, and the search finds buckets by name.
    agnost.storage().create_bucket("empty").unwrap()
    found = page_of(admin.get(BUCKETS, {"q": "empt"}))
    assert "empty" in found and filesizeformat(0) in found
    assert "photos" not in found


def test_change_pages_render(admin, photos):
    file = upload("photos", "a.txt", b"hello")
    page = page_of(admin.get(f"{FILES}{file.pk}/change/"))
    assert file.checksum in page and file.blob_key in page
    (link,) = download_links(page)
    assert link.startswith(f"/_storage/{file.pk}?token=")
    page_of(admin.get(f"{BUCKETS}{photos.pk}/change/"))
    page_of(admin.get(f"{BUCKETS}add/"))


def test_the_add_form_needs_an_upload_and_links_nothing(admin, photos):
    """A new StoredFile already has its (uuid4) pk before it is saved: the add form must
    still require the upload and show no download link to a file that does not exist."""
    page = page_of(admin.get(f"{FILES}add/"))
    (field,) = re.findall(r'<input[^>]*name="upload"[^>]*>', page)
    assert " required" in field
    assert download_links(page) == []


# -- uploads and replacements ---------------------------------------------------------------

def test_add_a_file_through_the_admin(admin, photos, storage_backend, backend_keys):
    content = b"z" * 1500
    response = admin.post(f"{FILES}add/", form_data(
        photos, name="docs/report.txt", is_public=True, tags='["a", "b"]',
        upload=SimpleUploadedFile("ignored.txt", content, content_type="text/plain"),
    ))
    assert response.status_code == 302, response.content.decode()[:3000]
    file = StoredFile.objects.get(bucket=photos, name="docs/report.txt")
    assert file.size == 1500 and file.checksum == hashlib.sha256(content).hexdigest()
    assert file.mime_type == "text/plain" and file.is_public is True and file.tags == ["a", "b"]
    assert file.owner == admin.user  # no owner given: the admin who uploaded
    assert file.storage_alias == "default" and file.blob_key in backend_keys()
    with storage_backend.open(file.blob_key, "rb") as handle:
        assert handle.read() == content
    assert response["Location"] == FILES


def test_add_without_a_name_uses_the_uploaded_name(admin, photos, backend_keys):
    response = admin.post(f"{FILES}add/", form_data(
        photos, upload=SimpleUploadedFile("holiday.png", b"not really a png", content_type="image/png")))
    assert response.status_code == 302, response.content.decode()[:3000]
    file = StoredFile.objects.get(bucket=photos)
    assert file.name == "holiday.png" and file.size == 16
    assert file.is_public is False
    assert file.blob_key in backend_keys()
    assert agnost.storage().bucket("photos").file("holiday.png").read().data == b"not really a png"


def test_add_needs_an_upload(admin, photos, backend_keys):
    keys = set(backend_keys())
    response = admin.post(f"{FILES}add/", form_data(photos, name="a.txt"))
    assert response.status_code == 200  # the form again, with its error
    assert "errorlist" in response.content.decode()
    assert not StoredFile.objects.exists() and set(backend_keys()) == keys


def test_add_onto_an_existing_name_is_a_form_error(admin, photos, backend_keys):
    existing = upload("photos", "clash.txt", b"original")
    keys = set(backend_keys())
    response = admin.post(f"{FILES}add/", form_data(
        photos, name="clash.txt", upload=SimpleUploadedFile("x.txt", b"intruder", content_type="text/plain")))
    assert "errorlist" in page_of(response)
    assert list(StoredFile.objects.values_list("pk", flat=True)) == [existing.pk]
    assert set(backend_keys()) == keys


def test_add_onto_the_uploaded_name_is_refused_without_a_server_error(admin, photos, backend_keys):
    """The name clash that the form cannot see (an empty name takes the upload's) is an
    error page or message, never a server error, and leaves no bytes behind."""
    existing = upload("photos", "clash.txt", b"original")
    keys = set(backend_keys())
    admin.raise_request_exception = False
    response = admin.post(f"{FILES}add/", form_data(
        photos, upload=SimpleUploadedFile("clash.txt", b"intruder", content_type="text/plain")), follow=True)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert list(StoredFile.objects.values_list("pk", flat=True)) == [existing.pk]
    assert agnost.storage().bucket("photos").file("clash.txt").read().data == b"original"
    assert set(backend_keys()) == keys


def test_replace_the_content_through_the_change_form(admin, photos, backend_keys,
                                                     django_capture_on_commit_callbacks):
    file = upload("photos", "a.txt", b"old content", is_public=True, tags=["t"])
    old_key, old_checksum = file.blob_key, file.checksum
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"{FILES}{file.pk}/change/", form_data(
            photos, name="a.txt", is_public=True, tags='["t"]',
            upload=SimpleUploadedFile("whatever.txt", b"brand new content!", content_type="text/plain")))
    assert response.status_code == 302, response.content.decode()[:3000]
    file.refresh_from_db()
    assert file.name == "a.txt" and file.size == 18
    assert file.checksum == hashlib.sha256(b"brand new content!").hexdigest() != old_checksum
    assert file.blob_key != old_key
    assert old_key not in backend_keys() and file.blob_key in backend_keys()
    assert agnost.storage().bucket("photos").file("a.txt").read().data == b"brand new content!"


def test_a_replacement_over_the_bucket_limit_is_refused_without_a_server_error(admin, photos, backend_keys):
    file = upload("photos", "a.txt", b"1234", is_public=True)
    Bucket.objects.filter(pk=photos.pk).update(max_file_size=4)
    keys = set(backend_keys())
    admin.raise_request_exception = False
    response = admin.post(f"{FILES}{file.pk}/change/", form_data(
        photos, name="renamed.txt", is_public=True,
        upload=SimpleUploadedFile("big.txt", b"0123456789", content_type="text/plain")), follow=True)
    assert response.status_code == 200
    assert "larger than 4 bytes" in response.content.decode()
    unchanged = StoredFile.objects.get(pk=file.pk)
    assert (unchanged.name, unchanged.size, unchanged.blob_key) == ("a.txt", 4, file.blob_key)
    assert set(backend_keys()) == keys


def test_change_without_an_upload_keeps_the_bytes(admin, photos, backend_keys,
                                                  django_capture_on_commit_callbacks):
    file = upload("photos", "a.txt", b"keep me", is_public=True)
    keys = set(backend_keys())
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"{FILES}{file.pk}/change/", form_data(photos, name="renamed.txt", tags='["x"]'))
    assert response.status_code == 302, response.content.decode()[:3000]
    changed = StoredFile.objects.get(pk=file.pk)
    assert (changed.name, changed.is_public, changed.tags) == ("renamed.txt", False, ["x"])
    assert (changed.blob_key, changed.size, changed.checksum) == (file.blob_key, file.size, file.checksum)
    assert set(backend_keys()) == keys


# -- actions --------------------------------------------------------------------------------

def test_bucket_privacy_actions_change_their_files(admin, photos):
    agnost.storage().create_bucket("other").unwrap()
    agnost.storage().create_bucket("untouched").unwrap()
    a = upload("photos", "a.txt", b"a", is_public=True)
    b = upload("other", "b.txt", b"b", is_public=True)
    c = upload("untouched", "c.txt", b"c", is_public=True)
    selected = [str(pk) for pk in Bucket.objects.filter(name__in=["photos", "other"]).values_list("pk", flat=True)]
    response = admin.post(BUCKETS, {"action": "make_private", "_selected_action": selected}, follow=True)
    assert "2 bucket(s) updated" in page_of(response)
    assert set(Bucket.objects.filter(name__in=["photos", "other"]).values_list("is_public", flat=True)) == {False}
    assert Bucket.objects.get(name="untouched").is_public is True
    for file, public in ((a, False), (b, False), (c, True)):
        file.refresh_from_db()
        assert file.is_public is public, file.name
    admin.post(BUCKETS, {"action": "make_public", "_selected_action": selected[:1]})
    bucket = Bucket.objects.get(pk=selected[0])
    assert bucket.is_public is True
    assert set(bucket.files.values_list("is_public", flat=True)) == {True}


def test_file_privacy_actions(admin, photos):
    a = upload("photos", "a.txt", b"a", is_public=True)
    b = upload("photos", "b.txt", b"b", is_public=True)
    response = admin.post(FILES, {"action": "make_private", "_selected_action": [str(a.pk)]}, follow=True)
    assert "1 file(s) updated" in page_of(response)
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.is_public, b.is_public) == (False, True)
    admin.post(FILES, {"action": "make_public", "_selected_action": [str(a.pk)]})
    a.refresh_from_db()
    assert a.is_public is True
    photos.refresh_from_db()
    assert photos.is_public is True


# -- deletions ------------------------------------------------------------------------------

def test_delete_a_bucket_frees_its_files_bytes(admin, photos, backend_keys, django_capture_on_commit_callbacks):
    agnost.storage().create_bucket("kept").unwrap()
    doomed = {upload("photos", f"{n}.txt", b"x" * n).blob_key for n in range(1, 4)}
    kept = upload("kept", "k.txt", b"kept").blob_key
    assert doomed | {kept} <= set(backend_keys())
    confirm = page_of(admin.get(f"{BUCKETS}{photos.pk}/delete/"))
    assert "1.txt" in confirm  # the files go with it
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"{BUCKETS}{photos.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Bucket.objects.filter(pk=photos.pk).exists()
    assert not StoredFile.objects.filter(bucket_id=photos.pk).exists()
    keys = set(backend_keys())
    assert not doomed & keys and kept in keys


def test_delete_files_in_the_admin_frees_their_bytes(admin, photos, backend_keys,
                                                     django_capture_on_commit_callbacks):
    a = upload("photos", "a.txt", b"a")
    b = upload("photos", "b.txt", b"b")
    c = upload("photos", "c.txt", b"c")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(FILES, {"action": "delete_selected", "_selected_action": [str(a.pk), str(b.pk)],
                                      "post": "yes"})
        assert response.status_code == 302
        response = admin.post(f"{FILES}{c.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
    assert not StoredFile.objects.exists()
    assert not {a.blob_key, b.blob_key, c.blob_key} & set(backend_keys())


# -- download links -------------------------------------------------------------------------

def test_download_link_serves_a_private_file_to_anyone_holding_it(admin, photos):
    file = upload("photos", "secret.txt", b"top secret", is_public=False)
    (link,) = download_links(page_of(admin.get(f"{FILES}{file.pk}/change/")))
    anonymous = Client()
    response = anonymous.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"top secret"
    assert response["Cache-Control"] == "private, no-store"
    without_token = anonymous.get(link.split("?")[0])
    assert without_token.status_code == 403
    assert without_token.json()["errors"][0]["code"] == "not_public"


# -- previews and the staff-only content view ------------------------------------------------

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d0f1b40000000049454e44ae426082")


def test_an_image_has_a_preview_and_both_stream_from_the_backend(admin, photos):
    image = upload("photos", "pics/dot.png", PNG, is_public=False)
    text = upload("photos", "notes.txt", b"just text")
    listing = page_of(admin.get(FILES))
    content = f"{FILES}{image.pk}/content/"
    assert f'<img class="agnost-thumb" src="{content}"' in listing
    assert f"{FILES}{text.pk}/content/\"" not in listing  # no thumbnail for text
    page = page_of(admin.get(f"{FILES}{image.pk}/change/"))
    assert f'<img class="agnost-preview" src="{content}"' in page
    assert f'href="{content}?download=1"' in page
    inline = admin.get(content)
    assert inline.status_code == 200 and b"".join(inline.streaming_content) == PNG
    assert inline["Content-Type"] == "image/png" and inline["Content-Disposition"].startswith("inline")
    assert {"private", "no-store"} <= set(inline["Cache-Control"].split(", ")) and inline["X-Content-Type-Options"] == "nosniff"
    download = admin.get(f"{content}?download=1")
    assert download["Content-Disposition"] == 'attachment; filename="dot.png"'
    # A non-image has the download link only, and is always an attachment.
    page = page_of(admin.get(f"{FILES}{text.pk}/change/"))
    assert "agnost-preview" not in page and f'href="{FILES}{text.pk}/content/?download=1"' in page
    assert admin.get(f"{FILES}{text.pk}/content/")["Content-Disposition"].startswith("attachment")


def test_active_content_is_never_previewed_nor_served_as_itself(admin, photos):
    svg = upload("photos", "x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    assert "agnost-preview" not in page_of(admin.get(f"{FILES}{svg.pk}/change/"))
    response = admin.get(f"{FILES}{svg.pk}/content/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_the_content_view_is_for_staff_who_may_view_files(client, user_factory, photos):
    from django.contrib.auth.models import Permission

    image = upload("photos", "dot.png", PNG)
    url = f"{FILES}{image.pk}/content/"
    assert Client().get(url).status_code == 302  # to the admin login
    client.force_login(user_factory(is_staff=True))
    assert client.get(url).status_code == 403
    user = user_factory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_storedfile"))
    client.force_login(user)
    assert client.get(url).status_code == 200
    assert client.get(f"{FILES}00000000-0000-0000-0000-000000000000/content/").status_code == 404
