from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.storage import storages

from agnost_django import agnost
from agnost_django.core.testing import AgnostAPIClient
from agnost_django.storage import blobs

API = "/_api/rest/v1/storage"


class StorageClient(AgnostAPIClient):
    """An API client with the storage routes at hand, acting for ``user`` (or anonymously)."""

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:
            token = agnost.auth.create_session(user).data["session"]["token"]
            self.credentials(HTTP_X_CLIENT="altogic-js", HTTP_X_CLIENT_KEY=self.client_key, HTTP_SESSION=token)

    def call(self, route: str, body: dict | None = None, **extra):
        return self.post(f"{API}/{route}", body or {}, format="json", **extra)

    def upload(self, bucket: str, name: str, body, *, options: dict | None = None, content_type=None, **extra):
        """upload-object as the altogic client sends it: the body JSON-encoded."""
        query = f"bucket={bucket}&fileName={name}"
        if options is not None:
            query += "&options=" + json.dumps(options)
        if content_type is None:
            return self.generic("POST", f"{API}/bucket/upload-object?{query}", json.dumps(body),
                                content_type="application/json", **extra)
        return self.generic("POST", f"{API}/bucket/upload-object?{query}", body, content_type=content_type, **extra)


@pytest.fixture(autouse=True)
def _own_key_prefix(settings):
    """Each test keeps its bytes under its own prefix of the backend, so that listing the
    backend shows only what this test wrote (the database rolls back; the backend does not)."""
    settings.AGNOST_STORAGE_KEY_PREFIX = f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def staff(user_factory):
    return user_factory(is_staff=True)


@pytest.fixture
def staff_api(staff):
    return StorageClient(user=staff)


@pytest.fixture
def alice(user_factory):
    return user_factory()


@pytest.fixture
def alice_api(alice):
    return StorageClient(user=alice)


@pytest.fixture
def bob_api(user_factory):
    return StorageClient(user=user_factory())


@pytest.fixture
def anon_api(db):
    return StorageClient()


@pytest.fixture
def backend_keys():
    """The keys under the agnost prefix in the default storage backend, right now."""
    return lambda: blobs.list_keys("default")


@pytest.fixture
def storage_backend():
    return storages["default"]
