"""Test settings, pass 1: the example project on the embedded default (no services)."""

import atexit
import os
import shutil
import tempfile

# The example project's settings as tests see them: no .env file of a developer's, plain HTTP.
os.environ.update(DJANGO_ENV_FILE="", DJANGO_HTTPS="0")
os.environ.setdefault("DJANGO_SECRET_KEY", "tests")

from project.settings import *  # noqa: E402, F403

DEBUG = False
SECRET_KEY = "tests"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AGNOST_AUTH_SMS_BACKEND = "agnost_django.auth.sms.LocMemBackend"
AGNOST_AUTH_REDIRECT_URL = "https://app.example.com/auth"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# In-process tests publish from the process that holds the sockets; the layer that reaches
# other processes (LocalChannelLayer) is tested against the real server.
SILENCED_SYSTEM_CHECKS = ["agnost_realtime.W002"]
# Files on the local file system, in a directory of this process (each xdist worker has its own).
MEDIA_ROOT = tempfile.mkdtemp(prefix="agnost-tests-media-")
atexit.register(shutil.rmtree, MEDIA_ROOT, True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # WhiteNoise finds the static files in the apps (no collectstatic)
WHITENOISE_USE_FINDERS = True
Q_CLUSTER = {"name": "agnost-tests", "timeout": 600, "retry": 660, "max_attempts": 1, "ack_failures": True,
             "orm": "default", "sync": True}

# Which stack the interop server of tests/interop runs on (see tests/interop/server.py).
INTEROP_STACK = "embedded"
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")

# django-oauth-toolkit plays the OpenID Connect provider in tests/auth/test_oauth.py
# (its OAUTH2_PROVIDER settings, with a freshly generated key, are set by that module).
INSTALLED_APPS = [*INSTALLED_APPS, "oauth2_provider"]  # noqa: F405

# Models exposed by the data-module and expression tests.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.dataapp", "tests.jobsapp"]

# Every API call of the suite goes through the request log's recording, but no writer thread
# writes to the test database behind the tests' transactions: rows wait for
# requestlog.flush() (tests/core/test_request_log.py).
AGNOST_CORE_REQUEST_LOG_FLUSH_INTERVAL = 0
