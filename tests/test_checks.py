"""Every documented check id fires (tests/test_minimal.py checks that the project is clean)."""

from __future__ import annotations



from agnost_django.cache.checks import check_cache_alias
from agnost_django.core.checks import check_dependencies, check_settings


def ids(messages):
    return {message.id for message in messages}


def test_unknown_setting_with_a_hint(settings):
    settings.AGNOST_CACHE_ALAIS = "default"
    (warning,) = [m for m in check_settings() if m.id == "agnost_core.W001"]
    assert "AGNOST_CACHE_ALAIS" in warning.msg
    assert warning.hint == "Did you mean AGNOST_CACHE_ALIAS?"


def test_bad_path_pattern(settings):
    settings.AGNOST_CORE_API_PATH_PATTERN = "(unclosed"
    assert "agnost_core.E002" in ids(check_settings())


def test_missing_rest_framework_and_middleware(settings):
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "rest_framework"]
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "AgnostMiddleware" not in m]
    assert {"agnost_core.E001", "agnost_core.W002"} <= ids(check_dependencies())


def test_cache_alias_checks(settings, tmp_path):
    settings.AGNOST_CACHE_ALIAS = "nope"
    assert ids(check_cache_alias()) == {"agnost_cache.E001"}
    settings.CACHES = {**settings.CACHES, "files": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}}
    settings.AGNOST_CACHE_ALIAS = "files"
    assert ids(check_cache_alias()) == {"agnost_cache.W001"}


def test_plain_in_memory_channel_layer_is_reported(settings):
    from django.core.checks import run_checks

    settings.SILENCED_SYSTEM_CHECKS = []
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert "agnost_realtime.W002" in {message.id for message in run_checks()}
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "agnost_django.realtime.layers.LocalChannelLayer"}}
    assert "agnost_realtime.W002" not in {message.id for message in run_checks()}
