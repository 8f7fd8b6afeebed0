"""The request log in the admin, in headless Chromium against the real server: a browser app
makes a few client calls (some failing), and a superuser finds them in the admin without a
shell — the chart of the last hour, the errors filtered, the failed sign-in's row."""

from __future__ import annotations

import time

from playwright.sync_api import expect

URL = "/admin/agnost_core/requestlog/"

CALLS = """async ([key, email]) => {
  const call = (path, body, secret) => fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: {"X-Client": "altogic-js", "X-Client-Key": secret ?? key, "Content-Type": "application/json"},
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(r => r.status);
  return [
    await call("/_api/rest/v1/cache", {key: "console", value: 1}),
    await call("/_api/rest/v1/cache?key=console"),
    await call("/_api/rest/v1/auth/signin-email", {email, password: "not the password"}),
    await call("/_api/rest/v1/cache?key=console", undefined, "agk_revoked-or-mistyped"),
    await call("/_api/rest/v1/db/no-such-route", {}),
  ];
}"""


def test_a_superuser_sees_what_failed_and_for_whom(browsing, browser_server, superuser):
    app = browsing.new_page("/")
    statuses = app.evaluate(CALLS, [browser_server.demo_client_key, superuser.email])
    assert statuses == [200, 200, 401, 401, 404]

    page = browsing.admin_page(superuser, URL)
    deadline = time.monotonic() + 15  # the server's writer thread writes every second
    while page.locator("#result_list td.field-error_code", has_text="invalid_sign_in_credentials").count() == 0:
        assert time.monotonic() < deadline, "the failed sign-in did not reach the request log"
        page.wait_for_timeout(500)
        page.reload()
    chart = page.locator("#requestlog-chart")
    expect(chart.locator("svg")).to_be_visible()
    assert chart.locator("rect.calls").count() == 60
    assert chart.locator("rect.errors").count() >= 1
    browsing.screenshot(page, "list")

    # What failed in the last hour: two clicks in the filter sidebar.
    page.click("#changelist-filter a:text-is('Last hour')")
    page.click("#changelist-filter a:text-is('Errors (4xx and 5xx)')")
    expect(page.locator("#requestlog-chart h2")).to_contain_text("(filtered)")
    codes = page.locator("#result_list td.field-error_code").all_inner_texts()
    assert {"invalid_sign_in_credentials", "invalid_client_key", "resource_not_found"} <= set(codes)
    assert all(page.locator("#result_list td.field-status").all_inner_texts()[i] >= "400" for i in range(len(codes)))
    # For whom: the failed sign-in came from the demo app's key and origin.
    sign_in = page.locator("#result_list tr", has=page.locator("td.field-error_code", has_text="invalid_sign_in_credentials")).first
    expect(sign_in.locator("td.field-client_key_name")).not_to_have_text("")
    expect(sign_in.locator("td.field-origin")).to_contain_text(str(browser_server.port))
    page.click("#toggle-nav-sidebar")  # room for the who-columns (the admin remembers the choice)
    browsing.screenshot(page, "errors-last-hour")

    # The row itself, read-only.
    sign_in.locator("th a, td a").first.click()
    expect(page.locator(".readonly").first).to_be_visible()
    expect(page.locator("input[name=_save]")).to_have_count(0)
    expect(page.locator("body")).to_contain_text("/_api/rest/v1/auth/signin-email")
    browsing.screenshot(page, "row")

    # The chart in the dark theme.
    page.go_back()
    page.emulate_media(color_scheme="dark")
    expect(page.locator("#requestlog-chart svg")).to_be_visible()
    fill = page.eval_on_selector("#requestlog-chart rect.errors", "e => getComputedStyle(e).fill")
    assert fill not in ("", "none", "rgb(0, 0, 0)")
    browsing.screenshot(page, "dark")
    assert browsing.server_errors() == []
