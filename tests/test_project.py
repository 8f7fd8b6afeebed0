"""The example project reads production settings from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "db_name": settings.DATABASES["default"]["NAME"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "broker": "redis" if "redis" in settings.Q_CLUSTER else "orm",
    "storage": settings.STORAGES["default"]["BACKEND"],
}))
"""


def settings_with(**env) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DATABASE_URL", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME")}
    clean.update(env, DJANGO_SETTINGS_MODULE="project.settings")
    output = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=clean,
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_embedded_default():
    assert settings_with() == {
        "db": "django.db.backends.sqlite3",
        "db_name": str(ROOT / "db.sqlite3"),
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "layer": "agnost_django.realtime.layers.LocalChannelLayer",
        "broker": "orm",
        "storage": "django.core.files.storage.FileSystemStorage",
    }


def test_production_from_environment():
    assert settings_with(
        DATABASE_URL="postgres://u:p@db.internal:5432/app",
        REDIS_URL="redis://cache.internal:6379/0",
        AWS_STORAGE_BUCKET_NAME="files",
    ) == {
        "db": "django.db.backends.postgresql",
        "db_name": "app",
        "cache": "django_redis.cache.RedisCache",
        "layer": "channels_redis.core.RedisChannelLayer",
        "broker": "redis",
        "storage": "storages.backends.s3.S3Storage",
    }


def test_importing_the_package_imports_no_models():
    code = (
        "import sys, agnost_django; from agnost_django import agnost; "
        "loaded = [m for m in sys.modules if m.startswith('agnost_django') and m.endswith('.models')]; "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": ""})
