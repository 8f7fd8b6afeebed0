"""The admin's readable pages (issue #19) in headless Chromium: formatted JSON and error
lists, read-only record pages without Save, the file preview streamed through the admin, the
user page with its profile, sessions and files, and endpoint middlewares. Data is made on the
server with ``manage.py shell``; every page is screenshotted (test-artifacts/browser/)."""

from __future__ import annotations

import json
import re
import secrets
import struct
import zlib

import pytest
from playwright.sync_api import expect

# Made on the server by ``manage.py shell -c``; prints the ids the test opens, as JSON.
SETUP = r'''
import json, datetime
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.utils import timezone
from agnost_django import agnost
from agnost_django.auth.sessions import create_session
from agnost_django.auth.users import profile_of
from agnost_django.functions.models import Endpoint, EndpointLog
from agnost_django.functions import services as functions
from agnost_django.queues.models import QueueMessage
from agnost_django.schedules import services as schedules
from agnost_django.schedules.models import TaskRun
from agnost_django.storage.models import StoredFile

SUFFIX = "%(suffix)s"
PNG = bytes.fromhex(%(png)r)
user = get_user_model().objects.create_user(f"ada-{SUFFIX}", f"ada-{SUFFIX}@example.com", "pw-" + SUFFIX)
profile = profile_of(user)
profile.name = "Ada Lovelace"
profile.data = {"team": "engines", "languages": ["en", "fr"], "newsletter": True}
profile.save()
agents = ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.1 Mobile Safari/604.1"]
sessions = [create_session(user, RequestFactory().get("/", HTTP_USER_AGENT=agent, REMOTE_ADDR="203.0.113.7"))[0]
            for agent in agents]
bucket = f"pics-{SUFFIX}"
agnost.storage().create_bucket(bucket, tags=["photos", "public-site"]).unwrap()
image = agnost.storage().bucket(bucket).upload(PNG, path="dot.png", is_public=False).unwrap()["_id"]
text = agnost.storage().bucket(bucket).upload(b"plain notes", path="notes.txt").unwrap()["_id"]
StoredFile.objects.filter(pk__in=[image, text]).update(owner=user, metadata={"camera": "none", "size": [1, 1]})
functions.sync_all()
endpoint = Endpoint.objects.filter(name="echo-order").first()
log = EndpointLog.objects.create(endpoint="echo-order", method="GET", path="/orders/7", status=200,
                                 duration_ms=56.938253999987865)
traceback = ('Traceback (most recent call last):\n  File "/srv/app/hooks.py", line 35, in failing\n'
             '    raise RuntimeError("this handler always fails")\nRuntimeError: this handler always fails\n')
error = {"origin": "server_error", "code": "queue_execution_error", "message": "this handler always fails",
         "details": {"exception": "RuntimeError", "attempt": 1, "traceback": traceback}}
now = timezone.now()
message = QueueMessage.objects.create(
    queue_name="failing", payload={"order": 7, "items": [{"sku": "A-1", "qty": 2}], "note": "gift"},
    status="errors", attempts=1, max_attempts=1, run_after=now, started_at=now - datetime.timedelta(seconds=1.234),
    completed_at=now, errors=[error])
schedules.sync_all()
run = TaskRun.objects.create(task_name="broken", trigger="admin", status="errors", started_at=now,
                             completed_at=now + datetime.timedelta(milliseconds=57),
                             errors=[{**error, "code": "task_execution_error", "message": "the task failed"}])
print(json.dumps({"user": user.pk, "session": sessions[0].pk, "image": str(image), "text": str(text),
                  "endpoint": endpoint and endpoint.pk, "log": log.pk, "message": str(message.pk), "run": str(run.pk),
                  "bucket": bucket}))
'''



