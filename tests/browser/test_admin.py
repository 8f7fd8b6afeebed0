"""The Django admin, the browsable API and Swagger UI in headless Chromium, under uvicorn with
DEBUG off (as in production): styled by the static files WhiteNoise serves, and every form
POST (which browsers send with an ``Origin`` header) answered without a server error."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect


def stylesheets_loaded(browsing, page) -> list[str]:
    """The page's stylesheets, each asserted to have been served (200, hashed name)."""
    hrefs = page.eval_on_selector_all("link[rel=stylesheet]", "links => links.map(l => l.href)")
    assert hrefs
    for href in hrefs:
        assert any(r.url == href and r.status == 200 for r in browsing.responses), href
    return hrefs


def test_admin_login_add_change_and_action(browsing, superuser):
    page = browsing.new_page("/admin/login/")
    hrefs = stylesheets_loaded(browsing, page)
    assert any(re.search(r"/static/admin/css/base\.[0-9a-f]{12}\.css$", h) for h in hrefs), hrefs
    # Styled: the admin's header has its coloured background, not the browser's default.
    header = page.eval_on_selector("#header", "e => getComputedStyle(e).backgroundColor")
    assert header not in ("rgba(0, 0, 0, 0)", "transparent")
    browsing.screenshot(page, "login")

    page = browsing.admin_page(superuser)
    expect(page.locator("#site-name")).to_be_visible()
    browsing.screenshot(page, "index")

    # Add form POST: a client key; its secret is shown once in the message.
    page.goto(browsing.url("/admin/agnost_core/clientkey/add/"))
    page.fill("#id_name", "browser key")
    page.fill("#id_allowed_origins", "https://app.example.com")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("agk_")
    browsing.screenshot(page, "added")

    # Change form POST.
    page.click("#result_list a:text-is('browser key')")
    page.fill("#id_allowed_operations", "cache")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    # An admin action on the selection.
    row = page.locator("#result_list tr", has=page.locator("a:text-is('browser key')"))
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "deactivate")
    page.click("button[name=index]")
    expect(row.locator("td.field-active img")).to_have_attribute("alt", "False")
    browsing.screenshot(page, "deactivated")
    assert browsing.server_errors() == []


def test_browsable_api_renders_and_posts(browsing, superuser):
    page = browsing.admin_page(superuser, "/_api/rest/v1/cache/increment")
    hrefs = stylesheets_loaded(browsing, page)
    assert any("/static/rest_framework/css/" in h for h in hrefs), hrefs
    expect(page.locator(".navbar")).to_be_visible()
    browsing.screenshot(page, "form")
    # The raw JSON form, the only one of a JSON view, sent by the page's own script (with the
    # CSRF token).
    expect(page.locator("#post-object-form")).to_have_count(0)
    page.fill("#id__content", json.dumps({"key": "browser-visits", "increment": 2}))
    page.click("#post-generic-content-form button:has-text('POST')")
    expect(page.locator(".response-info")).to_contain_text("HTTP 200")
    expect(page.locator(".response-info")).to_contain_text('"value": 2')
    browsing.screenshot(page, "posted")
    assert browsing.server_errors() == []


def test_swagger_ui_shows_the_operations(browsing):
    page = browsing.new_page("/_api/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 50
    expect(page.locator(".opblock-summary-path", has_text="/_api/rest/v1/cache/increment")).to_be_visible()
    browsing.screenshot(page, "docs")
    assert browsing.server_errors() == []
