"""What the demo page needs on the server: its client key and its storage bucket.

The key's secret is never stored: it is derived from ``SECRET_KEY`` with an HMAC, so that
``manage.py demo_setup`` can store its hash and the page view can compute it again to embed it
in the page (a client key is public in any browser app; what protects the API is the key's
allowed origins and each module's access rules). Changing ``SECRET_KEY`` changes the secret:
run ``demo_setup`` again.
"""

from __future__ import annotations

import base64

from django.db import transaction
from django.utils.crypto import salted_hmac

from agnost_django import agnost
from agnost_django.core.models import ClientKey, hash_secret
from agnost_django.core.services import KEY_PREFIX

KEY_NAME = "demo"
#: The public bucket the page uploads into.
BUCKET = "demo"
#: The public chat channel of the page.
CHAT_CHANNEL = "demo-chat"
#: The host of the envUrl: four labels starting with ``realtime``, so that the client opens its
#: socket on the same host and port as the REST API (browsers resolve ``*.localhost`` to
#: loopback).
REALTIME_HOST = "realtime.agnost.app.localhost"
#: The hosts the page may be opened at; the last two call the API cross-origin.
PAGE_HOSTS = (REALTIME_HOST, "localhost", "127.0.0.1")


def client_key_secret() -> str:
    """The demo key's secret (``agk_`` + 40 characters, like a random key's)."""
    digest = salted_hmac("project.demo.client_key", KEY_NAME, algorithm="sha256").digest()
    return KEY_PREFIX + base64.urlsafe_b64encode(digest).decode()[:40]


def env_url(port: int | str | None, scheme: str = "http") -> str:
    return f"{scheme}://{REALTIME_HOST}" + (f":{port}" if port else "")


def page_origins(port: int | str | None, scheme: str = "http") -> list[str]:
    return [f"{scheme}://{host}" + (f":{port}" if port else "") for host in PAGE_HOSTS]


def find_client_key() -> ClientKey | None:
    """The stored key whose secret is :func:`client_key_secret`, if any."""
    return ClientKey.objects.filter(key_hash=hash_secret(client_key_secret())).first()


@transaction.atomic
def set_up(port: int, *, scheme: str = "http") -> tuple[ClientKey, bool, bool]:
    """Create or update the key named ``demo`` (active, no expiry, allowed origins exactly
    :func:`page_origins`) and create the public bucket :data:`BUCKET` if it is missing.
    Returns ``(key, key_created, bucket_created)``. Raises ``ValidationError`` on a bad port."""
    secret = client_key_secret()
    key = find_client_key() or ClientKey.objects.filter(name=KEY_NAME).order_by("pk").first()
    key_created = key is None
    if key is None:
        key = ClientKey(name=KEY_NAME)
    # As core.services.assign_secret does, but with the derived secret: only its hash is stored.
    key.prefix = secret[:12]
    key.key_hash = hash_secret(secret)
    key.allowed_origins = page_origins(port, scheme)
    key.active = True
    key.expires_at = None
    key.full_clean()
    key.save()

    storage = agnost.storage()
    bucket_created = not storage.bucket(BUCKET).exists().unwrap()
    if bucket_created:
        storage.create_bucket(BUCKET, is_public=True).unwrap()
    return key, key_created, bucket_created
