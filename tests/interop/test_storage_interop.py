"""The altogic npm client's StorageManager, BucketManager and FileManager against the real
server (see storage.test.mjs), on this run's stack: local files under the embedded stack, S3
(moto's server, see server.py) under the services stack.

The storage tests get a server of their own, whose largest upload is
``AGNOST_STORAGE_MAX_UPLOAD_SIZE`` = :data:`MAX_UPLOAD_SIZE` bytes, so that the oversized
uploads stay small. Creating buckets and reading statistics are staff matters, and staff
cannot sign up through the client: a staff user is made with ``manage.py shell`` and its
credentials reach Node as ``AGNOST_STAFF_EMAIL`` / ``AGNOST_STAFF_PASSWORD``. The other users
of the tests sign up through the client (email confirmation is off, the project's default).
"""

from __future__ import annotations

import json
import secrets
import textwrap

import pytest
from django.conf import settings

from tests.interop.server import node_failure

MAX_UPLOAD_SIZE = 4096


def shell(server, code: str) -> str:
    """The last line ``manage.py shell`` prints (Django 5.2 may announce auto-imports)."""
    output = server.manage("shell", "-c", textwrap.dedent(code)).stdout.strip()
    return output.splitlines()[-1] if output else ""


def create_staff(server) -> dict[str, str]:
    email = f"it-storage-staff-{secrets.token_hex(4)}@example.com"
    password = f"Pw-{secrets.token_hex(8)}-Zq!"
    shell(server, f"""
        from django.contrib.auth import get_user_model
        User = get_user_model()
        User._default_manager.create_user(
            **{{User.USERNAME_FIELD: {email!r}, "email": {email!r}}}, password={password!r}, is_staff=True)
        print("ok")
    """)
    return {"AGNOST_STAFF_EMAIL": email, "AGNOST_STAFF_PASSWORD": password}


@pytest.fixture(scope="module")
def storage_server(interop_server_factory):
    with interop_server_factory({"AGNOST_STORAGE_MAX_UPLOAD_SIZE": str(MAX_UPLOAD_SIZE)}) as server:
        yield server
        # The embedded stack keeps the bytes in the project's own media/ folder (the project
        # settings read no MEDIA_ROOT from the environment): delete the files through the ORM,
        # which frees their bytes, before the server and its database go.
        shell(server, """
            from agnost_django.storage.models import StoredFile
            print(StoredFile.objects.all().delete()[0])
        """)


def test_storage_manager(storage_server):
    env = {**create_staff(storage_server), "AGNOST_STORAGE_MAX_UPLOAD_SIZE": str(MAX_UPLOAD_SIZE)}
    result = storage_server.run_node("storage.test.mjs", extra_env=env, timeout=300)
    assert result.returncode == 0, node_failure(result, storage_server)

    # Whatever the client did, every file row has its bytes in the backend, and (S3, where the
    # server has a folder of its own) no bytes are left without a row.
    keys = json.loads(shell(storage_server, """
        import json
        from agnost_django.storage import blobs
        from agnost_django.storage.models import StoredFile
        print(json.dumps({
            "rows": sorted(StoredFile.objects.values_list("blob_key", flat=True)),
            "stored": blobs.list_keys("default"),
        }))
    """))
    assert keys["rows"], "storage.test.mjs left no file: the check below would be empty"
    assert set(keys["rows"]) <= set(keys["stored"]), "files whose bytes are missing"
    if settings.INTEROP_STACK == "services":
        assert keys["stored"] == keys["rows"], "bytes left behind by deleted or replaced files"
        backend = shell(storage_server, """
            from django.core.files.storage import storages
            print(type(storages["default"]).__name__)
        """)
        assert backend == "S3Storage"
