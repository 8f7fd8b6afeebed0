"""Fixtures of the browser tests: headless Chromium (Playwright's sync API) against a real server.

The server is the interop tests' :class:`~tests.interop.server.InteropServer` — uvicorn serving
``project.asgi:application`` on a free port, with DEBUG off, WhiteNoise serving the collected
static files, and the stack of ``settings.INTEROP_STACK`` ("embedded" under ``tests.settings``,
"services" = PostgreSQL, Redis and S3 under ``tests.settings_services``). The tests never touch
the Django test database: the server has its own. The browser is Debian's ``chromium``
(``shutil.which("chromium")``), never Playwright's download. Without chromium or Playwright the
tests skip, except in CI (``CI`` set to anything but ``""``, ``0`` or ``false``), where they fail.

Fixtures (all reusable by any test under ``tests/browser/``):

``browser`` (module) -> ``playwright.sync_api.Browser``
    Headless Chromium, shared by the tests of a module.
``browser_server`` (session) -> ``InteropServer``
    The running server, with the demo page set up for its port (``manage.py demo_setup``):
    ``browser_server.port``, ``.env_url`` (``http://realtime.agnost.app.localhost:<port>``),
    ``.manage(*args)``, ``.log()``; its own client key is ``.client_key`` and the demo page's is
    ``.demo_client_key`` (allowed origins: the realtime host, ``localhost`` and ``127.0.0.1``
    on that port).
``superuser`` (session) -> ``Credentials(username, email, password)``
    A staff superuser on that server, made by :func:`create_superuser`; call that function
    for more (``create_superuser(browser_server, username="ops")``).
``browsing`` (function) -> ``Browsing``
    What one test opens, closed after it, with every HTTP response recorded:
    ``browsing.url(path="/", host=REALTIME_HOST)``; ``browsing.new_context()``;
    ``browsing.new_page(path="/", host=REALTIME_HOST, context=None)`` (a new context unless
    one is given: separate contexts are separate users, since the client keeps its session in
    the origin's localStorage); ``browsing.admin_page(credentials, path="/admin/")`` (a page
    signed in to the admin); ``browsing.screenshot(page, "step")`` (written to
    ``test-artifacts/browser/<stack>/<test name>-<step>.png`` at the repository root, never
    committed); ``browsing.responses`` (``Response`` tuples: ``status``, ``method``, ``url``)
    and ``browsing.server_errors()`` (those with a status of 500 or more — assert it is empty).

Playwright's sync API runs an event loop in the test's thread, so Django's ORM refuses to run
there (``SynchronousOnlyOperation``): reach the server's data through ``browser_server.manage``
(e.g. ``manage("shell", "-c", "...")``) rather than the ORM.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from django.conf import settings

from tests.interop.server import MANAGE_PY, REPO_ROOT, InteropServer, ServerStartError

BROWSER_DIR = Path(__file__).resolve().parent
ARTIFACTS_ROOT = REPO_ROOT / "test-artifacts" / "browser"
REALTIME_HOST = "realtime.agnost.app.localhost"
#: How long a page may take to show what a test waits for (ms).
TIMEOUT_MS = 10_000


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def unavailable(reason: str):
    """Skip outside CI, fail in CI: a CI run must never pass by skipping the browser tests."""
    if in_ci():
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests need Playwright and Debian's chromium: {reason}")


@pytest.hookimpl(tryfirst=True)  # before xdist's loadgroup hook reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


# -- the browser and the server ----------------------------------------------------------------

# Module scope, not session: Playwright's sync API keeps an event loop running in the test
# thread while it is started, and the tests that an xdist worker runs after these (asyncio.run,
# async_to_sync) must not find one.
@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install playwright)")
    expect.set_options(timeout=TIMEOUT_MS)
    executable = shutil.which("chromium")
    if executable is None:
        unavailable("no `chromium` on PATH (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, headless=True)
        except PlaywrightError as exc:
            unavailable(f"{executable} did not start: {exc}")
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def browser_server():
    server = InteropServer(settings.INTEROP_STACK)
    server.start()
    try:
        # The port is known once uvicorn runs; no browser has called the server yet, so no
        # process holds the key origins in a cache.
        output = server.manage("demo_setup", "--port", str(server.port)).stdout
        server.demo_client_key = output.strip().splitlines()[-1].strip()
        yield server
    finally:
        server.stop()


class Credentials(NamedTuple):
    username: str
    email: str
    password: str


def create_superuser(server: InteropServer, *, username: str | None = None, email: str | None = None,
                     password: str | None = None) -> Credentials:
    """A staff superuser on ``server`` (``createsuperuser --noinput``); random values by default."""
    username = username or f"admin-{secrets.token_hex(3)}"
    credentials = Credentials(username, email or f"{username}@example.com", password or secrets.token_urlsafe(16))
    result = subprocess.run(
        [sys.executable, str(MANAGE_PY), "createsuperuser", "--noinput",
         "--username", credentials.username, "--email", credentials.email],
        check=False, cwd=REPO_ROOT, env={**server.env, "DJANGO_SUPERUSER_PASSWORD": credentials.password},
        capture_output=True, text=True, timeout=60,
    )
    if result.returncode != 0:
        raise ServerStartError(f"createsuperuser failed:\n{result.stdout}\n{result.stderr}")
    return credentials


@pytest.fixture(scope="session")
def superuser(browser_server) -> Credentials:
    return create_superuser(browser_server)


# -- one test's pages --------------------------------------------------------------------------

class Response(NamedTuple):
    status: int
    method: str
    url: str


class Browsing:
    """The contexts and pages one test opens, the responses they saw, and its screenshots."""

    def __init__(self, browser, server: InteropServer, artifacts: Path, name: str) -> None:
        self.browser = browser
        self.server = server
        self.artifacts = artifacts
        self.name = name
        self.responses: list[Response] = []
        self.contexts: list = []

    def url(self, path: str = "/", host: str = REALTIME_HOST) -> str:
        return f"http://{host}:{self.server.port}{path}"

    def new_context(self, **options):
        context = self.browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("response", lambda response: self.responses.append(
            Response(response.status, response.request.method, response.url)))
        self.contexts.append(context)
        return context

    def new_page(self, path: str = "/", host: str = REALTIME_HOST, context=None):
        page = (context or self.new_context()).new_page()
        page.goto(self.url(path, host))
        return page

    def admin_page(self, credentials: Credentials, path: str = "/admin/", host: str = REALTIME_HOST):
        """A page of a new context, signed in to the admin, at ``path``."""
        page = self.new_page(f"/admin/login/?next={path}", host)
        page.fill("#id_username", credentials.username)
        page.fill("#id_password", credentials.password)
        page.click("input[type=submit]")
        page.wait_for_url(self.url(path, host).split("?")[0] + "**")
        return page

    def screenshot(self, page, name: str) -> Path:
        path = self.artifacts / f"{self.name}-{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    def server_errors(self) -> list[Response]:
        return [response for response in self.responses if response.status >= 500]

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


@pytest.fixture
def browsing(request, browser, browser_server):
    directory = ARTIFACTS_ROOT / browser_server.stack
    directory.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    session = Browsing(browser, browser_server, directory, name)
    yield session
    session.close()
