"""Names, sniffed content types and how files are served: the bypasses other file servers
fell for (upper-case and trailing-dot extensions, a content type that lies, a double
extension) end as attachments with nosniff and a sandboxing CSP."""

from __future__ import annotations

import pytest

from agnost_django.storage.names import clean_file_name, numbered_name
from agnost_django.storage.sniffing import has_active_extension, sniff

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
HTML = b"  \n<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def upload_raw(api, name, data, content_type):
    response = api.upload("root", name, data, content_type="application/octet-stream",
                          options={"contentType": content_type, "isPublic": True})
    assert response.status_code == 200, response.json()
    return response.json()


def fetch_public(client, file):
    response = client.get(file["publicPath"].replace("http://testserver", ""))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(("name", "data", "declared", "stored", "inline"), [
    ("cat.png", PNG, "image/png", "image/png", True),
    ("cat.PNG", PNG, "image/png", "image/png", True),
    ("readme.txt", b"just text", "text/plain;charset=UTF-8", "text/plain;charset=UTF-8", True),
    # a content type that lies: HTML bytes declared as a PNG
    ("cat.png", HTML, "image/png", "text/html", False),
    # upper-case and trailing-dot extensions
    ("page.HTML", b"plain words", "text/plain", "text/plain", False),
    ("page.html.", b"plain words", "text/plain", "text/plain", False),
    ("page.Svg", PNG, "image/png", "image/png", False),
    # a double extension
    ("cat.html.png", PNG, "image/png", "image/png", False),
    ("cat.png.html", PNG, "image/png", "image/png", False),
    # active types, declared or sniffed
    ("logo.svg", SVG, "image/svg+xml", "image/svg+xml", False),
    ("logo.png", SVG, "image/png", "image/svg+xml", False),
    ("app.js", b"alert(1)", "application/javascript", "application/javascript", False),
    ("notes.txt", b"<HTML><BODY onload=x>", "text/plain", "text/html", False),
    ("data.xml", b'<?xml version="1.0"?><a/>', "text/plain", "application/xml", False),
])
def test_served_inline_only_when_passive(alice_api, anon_api, name, data, declared, stored, inline):
    file = upload_raw(alice_api, name, data, declared)
    assert file["mimeType"] == stored
    response = fetch_public(anon_api, file)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline" if inline else "attachment"), disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]
    if not inline and (stored.startswith(("text/html", "image/svg", "application/xml", "application/javascript"))):
        assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == data


def test_rest_download_is_always_an_attachment(alice_api):
    upload_raw(alice_api, "cat.png", PNG, "image/png")
    response = alice_api.call("bucket/file/download", {"bucket": "root", "file": "cat.png"})
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "image/png"


def test_sniffing():
    assert sniff(PNG) == "image/png"
    assert sniff(HTML) == "text/html"
    assert sniff(b"\xef\xbb\xbf<html>") == "text/html"
    assert sniff(SVG) == "image/svg+xml"
    assert sniff(b"hello") == "text/plain"
    assert sniff(bytes(range(256))) == "application/octet-stream"
    assert sniff(b"") == "text/plain"


def test_active_extensions():
    assert has_active_extension("a.HTML.") and has_active_extension("x/y.tar.html.gz")
    assert has_active_extension("a.svg ") and has_active_extension("A.JS")
    assert not has_active_extension("photo.jpeg") and not has_active_extension("archive.tar.gz")
    assert not has_active_extension("html")  # no extension at all


@pytest.mark.parametrize("bad", ["..", "../etc/passwd", "a/../../b", "a/./b", "/", "a//b", "x\x00.png",
                                 "x\u202egnp.exe", "C:\\windows", "a\\b", "\t"])
def test_unsafe_file_names(bad):
    with pytest.raises(Exception) as error:
        clean_file_name(bad)
    assert error.value.code == "invalid_file_path"


def test_names_are_normalised():
    assert clean_file_name(" /avatars/me.png/ ") == "avatars/me.png"
    assert clean_file_name("cafe\u0301.txt") == "caf\u00e9.txt"  # NFC
    assert numbered_name("a/b.tar.gz", 2) == "a/b (2).tar.gz"
    assert numbered_name(".env", 3) == ".env (3)"
    assert numbered_name("README", 2) == "README (2)"