def png(size: int = 96) -> bytes:
    """A size x size RGB gradient, as PNG bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + bytes(c for x in range(size) for c in (x * 255 // size, y * 255 // size, 160)) for y in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = png().hex()


@pytest.fixture(scope="module")
def made(browser_server):
    output = browser_server.manage("shell", "-c", SETUP % {"suffix": secrets.token_hex(3), "png": PNG}).stdout
    return json.loads(output.strip().splitlines()[-1])


def no_save(page):
    expect(page.locator("input[name=_save]")).to_have_count(0)


def test_user_page_with_profile_sessions_and_files(browsing, superuser, made):
    page = browsing.admin_page(superuser, f"/admin/auth/user/{made['user']}/change/")
    expect(page.locator("#agnost_profile-group")).to_be_visible()
    expect(page.locator("#agnost_profile-group textarea[name='agnost_profile-0-data']")).to_have_value(
        '{\n  "team": "engines",\n  "languages": [\n    "en",\n    "fr"\n  ],\n  "newsletter": true\n}')
    expect(page.locator("#agnost_sessions-group tbody tr.has_original")).to_have_count(2)
    expect(page.locator("#agnost_sessions-group")).to_contain_text("Chrome 120 · Linux")
    files = page.locator("#agnost_files-group")
    expect(files).to_contain_text("dot.png")
    thumbnail = files.locator("img.agnost-thumb")
    expect(thumbnail).to_have_count(1)
    thumbnail.scroll_into_view_if_needed()  # loading="lazy"
    page.wait_for_function("img => img.complete && img.naturalWidth === 96", arg=thumbnail.element_handle())
    assert thumbnail.bounding_box()["width"] <= 48  # size-limited by the stylesheet
    browsing.screenshot(page, "user")
    page.click("input[name=_save]")  # the user page still saves, with its inlines
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert browsing.server_errors() == []


def test_file_pages_preview_and_download(browsing, superuser, made):
    page = browsing.admin_page(superuser, "/admin/agnost_storage/storedfile/")
    expect(page.locator("#result_list img.agnost-thumb").first).to_be_visible()
    browsing.screenshot(page, "list")
    page.goto(browsing.url(f"/admin/agnost_storage/storedfile/{made['image']}/change/"))
    preview = page.locator("img.agnost-preview")
    page.wait_for_function("img => img.complete && img.naturalWidth === 96", arg=preview.element_handle())
    box = preview.bounding_box()
    assert box["width"] <= 480 and box["height"] <= 360
    expect(page.locator(".field-metadata_display pre.agnost-json")).to_contain_text('"camera": "none"')
    expect(page.locator("textarea[name=tags]")).to_have_value("")
    with page.expect_download() as download:
        page.click(".field-preview a.button")
    assert download.value.suggested_filename == "dot.png"
    browsing.screenshot(page, "image")
    page.goto(browsing.url(f"/admin/agnost_storage/storedfile/{made['text']}/change/"))
    expect(page.locator("img.agnost-preview")).to_have_count(0)
    expect(page.locator(".field-preview a.button")).to_have_text("Download")
    browsing.screenshot(page, "text")
    assert browsing.server_errors() == []


def test_record_pages_read_well_without_save(browsing, superuser, made):
    page = browsing.admin_page(superuser, f"/admin/agnost_queues/queuemessage/{made['message']}/change/")
    no_save(page)
    expect(page.locator(".field-payload_display pre.agnost-json")).to_contain_text('"sku": "A-1"')
    traceback = page.locator("pre.agnost-traceback")
    expect(traceback).to_contain_text('File "/srv/app/hooks.py", line 35, in failing')
    assert traceback.inner_text().count("\n") >= 3  # real line breaks, not "\n"
    expect(page.locator(".field-took .readonly")).to_have_text("1.2 s")
    browsing.screenshot(page, "queue-message")

    page.goto(browsing.url(f"/admin/agnost_schedules/taskrun/{made['run']}/change/"))
    no_save(page)
    expect(page.locator(".agnost-error-code")).to_have_text("task_execution_error")
    browsing.screenshot(page, "task-run")
    page.goto(browsing.url("/admin/agnost_schedules/taskrun/"))
    expect(page.locator("#result_list td.field-took").first).to_have_text("57 ms")
    browsing.screenshot(page, "task-runs")

    page.goto(browsing.url(f"/admin/agnost_auth/session/{made['session']}/change/"))
    no_save(page)
    expect(page.locator(".field-user_agent_display pre.agnost-json")).to_contain_text('"family": "Chrome"')
    expect(page.locator(".deletelink")).to_be_visible()  # revoking stays
    browsing.screenshot(page, "session")

    page.goto(browsing.url("/admin/agnost_functions/endpointlog/"))
    expect(page.locator("#result_list td.field-duration").first).to_have_text("57 ms")
    browsing.screenshot(page, "endpoint-logs")
    page.goto(browsing.url(f"/admin/agnost_functions/endpointlog/{made['log']}/change/"))
    no_save(page)
    browsing.screenshot(page, "endpoint-log")
    assert browsing.server_errors() == []


def test_settings_pages(browsing, superuser, made):
    page = browsing.admin_page(superuser, "/admin/agnost_functions/endpoint/")
    browsing.screenshot(page, "endpoints")
    if made["endpoint"]:
        page.goto(browsing.url(f"/admin/agnost_functions/endpoint/{made['endpoint']}/change/"))
        expect(page.locator("ul.agnost-registered")).to_contain_text("tests.jobsapp.agnost_hooks.stamp")
        browsing.screenshot(page, "endpoint")
    page.goto(browsing.url("/admin/agnost_schedules/scheduledtask/"))
    report = page.locator("#result_list tr", has=page.locator("a:text-is('report')"))
    expect(report.locator("td.field-next_run")).to_have_text(re.compile(r"\d{4}"))  # a date
    browsing.screenshot(page, "tasks")
    page.goto(browsing.url("/admin/"))
    expect(page.locator("a[href='/admin/django_q/schedule/']")).to_have_count(0)
    expect(page.locator("a[href='/admin/agnost_schedules/scheduledtask/']").first).to_be_visible()
    page.goto(browsing.url("/admin/agnost_storage/bucket/"))
    page.click(f"#result_list a:text-is('{made['bucket']}')")
    expect(page.locator("textarea[name=tags]")).to_have_value("photos\npublic-site")
    browsing.screenshot(page, "bucket")
    assert browsing.server_errors() == []
