"""The demo page at ``/`` in headless Chromium, against the real server (see conftest.py).

Each flow runs from the API's own origin (``http://realtime.agnost.app.localhost:<port>``) and
from a second origin the demo key allows (``http://localhost:<port>``, cross-origin calls with
CORS); an origin the key does not list (``http://evil.localhost:<port>``) is refused cleanly.
"""

from __future__ import annotations

import json
import re
import secrets
import struct
import urllib.error
import urllib.parse
import urllib.request
import zlib

import pytest

from project.demo.services import REALTIME_HOST

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails in CI, saying why
    expect = None

PASSWORD = "correct-horse-battery-9"
ORIGINS = [pytest.param(REALTIME_HOST, id="same-origin"), pytest.param("localhost", id="cross-origin")]


@pytest.fixture(params=ORIGINS)
def host(request) -> str:
    return request.param


def sign_up(page, name: str) -> str:
    email = f"{name}-{secrets.token_hex(4)}@example.com"
    page.fill("#auth-form input[name=email]", email)
    page.fill("#auth-form input[name=password]", PASSWORD)
    page.click("#auth-form button[value=signup]")
    expect(page.locator("#who-email")).to_have_text(email)
    expect(page.locator("#live")).to_have_text("live")
    return email


def assert_clean(browsing, *pages) -> None:
    """No error on the pages, no refused or failed HTTP response."""
    for page in pages:
        expect(page.locator("#status")).to_be_hidden()
    assert [response for response in browsing.responses if response.status >= 400] == []


