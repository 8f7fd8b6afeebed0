"""The demo app (``project/demo``): the vendored client, ``demo_setup``, the page view, and the
todos' realtime notifications (``project/todos/agnost_hooks.py``). The page itself is driven in
Chromium by ``tests/browser/test_demo.py``."""

from __future__ import annotations

import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agnost_django import agnost
from agnost_django.core.models import ClientKey
from agnost_django.core.services import check_client_key
from project.demo import services

REPO_ROOT = Path(__file__).resolve().parents[2]
NPM_PACKAGE = REPO_ROOT / "tests" / "interop" / "node_modules" / "altogic"
VENDOR = REPO_ROOT / "project" / "demo" / "static" / "demo" / "vendor"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


@pytest.mark.parametrize(("vendored", "packaged"), [
    ("altogic-2.3.9.js", "dist/umd/altogic.js"),
    ("altogic-LICENSE.txt", "LICENSE"),
])
def test_vendored_client_is_the_pinned_npm_build(vendored, packaged):
    if not (NPM_PACKAGE / "package.json").is_file():
        if in_ci():
            pytest.fail("tests/interop/node_modules is missing: run `npm ci` in tests/interop")
        pytest.skip("the altogic npm package is not installed (npm ci in tests/interop)")
    assert json.loads((NPM_PACKAGE / "package.json").read_text())["version"] == "2.3.9"
    assert (VENDOR / vendored).read_bytes() == (NPM_PACKAGE / packaged).read_bytes()


def setup(port: int) -> list[str]:
    out = StringIO()
    call_command("demo_setup", "--port", str(port), stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.mark.django_db
def test_demo_setup_creates_then_updates_the_key_and_the_bucket():
    lines = setup(8000)
    secret = lines[-1]
    assert "Created client key 'demo'" in lines[0] and "bucket 'demo' created" in lines[0]
    assert secret == services.client_key_secret() and secret.startswith("agk_") and len(secret) == 44
    key = ClientKey.objects.get(name="demo")
    assert key.allowed_origins == [
        "http://realtime.agnost.app.localhost:8000", "http://localhost:8000", "http://127.0.0.1:8000"]
    assert secret not in {key.key_hash, key.prefix} and key.prefix == secret[:12]  # stored hashed
    assert check_client_key(secret, operation="db.get_list", origin="http://localhost:8000") == key
    assert agnost.storage().bucket("demo").get_info().unwrap()["isPublic"] is True

    key.active = False
    key.save()
    lines = setup(9001)
    assert lines[-1] == secret  # the same secret, one key, the new port's origins
    assert "Updated client key 'demo'" in lines[0] and "bucket 'demo' exists" in lines[0]
    key = ClientKey.objects.get()
    assert key.active and key.allowed_origins[0] == "http://realtime.agnost.app.localhost:9001"


@pytest.mark.django_db
def test_demo_setup_refuses_a_bad_port():
    with pytest.raises(CommandError):
        call_command("demo_setup", "--port", "70000")


@pytest.mark.django_db
def test_page_embeds_the_env_url_and_the_key(client):
    setup(8000)
    response = client.get("/", HTTP_HOST="localhost:8000")
    assert response.status_code == 200
    config = json.loads(response.content.decode().split('id="demo-config" type="application/json">')[1]
                        .split("</script>")[0])
    assert config == {"envUrl": "http://realtime.agnost.app.localhost:8000", "clientKey": services.client_key_secret(),
                      "bucket": "demo", "chatChannel": "demo-chat",
                      "sameOriginUrl": "http://realtime.agnost.app.localhost:8000/"}
    assert b"setup-notice" not in response.content
    assert b"/static/demo/vendor/altogic-2.3.9.js" in response.content
    assert client.post("/", HTTP_HOST="localhost:8000").status_code == 405


@pytest.mark.django_db
def test_page_explains_a_missing_key_and_a_foreign_origin(client):
    response = client.get("/", HTTP_HOST="localhost:8123")
    assert b"demo_setup --port 8123" in response.content and b"is not set up" in response.content
    setup(8123)
    response = client.get("/", HTTP_HOST="evil.localhost:8123")
    assert b"not among the demo key's allowed" in response.content


@pytest.mark.django_db
def test_todo_changes_are_announced_on_the_owners_private_channel(user_factory, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("agnost_django.realtime.services.send",
                        lambda channel, event, message: sent.append((channel, event, message)))
    ada = user_factory()
    todos = agnost.db().model("todos", user=ada)
    with django_capture_on_commit_callbacks(execute=True):
        todo = todos.create_one({"title": "Buy milk"}).unwrap()
    with django_capture_on_commit_callbacks(execute=True):
        todos.update_by_id(todo["_id"], {"done": True}).unwrap()
    with django_capture_on_commit_callbacks(execute=True):
        todos.delete_by_id(todo["_id"]).unwrap()
    message = {"model": "todos", "ids": [todo["_id"]]}
    channel = f"private-user-{ada.pk}"
    assert sent == [(channel, "create", message), (channel, "update", message), (channel, "delete", message)]
