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


def project_env(**env) -> dict[str, str]:
    """The environment of a process of the example project, without the caller's project
    variables (a developer's DATABASE_URL, .env file, ...)."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DATABASE_URL", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME", "TRUSTED_PROXIES")
             and not k.startswith("DJANGO_")}
    return {**clean, "DJANGO_ENV_FILE": "", "DJANGO_SETTINGS_MODULE": "project.settings", **env}


def settings_with(**env) -> dict:
    clean = project_env(DJANGO_DEBUG="1", **env)
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
        "layer": "channels_redis.pubsub.RedisPubSubChannelLayer",
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


PRODUCTION = {"DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-0123456789-abcdefghij",
              "DJANGO_ALLOWED_HOSTS": "api.example.com"}


def manage(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=project_env(**env),
                          capture_output=True, text=True)


def test_deploy_check_is_clean_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    behind_proxy = manage("check", "--deploy", "--fail-level", "WARNING", TRUSTED_PROXIES="10.0.0.0/8", **PRODUCTION)
    assert behind_proxy.returncode == 0, behind_proxy.stdout + behind_proxy.stderr


def test_debug_is_off_and_a_secret_key_required_unless_asked():
    result = manage("check")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
    assert manage("check", DJANGO_DEBUG="1").returncode == 0
    code = "from django.conf import settings; print(settings.DEBUG, settings.SECURE_SSL_REDIRECT)"
    assert manage("shell", "-c", code, **PRODUCTION).stdout.split()[-2:] == ["False", "True"]
    assert manage("shell", "-c", code, DJANGO_DEBUG="1").stdout.split()[-2:] == ["True", "False"]


def test_env_file_fills_what_the_environment_lacks(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# development\nDJANGO_DEBUG=1\nDJANGO_ALLOWED_HOSTS=from-file.example\n")
    code = "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS[0])"
    result = manage("shell", "-c", code, DJANGO_ENV_FILE=str(env_file), DJANGO_ALLOWED_HOSTS="from-env.example")
    assert result.stdout.split()[-2:] == ["True", "from-env.example"], result.stderr