def noise_png(width: int, height: int) -> bytes:
    """A PNG of random pixels: it does not compress, so the upload takes a while."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    rows = b"".join(b"\x00" + secrets.token_bytes(width * 3) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))


def test_page_is_served(browsing, host):
    page = browsing.new_page(host=host)
    expect(page).to_have_title("agnost_django demo")
    expect(page.locator("#auth")).to_be_visible()
    expect(page.locator("#setup-notice")).to_have_count(0)  # the key allows this origin
    origin_info = "Same origin as the API" if host == REALTIME_HOST else "Cross-origin"
    expect(page.locator("#origin-info")).to_contain_text(origin_info)
    browsing.screenshot(page, "signed-out")
    assert_clean(browsing, page)


def test_todos_update_live_in_a_second_tab(browsing, host):
    context = browsing.new_context()
    page = browsing.new_page(host=host, context=context)
    email = sign_up(page, "todos")
    # A second tab of the same browser: signed in from the session the client keeps in
    # localStorage, and listening on the user's private channel.
    other = browsing.new_page(host=host, context=context)
    expect(other.locator("#who-email")).to_have_text(email)
    expect(other.locator("#live")).to_have_text("live")
    other.evaluate("window.notReloaded = true")
    # Chromium runs a background tab's animation frames late, which Playwright's actions wait
    # for: act in the front tab (the other one still runs its scripts and hears the changes).
    page.bring_to_front()
    todos, other_todos = page.locator("#todo-list li"), other.locator("#todo-list li")

    page.fill("#todo-form input[name=title]", "Buy milk")
    page.press("#todo-form input[name=title]", "Enter")
    # Stored before the next one is typed: two creates in flight at once may be stored in
    # either order (cross-origin, each waits for its own CORS preflight), and the list is
    # sorted by creation time.
    expect(todos).to_have_count(1)
    page.fill("#todo-form input[name=title]", "Write the report")
    page.click("#todo-form button")
    expect(todos).to_have_count(2)
    expect(other.locator("#todo-list li .title")).to_have_text(["Buy milk", "Write the report"])
    expect(other.locator("#todo-count")).to_have_text("2 open of 2")
    browsing.screenshot(page, "created")

    page.locator("#todo-list li", has_text="Buy milk").get_by_role("button", name="Edit").click()
    page.fill("#todo-list input.edit-title", "Buy oat milk")
    page.click("#todo-list button.save")
    expect(other_todos.first.locator(".title")).to_have_text("Buy oat milk")

    page.locator("#todo-list li", has_text="Buy oat milk").locator("input.toggle").check()
    expect(other_todos.first).to_have_class("done")
    expect(other.locator("#todo-count")).to_have_text("1 open of 2")
    browsing.screenshot(other, "completed-seen-in-second-tab")
    page.bring_to_front()

    page.locator("#todo-list li", has_text="Write the report").get_by_role("button", name="Delete").click()
    expect(other_todos).to_have_count(1)
    expect(todos).to_have_count(1)
    assert other.evaluate("window.notReloaded") is True

    # Signing out (the other tab hears of it), then in again: the todos are still there.
    page.click("#sign-out")
    expect(page.locator("#auth")).to_be_visible()
    expect(other.locator("#auth")).to_be_visible()
    page.fill("#auth-form input[name=email]", email)
    page.fill("#auth-form input[name=password]", PASSWORD)
    page.click("#auth-form button[value=signin]")
    expect(page.locator("#todo-list li .title")).to_have_text(["Buy oat milk"])
    assert_clean(browsing, page, other)


def test_a_late_sign_out_answer_does_not_sign_out_the_next_session(browsing, host):
    # The server tells the user's sockets of a sign-out before it answers the call: the page
    # shows the sign-in form on that event, and a user can sign in again before the sign-out
    # answer arrives (a busy server). That late answer must not end the new session.
    page = browsing.new_page(host=host)
    email = sign_up(page, "resign")
    held = []

    def hold(route):  # the server does the sign-out now; the page gets its answer later
        request = route.request
        url = urllib.parse.urlsplit(request.url)
        call = urllib.request.Request(
            f"http://127.0.0.1:{browsing.server.port}{url.path}", method=request.method,
            data=request.post_data_buffer, headers={**request.headers, "Host": url.netloc})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # ignore *_proxy
        with opener.open(call) as answer:
            held.append((route, answer.status, dict(answer.headers), answer.read()))

    page.route("**/_api/rest/v1/auth/signout", hold)
    page.click("#sign-out")
    expect(page.locator("#auth")).to_be_visible()  # from the user:signout event
    assert len(held) == 1
    page.fill("#auth-form input[name=email]", email)
    page.fill("#auth-form input[name=password]", PASSWORD)
    page.click("#auth-form button[value=signin]")
    expect(page.locator("#who-email")).to_have_text(email)
    expect(page.locator("#live")).to_have_text("live")

    route, status, headers, body = held.pop()
    route.fulfill(status=status, headers=headers, body=body)
    page.wait_for_function("() => performance.getEntriesByType('resource')"
                           ".some(entry => entry.name.endsWith('/auth/signout') && entry.responseEnd > 0)")
    page.fill("#todo-form input[name=title]", "Still signed in")
    page.press("#todo-form input[name=title]", "Enter")
    expect(page.locator("#todo-list li .title")).to_have_text(["Still signed in"])
    expect(page.locator("#app")).to_be_visible()
    assert_clean(browsing, page)


def test_upload_shows_progress_and_preview(browsing, host):
    page = browsing.new_page(host=host)
    sign_up(page, "upload")
    image = noise_png(800, 600)  # about 1.4 MB
    page.set_input_files("#upload-form input[type=file]",
                         files=[{"name": "noise.png", "mimeType": "image/png", "buffer": image}])
    page.click("#upload-form button")

    expect(page.locator("#upload-percent")).to_have_text("100%")
    assert page.locator("#upload-progress").evaluate("bar => bar.value") == 100
    preview = page.locator("#preview-img")
    expect(preview).to_be_visible()
    # publicPath: on the API's host, whatever the page's origin.
    expect(preview).to_have_attribute("src", re.compile(rf"^{re.escape(browsing.server.env_url)}/_storage/\w"))
    page.wait_for_function("() => document.querySelector('#preview-img').naturalWidth > 0")
    assert preview.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [800, 600]
    expect(page.locator("#preview-caption")).to_contain_text(re.compile(r"/noise( \(\d+\))?\.png"))
    expect(page.locator("#preview-caption")).to_contain_text("image/png")
    browsing.screenshot(page, "uploaded")
    assert_clean(browsing, page)


def test_chat_with_presence(browsing, host):
    ada_page = browsing.new_page(host=host)
    ada = sign_up(ada_page, "ada").split("@")[0]  # the page's display name: the email's local part
    expect(ada_page.locator("#members li")).to_have_text([ada])
    bob_page = browsing.new_page(host=host)  # another context: another user
    bob = sign_up(bob_page, "bob").split("@")[0]

    # Each sees both, themselves first.
    expect(bob_page.locator("#members li")).to_have_text([bob, ada])
    expect(ada_page.locator("#members li")).to_have_text([ada, bob])
    expect(ada_page.locator("#members li.me")).to_have_text(ada)

    ada_page.fill("#chat-form input[name=text]", "Hello Bob!")
    ada_page.press("#chat-form input[name=text]", "Enter")
    expect(bob_page.locator("#messages li strong")).to_have_text([ada])
    bob_page.fill("#chat-form input[name=text]", "Hi Ada")
    bob_page.click("#chat-form button")
    for page in (ada_page, bob_page):
        expect(page.locator("#messages li .text")).to_have_text(["Hello Bob!", "Hi Ada"])
    browsing.screenshot(ada_page, "chat")

    bob_page.close()  # Bob leaves: his socket closes
    expect(ada_page.locator("#members li")).to_have_text([ada])
    assert_clean(browsing, ada_page)


def test_disallowed_origin_is_refused_cleanly(browsing):
    # ".localhost" is in ALLOWED_HOSTS, so the page loads; the demo key does not list the origin.
    evil = f"http://evil.localhost:{browsing.server.port}"
    page = browsing.new_page(host="evil.localhost")
    expect(page.locator("#setup-notice")).to_contain_text("not among the demo key's allowed origins")
    page.fill("#auth-form input[name=email]", "mallory@example.com")
    page.fill("#auth-form input[name=password]", PASSWORD)
    page.click("#auth-form button[value=signup]")
    expect(page.locator("#status")).to_contain_text("Sign-up: the API at")
    expect(page.locator("#status")).to_contain_text("could not be reached")
    browsing.screenshot(page, "refused")

    # The realtime socket from this origin is refused too, with the error entry.
    refusal = page.evaluate("""config => new Promise(resolve => {
        const client = altogic.createClient(config.envUrl, config.clientKey);
        client.realtime.onError(error => { client.realtime.close(); resolve(error.data); });
    })""", json.loads(page.locator("#demo-config").text_content()))
    assert refusal["code"] == "domain_not_authorized"
    assert browsing.server_errors() == []

    # What the browser hid: the API's answer to a call from that origin is a JSON 403.
    request = urllib.request.Request(
        f"http://127.0.0.1:{browsing.server.port}/_api/rest/v1/auth/signup-email", method="POST",
        data=json.dumps({"email": "mallory@example.com", "password": PASSWORD}).encode(),
        headers={"Origin": evil, "X-Client-Key": browsing.server.demo_client_key,
                 "Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # ignore *_proxy
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(request, timeout=10)
    assert refused.value.code == 403
    assert refused.value.headers["Content-Type"].startswith("application/json")
    body = json.loads(refused.value.read())
    assert [item["code"] for item in body["errors"]] == ["domain_not_authorized"]
